//! Cases over HTTP: the workflows live in `ccm_app::cases`; this module loads a case for a
//! [`Principal`] and notes it on the request's audit trail.

pub use ccm_app::cases::{
    cancellation, person_in, readiness, retention, scheduling, stored_json, sweep, workflow, Case,
    Relation,
};
pub use ccm_app::credit;

use ccm_domain::Money;
use ccm_persistence::people::Person;
use ccm_persistence::referrals::{Party, Referral};
use ccm_persistence::AnyConnection;

use crate::error::ApiError;
use crate::extract::Principal;

/// The caller as a workflow of `ccm_app` knows them.
pub fn actor(p: &Principal) -> ccm_app::Actor {
    ccm_app::Actor {
        user_id: p.user_id.clone(),
        role: p.role,
        provider_id: p.provider_id.clone(),
    }
}

/// The caller's relation to the case, or `None` if the case is none of their business.
pub fn relation(
    principal: &Principal,
    referral: &Referral,
    parties: &[(Party, Person)],
) -> Option<Relation> {
    ccm_app::cases::relation(&actor(principal), referral, parties)
}

/// The case as the caller may see it (404 if none of their business), noted on the trail.
pub fn load(
    conn: &mut AnyConnection,
    id: &str,
    principal: &Principal,
    lock: bool,
) -> Result<Case, ApiError> {
    let case = ccm_app::cases::load(conn, id, &actor(principal), lock)?;
    crate::audit::case(&case.referral.id);
    Ok(case)
}

/// A case for its single read with what it still owes; 404 as [`load`].
pub fn load_owing(
    conn: &mut AnyConnection,
    id: &str,
    principal: &Principal,
) -> Result<(Case, Money), ApiError> {
    let (case, owed) = ccm_app::cases::load_owing(conn, id, &actor(principal))?;
    crate::audit::case(&case.referral.id);
    Ok((case, owed))
}
