//! Who may do what. Handlers ask these functions rather than testing roles themselves, so the
//! rules are written once and read like the policy.

use crate::Role;

/// The caller as the rules see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Actor<'a> {
    pub role: Role,
    /// The provider (organisation) the caller belongs to; `None` for a platform admin.
    pub provider_id: Option<&'a str>,
}

/// The answer to "may this actor do this to that?".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Allowed,
    /// The actor may see the thing but not do this to it (403).
    Forbidden,
    /// The thing belongs to another organisation; its existence is not revealed (404).
    Hidden,
}

impl<'a> Actor<'a> {
    fn belongs_to(&self, provider_id: &str) -> bool {
        self.provider_id == Some(provider_id)
    }

    /// Writing a provider's catalogue (the provider itself, centres, rooms, service offerings,
    /// tariffs): its org admins, or a platform admin.
    pub fn manage_catalogue(&self, provider_id: &str) -> Access {
        match self.role {
            Role::PlatformAdmin => Access::Allowed,
            _ if !self.belongs_to(provider_id) => Access::Hidden,
            Role::OrgAdmin => Access::Allowed,
            _ => Access::Forbidden,
        }
    }

    /// Running a provider's cases (waiting lists, intake decisions): its coordinators and org
    /// admins. Platform admins run the platform, not cases.
    pub fn manage_cases(&self, provider_id: &str) -> Access {
        match self.role {
            _ if !self.belongs_to(provider_id) => Access::Hidden,
            Role::OrgAdmin | Role::Coordinator => Access::Allowed,
            _ => Access::Forbidden,
        }
    }

    /// Whose staff directory (ids, names and roles, nothing more) this actor may read: its own
    /// provider's, for the coordinators and org admins who book supervisors and volunteers.
    pub fn staff_directory(&self) -> Option<&'a str> {
        match (self.role, self.provider_id) {
            (Role::OrgAdmin | Role::Coordinator, Some(p)) => Some(p),
            _ => None,
        }
    }

    /// Whose partner API clients this actor registers, rotates and revokes: its own
    /// provider's, for its org admins only (a platform admin runs no partner's integration).
    pub fn api_clients(&self) -> Option<&'a str> {
        match (self.role, self.provider_id) {
            (Role::OrgAdmin, Some(p)) => Some(p),
            _ => None,
        }
    }

    /// Whose webhook subscriptions this actor manages, when it signs in as the API client
    /// `client_id` (if any): a client its own, an org admin every client's of its provider.
    pub fn webhooks(&self, client_id: Option<&'a str>) -> WebhookScope<'a> {
        match (client_id, self.role, self.provider_id) {
            (Some(own), _, _) => WebhookScope::Client(own),
            (None, Role::OrgAdmin, Some(p)) => WebhookScope::Provider(p),
            _ => WebhookScope::None,
        }
    }

    /// Whose audit trail this actor reads: everyone's (platform admins), its own
    /// organisation's (org admins), or none.
    pub fn audit_trail(&self) -> AuditScope<'a> {
        match (self.role, self.provider_id) {
            (Role::PlatformAdmin, _) => AuditScope::All,
            (Role::OrgAdmin, Some(p)) => AuditScope::Provider(p),
            _ => AuditScope::None,
        }
    }

    /// Registering a new provider organisation: platform admins only.
    pub fn create_provider(&self) -> Access {
        match self.role {
            Role::PlatformAdmin => Access::Allowed,
            _ => Access::Forbidden,
        }
    }

    /// Creating, reading or changing the account of a user with `target_role` in
    /// `target_provider`. An org admin manages its own provider's users only, and never makes
    /// a platform admin.
    pub fn manage_user(&self, target_provider: Option<&str>, target_role: Role) -> Access {
        match self.role {
            Role::PlatformAdmin => Access::Allowed,
            Role::OrgAdmin if target_role == Role::PlatformAdmin => Access::Forbidden,
            _ if target_provider.is_none_or(|p| !self.belongs_to(p)) => Access::Hidden,
            Role::OrgAdmin => Access::Allowed,
            _ => Access::Forbidden,
        }
    }

    /// Whether this actor manages anyone's account at all: asked before an account is looked
    /// up, so that a role managing none gets the same refusal for a real id as for an unknown
    /// one and cannot tell which ids exist.
    pub fn manages_users(&self) -> Access {
        match self.role {
            Role::PlatformAdmin | Role::OrgAdmin => Access::Allowed,
            _ => Access::Forbidden,
        }
    }

    /// Which users this actor may list: all, one provider's, or none.
    pub fn user_list_scope(&self) -> UserListScope<'a> {
        match (self.role, self.provider_id) {
            (Role::PlatformAdmin, _) => UserListScope::All,
            (Role::OrgAdmin, Some(p)) => UserListScope::Provider(p),
            _ => UserListScope::None,
        }
    }
}

