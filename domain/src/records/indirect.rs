//! Indirect (letterbox) contact: items passed between the parents through the centre. Each
//! item is received, checked and read, then approved or withheld (with a reason); an approved
//! item is sent only once its fee is paid, by the postage its kind needs; a withheld one is
//! returned to its sender or escalated.

use crate::money::Money;
use crate::referral::lifecycle::ReferralStatus;
use crate::referral::PartyRole;
use crate::tariff::Tariff;

string_enum! {
    /// What came in.
    ItemKind {
        Letter = "letter",
        Card = "card",
        Email = "email",
        Photo = "photo",
        Gift = "gift",
    }
}

string_enum! {
    /// How an item goes on: `first_class` post for standard letters and cards (and photos in an
    /// envelope), `tracked_signed` (registered or tracked, signed for) for larger or valuable
    /// items, `email` for an e-mail forwarded as one.
    Postage {
        FirstClass = "first_class",
        TrackedSigned = "tracked_signed",
        Email = "email",
    }
}

/// The postage an item needs: larger or valuable items go tracked and signed for.
pub fn postage_for(kind: ItemKind, large_or_valuable: bool) -> Postage {
    match kind {
        ItemKind::Email => Postage::Email,
        ItemKind::Gift => Postage::TrackedSigned,
        _ if large_or_valuable => Postage::TrackedSigned,
        _ => Postage::FirstClass,
    }
}

string_enum! {
    /// Where an item stands: `received` → `checked` (read by staff) → `approved` or `withheld`
    /// (with a reason) → approved items are `sent` (fee paid first) → `delivered` or `returned`
    /// (undeliverable); withheld items are `returned` to the sender or `escalated`.
    ItemStatus {
        Received = "received",
        Checked = "checked",
        Approved = "approved",
        Withheld = "withheld",
        Sent = "sent",
        Delivered = "delivered",
        Returned = "returned",
        Escalated = "escalated",
    }
}

/// What happens to an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemEvent {
    Check,
    Approve,
    Withhold,
    /// `fee_settled`: its per-item fee is paid, waived or not charged.
    Send {
        fee_settled: bool,
    },
    Deliver,
    Return,
    Escalate,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ItemError {
    #[error("an item that is {} cannot be {}", .from.as_str(), describe(.event))]
    Transition { from: ItemStatus, event: ItemEvent },
    /// The fee is paid before an item is sent.
    #[error("the item's fee must be paid before it is sent")]
    FeeUnpaid,
}

fn describe(event: &ItemEvent) -> &'static str {
    match event {
        ItemEvent::Check => "checked",
        ItemEvent::Approve => "approved",
        ItemEvent::Withhold => "withheld",
        ItemEvent::Send { .. } => "sent",
        ItemEvent::Deliver => "marked delivered",
        ItemEvent::Return => "returned",
        ItemEvent::Escalate => "escalated",
    }
}

/// The state after `event`, or why it cannot happen.
pub fn apply(from: ItemStatus, event: ItemEvent) -> Result<ItemStatus, ItemError> {
    use ItemStatus::*;
    match (from, event) {
        (Received, ItemEvent::Check) => Ok(Checked),
        (Checked, ItemEvent::Approve) => Ok(Approved),
        (Checked, ItemEvent::Withhold) => Ok(Withheld),
        (Approved, ItemEvent::Send { fee_settled: false }) => Err(ItemError::FeeUnpaid),
        (Approved, ItemEvent::Send { fee_settled: true }) => Ok(Sent),
        (Sent, ItemEvent::Deliver) => Ok(Delivered),
        (Sent | Withheld, ItemEvent::Return) => Ok(Returned),
        (Withheld, ItemEvent::Escalate) => Ok(Escalated),
        _ => Err(ItemError::Transition { from, event }),
    }
}

/// What can be done to an item in this state, as its endpoints are named.
pub fn allowed_actions(status: ItemStatus) -> &'static [&'static str] {
    match status {
        ItemStatus::Received => &["check"],
        ItemStatus::Checked => &["approve", "withhold"],
        ItemStatus::Approved => &["send"],
        ItemStatus::Withheld => &["return", "escalate"],
        ItemStatus::Sent => &["deliver", "return"],
        ItemStatus::Delivered | ItemStatus::Returned | ItemStatus::Escalated => &[],
    }
}

