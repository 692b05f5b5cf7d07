//! What partners are told happened: a case, session, report, payment or letterbox item
//! reaching a new state. An event names the thing and its state, never what it says: a webhook
//! goes to another organisation's system, and confidential details stay with the centre.

use crate::records::indirect::ItemStatus;
use crate::records::report::ReportStatus;
use crate::referral::lifecycle::ReferralStatus;
use crate::schedule::lifecycle::SessionStatus;

string_enum! {
    /// The kinds of thing whose changes are published.
    EventKind {
        Referral = "referral",
        Session = "session",
        Report = "report",
        Payment = "payment",
        IndirectItem = "indirect_item",
    }
}

/// The states a payment event can report: money received, refunded, or a charge waived.
pub const PAYMENT_STATES: &[&str] = &["received", "refunded", "waived", "credited"];

/// The payment state of a ledger entry kind (`payment`, `refund`, `waiver`).
pub fn payment_state(entry_kind: &str) -> Option<&'static str> {
    match entry_kind {
        "payment" => Some("received"),
        "refund" => Some("refunded"),
        "waiver" => Some("waived"),
        // Paid money moved to the payer's credit; credit used or repaid is money received or
        // refunded as far as a subscriber is concerned.
        "credit" => Some("credited"),
        "credit_used" => Some("received"),
        "credit_refund" => Some("refunded"),
        _ => None,
    }
}

/// Every state a kind of thing can be in.
pub fn states(kind: EventKind) -> Vec<&'static str> {
    match kind {
        EventKind::Referral => ReferralStatus::ALL.iter().map(|s| s.as_str()).collect(),
        EventKind::Session => SessionStatus::ALL.iter().map(|s| s.as_str()).collect(),
        EventKind::Report => ReportStatus::ALL.iter().map(|s| s.as_str()).collect(),
        EventKind::Payment => PAYMENT_STATES.to_vec(),
        EventKind::IndirectItem => ItemStatus::ALL.iter().map(|s| s.as_str()).collect(),
    }
}

/// An event's type: `<kind>.<state>`, e.g. `session.confirmed`.
pub fn event_type(kind: EventKind, state: &str) -> String {
    format!("{}.{state}", kind.as_str())
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("unknown event kind `{0}`; expected one of: referral, session, report, payment, indirect_item")]
    Kind(String),
    #[error("`{kind}` has no state `{state}`; expected `*` or one of: {allowed}")]
    State {
        kind: String,
        state: String,
        allowed: String,
    },
    #[error("write `*`, `<kind>.*` or `<kind>.<state>`")]
    Shape,
}

/// Checks a subscription's filter: `*` (everything), `<kind>.*` (every state of one kind) or
/// `<kind>.<state>` (one transition).
pub fn check_filter(filter: &str) -> Result<(), FilterError> {
    if filter == "*" {
        return Ok(());
    }
    let (kind, state) = filter.split_once('.').ok_or(FilterError::Shape)?;
    let kind_parsed: EventKind = kind
        .parse()
        .map_err(|_| FilterError::Kind(kind.to_string()))?;
    let allowed = states(kind_parsed);
    if state == "*" || allowed.contains(&state) {
        Ok(())
    } else {
        Err(FilterError::State {
            kind: kind.to_string(),
            state: state.to_string(),
            allowed: allowed.join(", "),
        })
    }
}

/// Whether any of a subscription's filters selects `event_type`.
pub fn selected(filters: &[String], event_type: &str) -> bool {
    filters.iter().any(|f| {
        f == "*"
            || f == event_type
            || f.strip_suffix(".*").is_some_and(|kind| {
                event_type
                    .strip_prefix(kind)
                    .is_some_and(|rest| rest.starts_with('.'))
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filters(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn an_event_is_named_by_kind_and_state() {
        assert_eq!(
            event_type(EventKind::Session, "confirmed"),
            "session.confirmed"
        );
        assert_eq!(
            event_type(EventKind::IndirectItem, "sent"),
            "indirect_item.sent"
        );
    }

    #[test]
    fn filters_are_everything_a_kind_or_one_state() {
        assert_eq!(check_filter("*"), Ok(()));
        assert_eq!(check_filter("referral.*"), Ok(()));
        assert_eq!(check_filter("report.released"), Ok(()));
        assert_eq!(check_filter("payment.received"), Ok(()));
        assert_eq!(check_filter("referral"), Err(FilterError::Shape));
        assert_eq!(
            check_filter("invoice.*"),
            Err(FilterError::Kind("invoice".into()))
        );
        assert!(matches!(
            check_filter("report.published"),
            Err(FilterError::State { .. })
        ));
    }

    #[test]
    fn a_kind_wildcard_selects_that_kind_only() {
        let f = filters(&["referral.*", "report.released"]);
        assert!(selected(&f, "referral.accepted"));
        assert!(selected(&f, "report.released"));
        assert!(!selected(&f, "report.draft"));
        assert!(!selected(&f, "session.confirmed"));
        // A kind that begins with another's name is not selected by it.
        assert!(!selected(&filters(&["report.*"]), "reporting.x"));
        assert!(selected(&filters(&["*"]), "payment.waived"));
    }

    #[test]
    fn ledger_entries_become_payment_states() {
        assert_eq!(payment_state("payment"), Some("received"));
        assert_eq!(payment_state("refund"), Some("refunded"));
        assert_eq!(payment_state("waiver"), Some("waived"));
        assert_eq!(payment_state("charge"), None);
    }
}
