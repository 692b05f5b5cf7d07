//! Who may place a case's sessions: its provider's coordinators and org admins. Anyone else
//! involved in the case is refused (403); anyone not is told there is no such case (404).

use ccm_domain::Role;
use ccm_persistence::referrals::{self, Referral};
use ccm_persistence::{placement, StoreError};

use super::Actor;
use crate::AppError;

/// The case, row-locked for the rest of the transaction, if the actor decides on it.
pub fn deciding_case(
    conn: &mut ccm_persistence::AnyConnection,
    actor: &Actor,
    referral_id: &str,
) -> Result<Referral, AppError> {
    let r = match placement::referral_locked(conn, referral_id) {
        Ok(r) => r,
        Err(StoreError::NotFound) => return Err(AppError::not_found("referral")),
        Err(e) => return Err(e.into()),
    };
    let staff = actor.role.is_provider_staff()
        && actor.provider_id.as_deref() == Some(r.provider_id.as_str());
    if staff && matches!(actor.role, Role::OrgAdmin | Role::Coordinator) {
        return Ok(r);
    }
    let refused = || AppError::forbidden("only the provider's coordinators and org admins do this");
    if staff {
        return Err(refused());
    }
    // Only a refusal reads further: a party or the referrer may know the case exists.
    let referrer = actor.role == Role::Referrer
        && r.referrer_user_id.as_deref() == Some(actor.user_id.as_str());
    let party = referrals::parties(conn, &r.id)?
        .iter()
        .any(|(_, person)| person.user_id.as_deref() == Some(actor.user_id.as_str()));
    if referrer || party {
        Err(refused())
    } else {
        Err(AppError::not_found("referral"))
    }
}
