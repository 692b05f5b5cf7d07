//! Subject access requests (UK GDPR, article 15): a person asks the provider for everything it
//! holds on them. The provider is the data controller, so its org admins and coordinators
//! produce the export and hand it over; the rules below say who may, and what of *other*
//! people an export shows, since a parent must never learn the other's details from one.

use crate::access::{Access, Actor};
use crate::records::indirect::Direction;
use crate::referral::PartyRole;
use crate::Role;

/// Whether `actor` may export everything held on a person of `provider_id`. `own_record`:
/// the person is the caller's own (a parent linked to it), who asks the centre instead.
///
/// The provider's org admins and coordinators may; its other staff are refused (403); a
/// parent asking for their own is refused (403, with where to ask); anyone else (another
/// provider, a platform admin, a referrer, another parent) is not told the person exists.
pub fn may_export(actor: Actor<'_>, provider_id: &str, own_record: bool) -> Access {
    if actor.provider_id != Some(provider_id) {
        return Access::Hidden;
    }
    match actor.role {
        Role::OrgAdmin | Role::Coordinator => Access::Allowed,
        role if role.is_provider_staff() => Access::Forbidden,
        _ if own_record => Access::Forbidden,
        _ => Access::Hidden,
    }
}

/// Whether an export about someone in `subject`'s role names the party in `other`'s role (by
/// given name) rather than by role only: a parent's export names the case's children, who are
/// theirs; nobody else is named, and nobody's contact details appear but the subject's own.
pub fn names_other(subject: PartyRole, other: PartyRole) -> bool {
    subject.is_parent() && other == PartyRole::Child
}

/// Whose arrival and departure times an export shows: a parent's own, and nobody's for a
/// child or an attendee (the times are each parent's; a child's export is often asked for
/// by one parent).
pub fn own_times(subject: PartyRole) -> Option<PartyRole> {
    subject.is_parent().then_some(subject)
}

/// Whether the subject is the payer named on a charge (`non_resident_parent`, ...).
pub fn pays(subject: PartyRole, payer: &str) -> bool {
    subject.is_parent() && payer == subject.as_str()
}

string_enum! {
    /// The subject's side of a letterbox item.
    LetterboxSide {
        /// They sent it (or, for a child, replied with it).
        Sent = "sent",
        /// It was sent to them (or to the household of the child it was for).
        Received = "received",
    }
}

/// The subject's side of an item going `direction`; `None` if it is not theirs.
pub fn letterbox_side(subject: PartyRole, direction: Direction) -> Option<LetterboxSide> {
    match subject {
        PartyRole::Child => Some(match direction {
            Direction::ToChild => LetterboxSide::Received,
            Direction::FromChild => LetterboxSide::Sent,
        }),
        role if direction.sender() == role => Some(LetterboxSide::Sent),
        role if direction.recipient() == role => Some(LetterboxSide::Received),
        _ => None,
    }
}

/// Whether safeguarding concerns are listed (status and dates only): for a child subject,
/// about that child.
pub fn lists_concerns(subject: PartyRole) -> bool {
    subject == PartyRole::Child
}