string_enum! {
    /// Which way an item goes: `to_child` from the non-resident parent (or the family member
    /// who has contact) to the child, through the household the child lives in; `from_child`
    /// from the child's household back to the non-resident parent.
    Direction {
        ToChild = "to_child",
        FromChild = "from_child",
    }
}

impl Direction {
    /// The side that sends the item, and so pays its fee.
    pub fn sender(self) -> PartyRole {
        match self {
            Direction::ToChild => PartyRole::NonResidentParent,
            Direction::FromChild => PartyRole::ResidentParent,
        }
    }

    /// The household the item is posted to: a child's post goes to the parent they live with.
    pub fn recipient(self) -> PartyRole {
        match self {
            Direction::ToChild => PartyRole::ResidentParent,
            Direction::FromChild => PartyRole::NonResidentParent,
        }
    }
}

/// Why a send is refused for how it goes.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PostageError {
    #[error("this item goes {}, not {}", .needed.as_str(), .given.as_str())]
    Wrong { needed: Postage, given: Postage },
    #[error("tracked post is sent with its tracking number")]
    TrackingMissing,
    #[error("only tracked post has a tracking number")]
    TrackingUnexpected,
}

/// The postage given for a send must be the one the item needs, and tracked post carries the
/// tracking number that proves it was signed for (and nothing else does, so the log never
/// shows a number nobody can trace).
pub fn check_postage(
    kind: ItemKind,
    large_or_valuable: bool,
    given: Postage,
    tracking_number: Option<&str>,
) -> Result<(), PostageError> {
    let needed = postage_for(kind, large_or_valuable);
    if given != needed {
        return Err(PostageError::Wrong { needed, given });
    }
    match (
        needed,
        tracking_number.map(str::trim).filter(|t| !t.is_empty()),
    ) {
        (Postage::TrackedSigned, None) => Err(PostageError::TrackingMissing),
        (Postage::TrackedSigned, Some(_)) | (_, None) => Ok(()),
        (_, Some(_)) => Err(PostageError::TrackingUnexpected),
    }
}

/// Items come in and go out only while contact is going on: not before the case is taken on
/// and the schedule agreed, nor while it is suspended (a safeguarding concern, non-payment)
/// or after it is closed.
pub fn forwards_items(status: ReferralStatus) -> bool {
    matches!(status, ReferralStatus::Active | ReferralStatus::ReviewDue)
}

/// The fee the sender pays for one item forwarded (CL: £6), raised when it is approved; none
/// where the tariff has no item fee or a funder pays for the case.
pub fn item_fee(tariff: Option<&Tariff>, funded: bool) -> Option<Money> {
    if funded {
        return None;
    }
    tariff?.item_fee.filter(|fee| *fee > Money::ZERO)
}

string_enum! {
    /// How often items are exchanged under the agreed schedule: `weekly`, `fortnightly`,
    /// `monthly`, or `occasions_only` (only at the named occasions, e.g. birthdays and
    /// Christmas). A regular schedule may name occasions too.
    Frequency {
        Weekly = "weekly",
        Fortnightly = "fortnightly",
        Monthly = "monthly",
        OccasionsOnly = "occasions_only",
    }
}

/// Why a schedule is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("a schedule of occasions only names at least one occasion")]
    NoOccasions,
}

