//! When each parent is due after a placement: each placed session's own plan, and every
//! family sharing a room at exactly the times a session took or left planned together.

use std::collections::HashSet;

use time::OffsetDateTime;

use super::pipeline::{read_families, slot_of, stored, Context};
use crate::AppError;
use ccm_domain::referral::PartyRole;
use ccm_domain::schedule::arrival::{self, Adult, PartyTimes};
use ccm_domain::schedule::Slot;
use ccm_domain::{RoomKind, ServiceType};
use ccm_persistence::placement::Neighbour;
use ccm_persistence::sessions::{Session, SessionParty};
use ccm_persistence::{AnyConnection, StoreError};

fn party_row(
    session_id: &str,
    party: PartyRole,
    arrive: OffsetDateTime,
    depart: OffsetDateTime,
) -> SessionParty {
    SessionParty {
        session_id: session_id.to_string(),
        party: party.as_str().into(),
        expected_arrival: stored(arrive),
        expected_departure: stored(depart),
        arrived_at: None,
        departed_at: None,
        late_minutes: None,
        no_show: false,
    }
}

fn rows(session_id: &str, times: &[PartyTimes]) -> Vec<SessionParty> {
    times
        .iter()
        .map(|t| party_row(session_id, t.party, t.arrive, t.depart))
        .collect()
}

fn party(text: &str) -> Result<PartyRole, AppError> {
    text.parse()
        .map_err(|e| StoreError::Corrupt(format!("keep_apart party: {e}")).into())
}

/// Every parent's planned times after the placement: each placed session's own plan, then
/// every family sharing a room at exactly the times a session took or left planned together,
/// in the order they were booked (so families already there keep their arrival windows).
/// `placed` are the sessions as they will be; `vacated` the room and times moved sessions left.
pub fn plan_times(
    conn: &mut AnyConnection,
    ctx: &mut Context,
    neighbours: &[Neighbour],
    placed: &[Session],
    vacated: &[(String, Slot)],
) -> Result<Vec<SessionParty>, AppError> {
    let mut out: Vec<SessionParty> = Vec::new();
    for s in placed {
        let slot = slot_of(s.starts_at, s.ends_at);
        let times = match s.handover_slot {
            Some(_) => arrival::handover_plan(&slot),
            None => arrival::plan(&slot, ctx.case_policy()),
        };
        out.extend(rows(&s.id, &times));
    }
    // The room's sessions as they will be: the placed ones at their new times.
    let ids: HashSet<&str> = placed.iter().map(|s| s.id.as_str()).collect();
    let mut after: Vec<Neighbour> = neighbours
        .iter()
        .filter(|n| !ids.contains(n.id.as_str()))
        .cloned()
        .collect();
    after.extend(placed.iter().map(|s| Neighbour {
        id: s.id.clone(),
        referral_id: s.referral_id.clone(),
        service_type: s.service_type.clone(),
        room_id: s.room_id.clone(),
        supervisor_id: s.supervisor_id.clone(),
        starts_at: s.starts_at,
        ends_at: s.ends_at,
        created_at: s.created_at,
    }));
    let mut shared: Vec<(String, Slot)> = vacated.to_vec();
    if let Some((room_id, RoomKind::Shared, _)) = &ctx.room {
        shared.extend(
            placed
                .iter()
                .map(|s| (room_id.clone(), slot_of(s.starts_at, s.ends_at))),
        );
    }
    shared.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    shared.dedup();
    for (room_id, slot) in &shared {
        // Handover uses a shared hall too, but keeps its own fixed timings.
        let mut families: Vec<&Neighbour> = after
            .iter()
            .filter(|n| {
                n.room_id.as_ref() == Some(room_id)
                    && slot_of(n.starts_at, n.ends_at) == *slot
                    && n.service_type == ServiceType::Supported.as_str()
            })
            .collect();
        if families.is_empty() {
            continue;
        }
        families.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        let referrals: Vec<String> = families.iter().map(|n| n.referral_id.clone()).collect();
        let unknown: Vec<String> = referrals
            .iter()
            .filter(|r| !ctx.offsets.contains_key(*r))
            .cloned()
            .collect();
        // A family that booked between the first read and the lock: read it now.
        if !unknown.is_empty() {
            read_families(conn, ctx, &unknown, &[], &[], true)?;
        }
        out.extend(plan_shared(ctx, &families, &referrals, slot)?);
    }
    // Later plans replace earlier ones for the same parent.
    let mut seen = HashSet::new();
    let mut planned: Vec<SessionParty> = out
        .into_iter()
        .rev()
        .filter(|p| seen.insert((p.session_id.clone(), p.party.clone())))
        .collect();
    planned.reverse();
    Ok(planned)
}

fn plan_shared(
    ctx: &Context,
    families: &[&Neighbour],
    referrals: &[String],
    slot: &Slot,
) -> Result<Vec<SessionParty>, AppError> {
    let index = |referral_id: &str| referrals.iter().position(|r| r == referral_id);
    let mut apart = Vec::new();
    for k in &ctx.pairs {
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
    let offset = referrals
        .iter()
        .map(|r| ctx.offsets.get(r).copied().flatten())
        .max()
        .flatten();
    let policy = ctx.centre_policy.with_case_offset(offset);
    Ok(arrival::plan_shared(slot, policy, families.len(), &apart)
        .into_iter()
        .map(|t| {
            party_row(
                &families[t.adult.family].id,
                t.adult.party,
                t.arrive,
                t.depart,
            )
        })
        .collect())
}
