//! A centre's scheduling policy, and each parent's expected arrival and departure from it. In a shared
//! (supported) room every family booked at the same times is planned together, so that no two
//! adults who must not meet (a family's two parents, or a recorded keep-apart pair across
//! families) are due in the same window.

use time::PrimitiveDateTime;

use crate::clock::stored;
use crate::AppError;
use ccm_domain::referral::PartyRole;
use ccm_domain::schedule::arrival::{self, Adult, ArrivalPolicy, PartyTimes};
use ccm_domain::schedule::attendance::LatenessPolicy;
use ccm_domain::schedule::lifecycle::SessionStatus;
use ccm_domain::schedule::Slot;
use ccm_domain::ServiceType;
use ccm_persistence::referrals::Referral;
use ccm_persistence::sessions::{self, PartyChanges, Session, SessionParty};
use ccm_persistence::{casework, scheduling, AnyConnection, StoreError};

/// How a centre staggers arrivals and judges handover timekeeping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CentrePolicy {
    pub arrival: ArrivalPolicy,
    pub lateness: LatenessPolicy,
}

/// The centre's policy, or the defaults if it has none.
pub fn for_centre(conn: &mut AnyConnection, centre_id: &str) -> Result<CentrePolicy, AppError> {
    let Some(p) = scheduling::policy(conn, centre_id)? else {
        return Ok(CentrePolicy {
            arrival: ArrivalPolicy::default(),
            lateness: LatenessPolicy::default(),
        });
    };
    let whole = |n: i32, column: &str| {
        u32::try_from(n).map_err(|_| {
            AppError::from(StoreError::Corrupt(format!("scheduling_policies.{column}")))
        })
    };
    Ok(CentrePolicy {
        arrival: ArrivalPolicy {
            order: p.arrival_order.parse().map_err(|e| {
                StoreError::Corrupt(format!("scheduling_policies.arrival_order: {e}"))
            })?,
            offset_minutes: whole(p.arrival_offset_minutes, "arrival_offset_minutes")?,
        },
        lateness: LatenessPolicy {
            threshold_minutes: whole(p.lateness_threshold_minutes, "lateness_threshold_minutes")?,
            strikes: whole(p.lateness_strikes, "lateness_strikes")?,
            window: whole(p.lateness_window, "lateness_window")?,
        },
    })
}

/// The stored session's state.
pub fn status_of(s: &Session) -> Result<SessionStatus, AppError> {
    s.status
        .parse()
        .map_err(|e| StoreError::Corrupt(format!("sessions.status: {e}")).into())
}

/// A case's arrival offset set at its assessment, if any.
fn case_offset(conn: &mut AnyConnection, referral_id: &str) -> Result<Option<u32>, AppError> {
    Ok(casework::latest_assessment(conn, referral_id)?
        .and_then(|a| a.arrival_offset_minutes)
        .and_then(|m| u32::try_from(m).ok()))
}

/// The staggering for a case's sessions (handover keeps CL's fixed timings instead): the
/// centre's policy with the case's own larger offset.
pub fn case_policy(conn: &mut AnyConnection, r: &Referral) -> Result<ArrivalPolicy, AppError> {
    let centre = for_centre(conn, &r.centre_id)?.arrival;
    Ok(centre.with_case_offset(case_offset(conn, &r.id)?))
}

/// The two parents' rows for one family's session.
pub fn party_rows(session_id: &str, times: &[PartyTimes]) -> Vec<SessionParty> {
    times
        .iter()
        .map(|t| SessionParty {
            session_id: session_id.to_string(),
            party: t.party.as_str().into(),
            expected_arrival: stored(t.arrive),
            expected_departure: stored(t.depart),
            arrived_at: None,
            departed_at: None,
            late_minutes: None,
            no_show: false,
        })
        .collect()
}

fn party(text: &str) -> Result<PartyRole, AppError> {
    text.parse()
        .map_err(|e| StoreError::Corrupt(format!("party column: {e}")).into())
}

/// Re-plans every family sharing the room at exactly these times, in the order they were
/// booked (so families already booked keep their arrival windows; only departures move when a
/// later window is added).
pub fn replan_shared(
    conn: &mut AnyConnection,
    centre_id: &str,
    room_id: &str,
    starts_at: PrimitiveDateTime,
    ends_at: PrimitiveDateTime,
) -> Result<(), AppError> {
    // Handover uses a shared hall too, but keeps its own fixed timings.
    let families: Vec<_> = sessions::sharing(conn, room_id, starts_at, ends_at)?
        .into_iter()
        .filter(|s| s.service_type == ServiceType::Supported.as_str())
        .collect();
    if families.is_empty() {
        return Ok(());
    }
    let referrals: Vec<String> = families.iter().map(|s| s.referral_id.clone()).collect();
    let index = |referral_id: &str| referrals.iter().position(|r| r == referral_id);
    let mut apart = Vec::new();
    for k in scheduling::keep_apart_for(conn, &referrals)? {
        if let (Some(a), Some(b)) = (index(&k.referral_id), index(&k.other_referral_id)) {
            apart.push((
                Adult {
                    family: a,
                    party: party(&k.party)?,
                },
                Adult {
                    family: b,
                    party: party(&k.other_party)?,
                },
            ));
        }
    }
    let mut offset = None;
    for r in &referrals {
        offset = offset.max(case_offset(conn, r)?);
    }
    let policy = for_centre(conn, centre_id)?
        .arrival
        .with_case_offset(offset);
    let slot = Slot {
        start: starts_at.assume_utc(),
        end: ends_at.assume_utc(),
    };
    for t in arrival::plan_shared(&slot, policy, families.len(), &apart) {
        let changes = PartyChanges {
            expected_arrival: Some(stored(t.arrive)),
            expected_departure: Some(stored(t.depart)),
            ..Default::default()
        };
        sessions::update_party(
            conn,
            &families[t.adult.family].id,
            t.adult.party.as_str(),
            &changes,
        )?;
    }
    Ok(())
}
