//! Indirect (letterbox) contact: items passed between the parents through the centre. Each
//! item is received, checked and read, then approved or withheld (with a reason); an approved
//! item is sent only once its fee is paid, by the postage its kind needs; a withheld one is
//! returned to its sender or escalated.

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
}
