//! A referral is a case: it arrives, is screened, waits for a place, runs, and closes. The
//! rules of that life are here; storage and HTTP only record and carry them.

pub mod casework;
pub mod disclosure;
pub mod eligibility;
pub mod intake;
pub mod ledger;
pub mod lifecycle;
pub mod pre_visit;
pub mod provenance;
pub mod readiness;
pub mod referring;
pub mod waitlist;

string_enum! {
    /// A person's place in a case.
    PartyRole {
        /// The parent or carer the child lives with.
        ResidentParent = "resident_parent",
        /// The parent (or other family member) who has contact.
        NonResidentParent = "non_resident_parent",
        Child = "child",
        /// Someone else named to attend (a grandparent, a sibling over 18).
        Attendee = "attendee",
    }
}

impl PartyRole {
    /// The two adults who must never meet and never learn each other's details.
    pub fn is_parent(self) -> bool {
        matches!(
            self,
            PartyRole::ResidentParent | PartyRole::NonResidentParent
        )
    }

    /// The other parent, for a parent.
    pub fn other_parent(self) -> Option<PartyRole> {
        match self {
            PartyRole::ResidentParent => Some(PartyRole::NonResidentParent),
            PartyRole::NonResidentParent => Some(PartyRole::ResidentParent),
            _ => None,
        }
    }
}
