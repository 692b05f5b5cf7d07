//! The actor as `ccm-domain`'s access rules see it, and their answers as refusals.

use ccm_domain::access::{self, Access};

use crate::{Actor, AppError};

/// The rules' view of the actor: a role and a provider.
pub fn rules(actor: &Actor) -> access::Actor<'_> {
    access::Actor {
        role: actor.role,
        provider_id: actor.provider_id.as_deref(),
    }
}

/// An access decision as a result: 403 when forbidden, 404 when the thing belongs to another
/// organisation (its existence is not revealed).
pub fn require(access: Access, what: &str) -> Result<(), AppError> {
    match access {
        Access::Allowed => Ok(()),
        Access::Forbidden => Err(AppError::forbidden(format!(
            "your role may not do this to a {what}"
        ))),
        Access::Hidden => Err(AppError::not_found(what)),
    }
}
