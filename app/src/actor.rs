//! Who asks a workflow for something.

use ccm_domain::Role;

/// Who asks: their account, role and provider (for staff).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub user_id: String,
    pub role: Role,
    pub provider_id: Option<String>,
}