pub fn check_schedule(frequency: Frequency, occasions: &[String]) -> Result<(), ScheduleError> {
    if frequency == Frequency::OccasionsOnly && occasions.iter().all(|o| o.trim().is_empty()) {
        return Err(ScheduleError::NoOccasions);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::ItemStatus::*;
    use super::*;

    #[test]
    fn an_approved_letter_goes_first_class_once_its_fee_is_paid() {
        let mut s = Received;
        s = apply(s, ItemEvent::Check).unwrap();
        s = apply(s, ItemEvent::Approve).unwrap();
        assert_eq!(
            apply(s, ItemEvent::Send { fee_settled: false }),
            Err(ItemError::FeeUnpaid)
        );
        s = apply(s, ItemEvent::Send { fee_settled: true }).unwrap();
        assert_eq!(apply(s, ItemEvent::Deliver), Ok(Delivered));
        assert_eq!(postage_for(ItemKind::Letter, false), Postage::FirstClass);
        assert_eq!(postage_for(ItemKind::Card, false), Postage::FirstClass);
    }

    #[test]
    fn a_withheld_gift_is_returned_or_escalated_never_sent() {
        let withheld = apply(
            apply(Received, ItemEvent::Check).unwrap(),
            ItemEvent::Withhold,
        )
        .unwrap();
        assert!(apply(withheld, ItemEvent::Send { fee_settled: true }).is_err());
        assert_eq!(apply(withheld, ItemEvent::Return), Ok(Returned));
        assert_eq!(apply(withheld, ItemEvent::Escalate), Ok(Escalated));
        assert_eq!(postage_for(ItemKind::Gift, false), Postage::TrackedSigned);
    }

    #[test]
    fn nothing_is_approved_unread_and_larger_or_valuable_items_go_tracked() {
        assert_eq!(
            apply(Received, ItemEvent::Approve).unwrap_err().to_string(),
            "an item that is received cannot be approved"
        );
        assert_eq!(postage_for(ItemKind::Letter, true), Postage::TrackedSigned);
        assert_eq!(postage_for(ItemKind::Email, true), Postage::Email);
        assert!(allowed_actions(Delivered).is_empty());
    }

    #[test]
    fn postage_must_be_the_one_the_item_needs_and_tracked_post_has_its_number() {
        assert_eq!(
            check_postage(ItemKind::Letter, false, Postage::FirstClass, None),
            Ok(())
        );
        assert_eq!(
            check_postage(ItemKind::Gift, false, Postage::FirstClass, None),
            Err(PostageError::Wrong {
                needed: Postage::TrackedSigned,
                given: Postage::FirstClass
            })
        );
        assert_eq!(
            check_postage(ItemKind::Gift, false, Postage::TrackedSigned, Some("  ")),
            Err(PostageError::TrackingMissing)
        );
        assert_eq!(
            check_postage(
                ItemKind::Card,
                true,
                Postage::TrackedSigned,
                Some("AB123456789GB")
            ),
            Ok(())
        );
        assert_eq!(
            check_postage(ItemKind::Letter, false, Postage::FirstClass, Some("AB1")),
            Err(PostageError::TrackingUnexpected)
        );
        assert_eq!(
            check_postage(ItemKind::Gift, false, Postage::FirstClass, None)
                .unwrap_err()
                .to_string(),
            "this item goes tracked_signed, not first_class"
        );
    }

    #[test]
    fn the_sender_pays_and_a_childs_post_goes_to_the_parent_they_live_with() {
        assert_eq!(Direction::ToChild.sender(), PartyRole::NonResidentParent);
        assert_eq!(Direction::ToChild.recipient(), PartyRole::ResidentParent);
        assert_eq!(Direction::FromChild.sender(), PartyRole::ResidentParent);
        assert_eq!(
            Direction::FromChild.recipient(),
            PartyRole::NonResidentParent
        );
    }

    #[test]
    fn items_pass_only_while_contact_is_going_on() {
        assert!(forwards_items(ReferralStatus::Active));
        assert!(forwards_items(ReferralStatus::ReviewDue));
        for s in [
            ReferralStatus::Screening,
            ReferralStatus::PreVisits,
            ReferralStatus::Suspended,
            ReferralStatus::Closed,
        ] {
            assert!(!forwards_items(s), "{s}");
        }
    }

    #[test]
    fn the_sender_pays_the_item_fee_unless_a_funder_pays_for_the_case() {
        let cl = crate::presets::cl_indirect();
        assert_eq!(item_fee(Some(&cl), false), Some(Money::pounds(6)));
        assert_eq!(item_fee(Some(&cl), true), None);
        assert_eq!(item_fee(None, false), None);
        let free = Tariff {
            item_fee: Some(Money::ZERO),
            ..cl
        };
        assert_eq!(item_fee(Some(&free), false), None);
    }

    #[test]
    fn a_schedule_of_occasions_names_them() {
        assert_eq!(check_schedule(Frequency::Monthly, &[]), Ok(()));
        assert_eq!(
            check_schedule(Frequency::OccasionsOnly, &[" ".into()]),
            Err(ScheduleError::NoOccasions)
        );
        assert_eq!(
            check_schedule(Frequency::OccasionsOnly, &["Cal's birthday".into()]),
            Ok(())
        );
    }
}
