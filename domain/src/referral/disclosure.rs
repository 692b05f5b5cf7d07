//! Who sees what of a case. Every referral response is a projection through these rules.
//!
//! Contact details (address, phones, e-mail) go only to staff who need them, never to the
//! other parent, and to a referrer only if that referrer supplied them. Risk and health data
//! (special category) go to the provider's staff who need them only. A parent sees their own
//! details, their children, and their own case's status: of the other parent, nothing.

use super::provenance::ContactParts;
use super::PartyRole;
use crate::Role;

/// How the caller relates to the case being shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Viewer {
    /// Staff of the case's provider.
    Staff(Role),
    /// The referrer account that made the referral.
    Referrer,
    /// A parent linked to one of the case's parties.
    Party(PartyRole),
}

/// Which parts of one party the viewer sees.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PartyFields {
    /// The party is listed at all (with its role).
    pub listed: bool,
    /// Names (and the person's id).
    pub identity: bool,
    pub date_of_birth: bool,
    /// Which of the address, phone and e-mail.
    pub contact: ContactParts,
    /// Interpreter and access needs (health data).
    pub needs: bool,
}

/// Which parts of the case the viewer sees.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CaseFields {
    /// Risk factors, the assessment and screening notes (special category).
    pub risk: bool,
    /// The court order's details.
    pub court: bool,
    /// Who referred, with their contact details.
    pub referrer: bool,
    /// Charges, payments and balances.
    pub ledger: bool,
    /// The record of transitions: who did what, when, why.
    pub history: bool,
    /// Where the case stands on the waiting list.
    pub waiting_list: bool,
}

const ALL: PartyFields = PartyFields {
    listed: true,
    identity: true,
    date_of_birth: true,
    contact: ContactParts::ALL,
    needs: true,
};
const NAMES: PartyFields = PartyFields {
    listed: true,
    identity: true,
    date_of_birth: false,
    contact: ContactParts::NONE,
    needs: false,
};

/// What `viewer` sees of the party in `role`. `supplied_by_viewer`: the contact fields the
/// viewer gave and nobody changed since (a referrer sees back only those).
pub fn party(viewer: Viewer, role: PartyRole, supplied_by_viewer: ContactParts) -> PartyFields {
    match viewer {
        Viewer::Staff(Role::OrgAdmin | Role::Coordinator) => ALL,
        // On the day a supervisor needs to know who needs an interpreter or a ramp, not where
        // anyone lives.
        Viewer::Staff(Role::Supervisor) => PartyFields {
            contact: ContactParts::NONE,
            ..ALL
        },
        // Finance bills the payer: names and contact, no health data.
        Viewer::Staff(Role::Finance) => PartyFields {
            needs: false,
            date_of_birth: false,
            ..ALL
        },
        Viewer::Staff(_) => NAMES,
        Viewer::Referrer => PartyFields {
            date_of_birth: role == PartyRole::Child,
            contact: if role == PartyRole::Child {
                ContactParts::NONE
            } else {
                supplied_by_viewer
            },
            ..NAMES
        },
        Viewer::Party(me) if me == role => ALL,
        Viewer::Party(_) if role == PartyRole::Child => PartyFields {
            date_of_birth: true,
            ..NAMES
        },
        Viewer::Party(me) if me.other_parent() == Some(role) => PartyFields::default(),
        Viewer::Party(_) => NAMES,
    }
}

/// What `viewer` sees of the case itself. `is_payer`: the viewer is the party who pays.
pub fn case(viewer: Viewer, is_payer: bool) -> CaseFields {
    match viewer {
        Viewer::Staff(Role::OrgAdmin | Role::Coordinator) => CaseFields {
            risk: true,
            court: true,
            referrer: true,
            ledger: true,
            history: true,
            waiting_list: true,
        },
        Viewer::Staff(Role::Supervisor) => CaseFields {
            risk: true,
            court: true,
            history: true,
            ..CaseFields::default()
        },
        Viewer::Staff(Role::Finance) => CaseFields {
            referrer: true,
            ledger: true,
            ..CaseFields::default()
        },
        Viewer::Staff(_) => CaseFields::default(),
        Viewer::Referrer => CaseFields {
            court: true,
            referrer: true,
            waiting_list: true,
            ..CaseFields::default()
        },
        Viewer::Party(_) => CaseFields {
            ledger: is_payer,
            waiting_list: true,
            ..CaseFields::default()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PartyRole::*;
    const NONE: ContactParts = ContactParts::NONE;
    const MINE: ContactParts = ContactParts::ALL;

    #[test]
    fn a_parent_sees_all_of_themselves_their_children_by_name_and_nothing_of_the_other_parent() {
        let me = Viewer::Party(NonResidentParent);
        assert_eq!(party(me, NonResidentParent, NONE), ALL);
        assert!(party(me, Child, NONE).identity && !party(me, Child, NONE).contact.any());
        assert_eq!(party(me, ResidentParent, NONE), PartyFields::default());
        let other = Viewer::Party(ResidentParent);
        assert_eq!(
            party(other, NonResidentParent, MINE),
            PartyFields::default()
        );
    }

    #[test]
    fn a_referrer_sees_back_only_the_contact_details_it_supplied() {
        assert!(party(Viewer::Referrer, ResidentParent, MINE).contact.any());
        assert!(!party(Viewer::Referrer, ResidentParent, NONE).contact.any());
        assert!(!party(Viewer::Referrer, ResidentParent, MINE).needs);
        let email = ContactParts {
            email: true,
            ..NONE
        };
        assert_eq!(
            party(Viewer::Referrer, ResidentParent, email).contact,
            email
        );
        assert!(!party(Viewer::Referrer, Child, MINE).contact.any());
        assert!(!case(Viewer::Referrer, false).risk);
    }

    #[test]
    fn risk_is_for_the_staff_who_need_it() {
        assert!(case(Viewer::Staff(Role::Coordinator), false).risk);
        assert!(case(Viewer::Staff(Role::Supervisor), false).risk);
        assert!(!case(Viewer::Staff(Role::Volunteer), false).risk);
        assert!(!case(Viewer::Staff(Role::Finance), false).risk);
        assert!(!case(Viewer::Party(NonResidentParent), true).risk);
    }

    #[test]
    fn a_volunteer_sees_names_only_and_a_supervisor_no_addresses() {
        assert_eq!(
            party(Viewer::Staff(Role::Volunteer), ResidentParent, NONE),
            NAMES
        );
        assert!(
            !party(Viewer::Staff(Role::Supervisor), ResidentParent, NONE)
                .contact
                .any()
        );
        assert!(party(Viewer::Staff(Role::Supervisor), ResidentParent, NONE).needs);
    }

    #[test]
    fn only_the_payer_sees_the_ledger_among_the_parents() {
        assert!(case(Viewer::Party(NonResidentParent), true).ledger);
        assert!(!case(Viewer::Party(ResidentParent), false).ledger);
        assert!(case(Viewer::Staff(Role::Finance), false).ledger);
    }
}
