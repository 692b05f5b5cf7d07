//! The facts an action needs beyond the case's status, read for the status the case is in:
//! the referral's `actions` and the actions themselves both go by them.

use ccm_domain::referral::casework::{pre_visits_done, AssessmentOutcome, PreVisit};
use ccm_domain::referral::lifecycle::{ReferralAction, ReferralStatus};
use ccm_domain::referral::readiness::{self, Assessed, Readiness};
use ccm_persistence::referrals::{self, Referral};
use ccm_persistence::{casework as records, offerings, AnyConnection, StoreError};

use crate::AppError;

/// What `r` has now for the actions its status allows; the rest is left unset (those actions
/// are refused by the lifecycle anyway).
pub fn read(conn: &mut AnyConnection, r: &Referral) -> Result<Readiness, AppError> {
    let mut facts = Readiness::default();
    match r.status()? {
        ReferralStatus::Waitlisted => {
            let service = r.service()?;
            let places = offerings::find_for(conn, &r.centre_id, service)?
                .and_then(|o| o.places)
                .and_then(|p| u32::try_from(p).ok());
            let held = referrals::holding_places(conn, &r.centre_id, service)?;
            facts.place_free =
                readiness::place_free(places, usize::try_from(held).unwrap_or(usize::MAX));
        }
        ReferralStatus::PreVisits => {
            facts.pre_visits_done =
                pre_visits_done(&domain_visits(&records::pre_visits(conn, &r.id)?)?);
        }
        ReferralStatus::Screening => {
            facts.assessed = match records::latest_assessment(conn, &r.id)? {
                None => Assessed::NotYet,
                Some(a) if a.outcome == AssessmentOutcome::Unsuitable.as_str() => {
                    Assessed::Unsuitable
                }
                Some(_) => Assessed::Suitable,
            };
        }
        _ => {}
    }
    Ok(facts)
}

/// Refuses `action` (409) unless `r` has what it needs now.
pub fn require(
    conn: &mut AnyConnection,
    r: &Referral,
    action: ReferralAction,
) -> Result<(), AppError> {
    let facts = read(conn, r)?;
    readiness::check(action, &facts).map_err(|why| AppError::conflict(why.into(), why.to_string()))
}

/// The stored pre-visits as the domain's rules read them.
pub fn domain_visits(rows: &[records::PreVisit]) -> Result<Vec<PreVisit>, AppError> {
    rows.iter()
        .map(|v| {
            Ok(PreVisit {
                party: v
                    .party_role
                    .parse()
                    .map_err(|_| StoreError::Corrupt("stored pre-visit party".into()))?,
                starts_at: v.starts_at.assume_utc(),
                ends_at: v.ends_at.assume_utc(),
                attended: v.attended,
            })
        })
        .collect()
}