/// What every export says it deliberately leaves out, and why.
pub const NOTES: &[&str] = &[
    "Other people's personal data is left out: the other parties of a case are shown by role only, \
     except that a parent's export gives the given names of the case's children; nobody's contact \
     details appear but the subject's own.",
    "Arrival and departure times are the subject's own only (parents); a child's or attendee's \
     export shows the sessions without anyone's times.",
    "The case's risk assessment, screening notes, court order details, referrer's details, \
     internal history and the reasons staff recorded are withheld: they are about several \
     people at once or are staff's internal records; staff review them separately under the \
     UK GDPR / Data Protection Act 2018 exemptions before any release.",
    "Safeguarding concerns about a child are listed by status and dates only, not their text, \
     decisions or agencies: that may be withheld where disclosure would be likely to cause \
     serious harm; staff decide case by case.",
    "Supervised reports appear only as released to the subject, exactly as released; drafts and \
     quality-check notes are not included.",
    "Letterbox items are listed as metadata (kind, direction, dates, status), not their contents, \
     descriptions or check notes, and never with an address.",
    "Documents filed on a case are listed as metadata only (kind, file name, size, uploaded at); \
     their contents may hold other people's data and are reviewed before any copy is given.",
    "Charges are listed where the subject is the named payer, with their payments, refunds and \
     waivers.",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, provider: &str) -> Actor<'_> {
        Actor {
            role,
            provider_id: Some(provider),
        }
    }

    #[test]
    fn the_providers_org_admins_and_coordinators_answer_a_subject_access_request() {
        for role in [Role::OrgAdmin, Role::Coordinator] {
            assert_eq!(may_export(actor(role, "cl"), "cl", false), Access::Allowed);
        }
    }

    #[test]
    fn the_providers_other_staff_are_refused() {
        for role in [Role::Supervisor, Role::Volunteer, Role::Finance] {
            assert_eq!(
                may_export(actor(role, "cl"), "cl", false),
                Access::Forbidden
            );
        }
    }

    #[test]
    fn nobody_outside_the_provider_learns_the_person_exists() {
        for role in Role::ALL {
            assert_eq!(may_export(actor(*role, "fa"), "cl", false), Access::Hidden);
        }
        let platform = Actor {
            role: Role::PlatformAdmin,
            provider_id: None,
        };
        assert_eq!(may_export(platform, "cl", false), Access::Hidden);
        assert_eq!(
            may_export(actor(Role::Referrer, "cl"), "cl", false),
            Access::Hidden
        );
        assert_eq!(
            may_export(actor(Role::Parent, "cl"), "cl", false),
            Access::Hidden
        );
    }

    #[test]
    fn a_parent_asking_for_their_own_is_told_to_ask_the_centre() {
        assert_eq!(
            may_export(actor(Role::Parent, "cl"), "cl", true),
            Access::Forbidden
        );
    }

    #[test]
    fn a_parents_export_names_their_children_and_nobody_else() {
        use PartyRole::*;
        for parent in [ResidentParent, NonResidentParent] {
            assert!(names_other(parent, Child));
            for other in [ResidentParent, NonResidentParent, Attendee] {
                assert!(!names_other(parent, other));
            }
        }
        for subject in [Child, Attendee] {
            for other in PartyRole::ALL {
                assert!(!names_other(subject, *other));
            }
        }
    }

    #[test]
    fn only_a_parents_own_times_and_charges_are_theirs() {
        use PartyRole::*;
        assert_eq!(own_times(ResidentParent), Some(ResidentParent));
        assert_eq!(own_times(NonResidentParent), Some(NonResidentParent));
        assert_eq!(own_times(Child), None);
        assert_eq!(own_times(Attendee), None);
        assert!(pays(NonResidentParent, "non_resident_parent"));
        assert!(!pays(ResidentParent, "non_resident_parent"));
        assert!(!pays(Child, "child"));
        assert!(!pays(NonResidentParent, "funder"));
    }

    #[test]
    fn each_side_of_the_letterbox_sees_what_it_sent_and_received() {
        use LetterboxSide::*;
        use PartyRole::*;
        assert_eq!(
            letterbox_side(NonResidentParent, Direction::ToChild),
            Some(Sent)
        );
        assert_eq!(
            letterbox_side(NonResidentParent, Direction::FromChild),
            Some(Received)
        );
        assert_eq!(
            letterbox_side(ResidentParent, Direction::ToChild),
            Some(Received)
        );
        assert_eq!(
            letterbox_side(ResidentParent, Direction::FromChild),
            Some(Sent)
        );
        assert_eq!(letterbox_side(Child, Direction::ToChild), Some(Received));
        assert_eq!(letterbox_side(Child, Direction::FromChild), Some(Sent));
        assert_eq!(letterbox_side(Attendee, Direction::ToChild), None);
    }

    #[test]
    fn concerns_are_listed_for_a_child_only() {
        assert!(lists_concerns(PartyRole::Child));
        assert!(!lists_concerns(PartyRole::ResidentParent));
    }
}