/// Whose audit events an actor reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditScope<'a> {
    All,
    Provider(&'a str),
    None,
}

/// Whose webhook subscriptions an actor manages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebhookScope<'a> {
    /// An API client, with its own token: its own.
    Client(&'a str),
    /// An org admin: those of every API client of its provider.
    Provider(&'a str),
    None,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserListScope<'a> {
    All,
    Provider(&'a str),
    None,
}

/// Changes an admin may not make to their own account, so that nobody locks themselves (or
/// their organisation) out by accident: deactivating it or changing its role.
pub fn own_account_change(changes_role: bool, deactivates: bool) -> Result<(), &'static str> {
    if changes_role || deactivates {
        Err("you cannot change the role of, or deactivate, your own account; ask another admin")
    } else {
        Ok(())
    }
}

/// Whether an account with `role` must belong to a provider. Everyone but a platform admin
/// works for, refers to or is a client of one organisation; a platform admin belongs to none.
pub fn role_needs_provider(role: Role) -> bool {
    role != Role::PlatformAdmin
}

#[cfg(test)]
mod tests {
    use super::*;

    const CL: &str = "cl";
    const FA: &str = "fa";

    fn actor(role: Role, provider: &str) -> Actor<'_> {
        Actor {
            role,
            provider_id: Some(provider),
        }
    }

    const PLATFORM: Actor<'static> = Actor {
        role: Role::PlatformAdmin,
        provider_id: None,
    };

    #[test]
    fn clients_manage_their_own_webhooks_and_org_admins_their_providers_clients() {
        let referrer = actor(Role::Referrer, CL);
        assert_eq!(referrer.webhooks(Some("c1")), WebhookScope::Client("c1"));
        assert_eq!(referrer.webhooks(None), WebhookScope::None);
        assert_eq!(
            actor(Role::OrgAdmin, CL).webhooks(None),
            WebhookScope::Provider(CL)
        );
        assert_eq!(
            actor(Role::Coordinator, CL).webhooks(None),
            WebhookScope::None
        );
        assert_eq!(PLATFORM.webhooks(None), WebhookScope::None);
    }

    #[test]
    fn platform_admins_read_every_audit_event_and_org_admins_their_own_organisations() {
        assert_eq!(PLATFORM.audit_trail(), AuditScope::All);
        assert_eq!(
            actor(Role::OrgAdmin, FA).audit_trail(),
            AuditScope::Provider(FA)
        );
        for role in [
            Role::Coordinator,
            Role::Supervisor,
            Role::Finance,
            Role::Referrer,
        ] {
            assert_eq!(actor(role, FA).audit_trail(), AuditScope::None, "{role:?}");
        }
    }

    #[test]
    fn only_org_admins_manage_their_own_providers_api_clients() {
        assert_eq!(actor(Role::OrgAdmin, CL).api_clients(), Some(CL));
        assert_eq!(PLATFORM.api_clients(), None);
        for role in [
            Role::Coordinator,
            Role::Supervisor,
            Role::Volunteer,
            Role::Finance,
            Role::Referrer,
            Role::Parent,
        ] {
            assert_eq!(actor(role, CL).api_clients(), None, "{role:?}");
        }
    }

    #[test]
    fn coordinators_and_org_admins_find_their_own_providers_staff_only() {
        assert_eq!(actor(Role::Coordinator, CL).staff_directory(), Some(CL));
        assert_eq!(actor(Role::OrgAdmin, FA).staff_directory(), Some(FA));
        for role in [
            Role::Supervisor,
            Role::Volunteer,
            Role::Finance,
            Role::Referrer,
            Role::Parent,
        ] {
            assert_eq!(actor(role, CL).staff_directory(), None, "{role:?}");
        }
        assert_eq!(PLATFORM.staff_directory(), None);
    }

    #[test]
    fn an_org_admin_writes_its_own_catalogue_only() {
        assert_eq!(
            actor(Role::OrgAdmin, CL).manage_catalogue(CL),
            Access::Allowed
        );
        assert_eq!(
            actor(Role::OrgAdmin, CL).manage_catalogue(FA),
            Access::Hidden
        );
    }

    #[test]
    fn other_staff_may_not_write_the_catalogue() {
        for role in [
            Role::Coordinator,
            Role::Supervisor,
            Role::Volunteer,
            Role::Finance,
            Role::Referrer,
            Role::Parent,
        ] {
            assert_eq!(
                actor(role, CL).manage_catalogue(CL),
                Access::Forbidden,
                "{role}"
            );
            assert_eq!(
                actor(role, CL).manage_catalogue(FA),
                Access::Hidden,
                "{role}"
            );
        }
    }

    #[test]
    fn a_platform_admin_may_do_anything() {
        assert_eq!(PLATFORM.manage_catalogue(FA), Access::Allowed);
        assert_eq!(PLATFORM.create_provider(), Access::Allowed);
        assert_eq!(
            PLATFORM.manage_user(None, Role::PlatformAdmin),
            Access::Allowed
        );
        assert_eq!(PLATFORM.user_list_scope(), UserListScope::All);
    }

    #[test]
    fn coordinators_and_org_admins_run_their_own_providers_cases() {
        assert_eq!(
            actor(Role::Coordinator, CL).manage_cases(CL),
            Access::Allowed
        );
        assert_eq!(actor(Role::OrgAdmin, CL).manage_cases(CL), Access::Allowed);
        assert_eq!(
            actor(Role::Volunteer, CL).manage_cases(CL),
            Access::Forbidden
        );
        assert_eq!(
            actor(Role::Coordinator, CL).manage_cases(FA),
            Access::Hidden
        );
        assert_eq!(PLATFORM.manage_cases(CL), Access::Hidden);
    }

    #[test]
    fn only_a_platform_admin_registers_providers() {
        assert_eq!(
            actor(Role::OrgAdmin, CL).create_provider(),
            Access::Forbidden
        );
    }

    #[test]
    fn an_org_admin_manages_its_own_providers_users_but_never_makes_a_platform_admin() {
        let admin = actor(Role::OrgAdmin, CL);
        assert_eq!(
            admin.manage_user(Some(CL), Role::Coordinator),
            Access::Allowed
        );
        assert_eq!(admin.manage_user(Some(CL), Role::OrgAdmin), Access::Allowed);
        assert_eq!(
            admin.manage_user(Some(CL), Role::PlatformAdmin),
            Access::Forbidden
        );
        assert_eq!(
            admin.manage_user(Some(FA), Role::Coordinator),
            Access::Hidden
        );
        assert_eq!(
            admin.manage_user(None, Role::PlatformAdmin),
            Access::Forbidden
        );
        assert_eq!(admin.user_list_scope(), UserListScope::Provider(CL));
    }

    #[test]
    fn a_coordinator_manages_no_accounts() {
        let c = actor(Role::Coordinator, CL);
        assert_eq!(c.manage_user(Some(CL), Role::Volunteer), Access::Forbidden);
        assert_eq!(c.user_list_scope(), UserListScope::None);
    }

    #[test]
    fn nobody_deactivates_or_demotes_themselves() {
        assert!(own_account_change(true, false).is_err());
        assert!(own_account_change(false, true).is_err());
        assert!(own_account_change(false, false).is_ok());
    }

    #[test]
    fn everyone_but_a_platform_admin_belongs_to_a_provider() {
        assert!(!role_needs_provider(Role::PlatformAdmin));
        assert!(Role::ALL
            .iter()
            .filter(|r| **r != Role::PlatformAdmin)
            .all(|r| role_needs_provider(*r)));
    }

    #[test]
    fn only_admins_manage_accounts_whoever_the_account_is() {
        for role in [Role::PlatformAdmin, Role::OrgAdmin] {
            let actor = Actor {
                role,
                provider_id: Some("p"),
            };
            assert_eq!(actor.manages_users(), Access::Allowed, "{role:?}");
        }
        for role in [
            Role::Coordinator,
            Role::Supervisor,
            Role::Volunteer,
            Role::Finance,
            Role::Referrer,
            Role::Parent,
        ] {
            let actor = Actor {
                role,
                provider_id: Some("p"),
            };
            assert_eq!(actor.manages_users(), Access::Forbidden, "{role:?}");
        }
    }
}
