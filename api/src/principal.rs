//! The authenticated caller. Its own module, below both the extractor that authenticates it
//! and the audit trail that records it, so neither imports the other.

use ccm_domain::access::Actor;
use ccm_domain::Role;

/// The authenticated caller, from `Authorization: Bearer <access token>`.
#[derive(Clone, Debug)]
pub struct Principal {
    pub user_id: String,
    pub role: Role,
    pub provider_id: Option<String>,
    /// Set when the caller is a partner's API client (acting as a referrer, within its scopes).
    pub client_id: Option<String>,
}

impl Principal {
    /// What the caller is allowed to do, as one string: equal strings, equal authority.
    pub fn authority(&self) -> String {
        format!(
            "{}|{}|{}",
            self.role.as_str(),
            self.provider_id.as_deref().unwrap_or("-"),
            self.client_id.as_deref().unwrap_or("-")
        )
    }

    /// The caller as the access rules see it.
    pub fn actor(&self) -> Actor<'_> {
        Actor {
            role: self.role,
            provider_id: self.provider_id.as_deref(),
        }
    }

    /// The caller as a workflow sees it.
    pub fn caller(&self) -> ccm_app::Actor {
        ccm_app::Actor {
            user_id: self.user_id.clone(),
            role: self.role,
            provider_id: self.provider_id.clone(),
        }
    }
}
