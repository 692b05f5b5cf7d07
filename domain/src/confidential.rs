//! Who may open confidential data, and on what terms (domain.md, "Sensitive data"). Contact
//! details (addresses, phones, e-mails) are confidential; risk, health, allegations, incidents
//! and safeguarding concerns are special-category data. Every read of either is audited; the
//! rules below say whose normal work includes it and who must give a reason first.

use crate::Role;

string_enum! {
    /// What an audit event records: a `write` (any change) or a `read` of confidential data.
    AuditKind {
        Write = "write",
        Read = "read",
    }
}

/// How a member of the provider's staff may open a family's contact details.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContactAccess {
    /// Part of their normal work: coordinators and org admins arrange contact with families.
    InView,
    /// Outside their normal view: allowed, but only with a recorded reason (a supervisor
    /// who must reach a parent, finance chasing a payment).
    WithReason,
    /// Never: volunteers work in the room, not with the families' details.
    Never,
}

pub fn contact_access(role: Role) -> ContactAccess {
    match role {
        Role::OrgAdmin | Role::Coordinator => ContactAccess::InView,
        Role::Supervisor | Role::Finance => ContactAccess::WithReason,
        Role::Volunteer | Role::PlatformAdmin | Role::Referrer | Role::Parent => {
            ContactAccess::Never
        }
    }
}

/// The longest reason kept with an out-of-view access.
pub const MAX_REASON: usize = 500;

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReasonError {
    #[error("opening these details is outside your normal view: give a reason")]
    Missing,
    #[error("a reason is at most 500 characters")]
    TooLong,
}

/// The reason a caller with `role` must give to open contact details, checked; `None` when
/// their role opens them in the normal course of work (a reason given anyway is kept).
pub fn reason_for_contact(role: Role, reason: Option<&str>) -> Result<Option<String>, ReasonError> {
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if reason.is_some_and(|r| r.chars().count() > MAX_REASON) {
        return Err(ReasonError::TooLong);
    }
    match (contact_access(role), reason) {
        (ContactAccess::WithReason, None) => Err(ReasonError::Missing),
        (_, reason) => Ok(reason.map(str::to_string)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinators_and_org_admins_open_contact_details_in_their_normal_work() {
        assert_eq!(contact_access(Role::Coordinator), ContactAccess::InView);
        assert_eq!(contact_access(Role::OrgAdmin), ContactAccess::InView);
        assert_eq!(reason_for_contact(Role::Coordinator, None), Ok(None));
    }

    #[test]
    fn supervisors_and_finance_must_give_a_reason() {
        for role in [Role::Supervisor, Role::Finance] {
            assert_eq!(contact_access(role), ContactAccess::WithReason);
            assert_eq!(reason_for_contact(role, None), Err(ReasonError::Missing));
            assert_eq!(
                reason_for_contact(role, Some("  ")),
                Err(ReasonError::Missing)
            );
            assert_eq!(
                reason_for_contact(role, Some(" Mum is late and not answering ")),
                Ok(Some("Mum is late and not answering".into()))
            );
        }
    }

    #[test]
    fn volunteers_never_open_contact_details() {
        assert_eq!(contact_access(Role::Volunteer), ContactAccess::Never);
    }

    #[test]
    fn a_reason_is_bounded() {
        let long = "x".repeat(MAX_REASON + 1);
        assert_eq!(
            reason_for_contact(Role::Supervisor, Some(&long)),
            Err(ReasonError::TooLong)
        );
    }
}
