//! The facts an action needs beyond the case's status, read for the status the case is in:
//! the referral's `actions` and the actions themselves both go by them.

use ccm_domain::referral::casework::{pre_visits_done, AssessmentOutcome};
use ccm_domain::referral::lifecycle::{ReferralAction, ReferralStatus};
use ccm_domain::referral::readiness::{self, Assessed, Readiness};
use ccm_persistence::referrals::{self, Referral};
use ccm_persistence::{casework as records, offerings, AnyConnection};

use crate::error::ApiError;
use crate::routes::referrals::casework::domain_visits;

/// What `r` has now for the actions its status allows; the rest is left unset (those actions
/// are refused by the lifecycle anyway).
pub fn read(conn: &mut AnyConnection, r: &Referral) -> Result<Readiness, ApiError> {
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
) -> Result<(), ApiError> {
    let facts = read(conn, r)?;
    readiness::check(action, &facts).map_err(|why| ApiError::conflict(why.into(), why.to_string()))
}
