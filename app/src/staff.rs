//! The staff directory: who a coordinator can book. The caller's own provider's active staff.

use ccm_domain::Role;
use ccm_persistence::{users, AnyConnection};

pub use ccm_persistence::users::User;

use crate::access::rules;
use crate::{Actor, AppError, Page};

/// A page of the actor's provider's active staff, of one role if asked: for its coordinators
/// and org admins only.
pub fn list(
    conn: &mut AnyConnection,
    actor: &Actor,
    role: Option<Role>,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<User>, AppError> {
    let Some(provider_id) = rules(actor).staff_directory() else {
        return Err(AppError::forbidden(
            "coordinators and org admins look up their provider's staff",
        ));
    };
    Ok(users::staff(conn, provider_id, role, after, limit)?)
}
