//! A well-formed body for each operation with an id, so that an access check is reached
//! rather than hidden behind a validation error (which would also answer alike).

use ccm_tests::json;
use serde_json::Value;

const SOME_ID: &str = "0193a2c4-1f00-7abc-8def-0123456789ac";
const AT: &str = "2027-06-05T10:00:00Z";

/// The body that would be accepted were the caller allowed, or `{}` when none is needed.
pub(super) fn well_formed(method: &str, pattern: &str) -> Value {
    let action = pattern.rsplit('/').next().unwrap_or_default();
    let collection = pattern.split('/').nth(2).unwrap_or_default();
    match (method, collection, action) {
        ("POST", "indirect-items", "check" | "escalate") => json!({"notes": "Read in full."}),
        ("POST", "indirect-items", "return" | "withhold") => json!({"reason": "Not suitable."}),
        ("POST", "indirect-items", "send") => json!({"postage": "first_class"}),
        ("POST", "reports", "amend") => json!({"reason": "A date was wrong."}),
        ("POST", "reports", "release") => json!({"recipients": ["cafcass"]}),
        ("POST", "reports", "request-changes") => json!({"notes": "Say who arrived first."}),
        ("POST", "safeguarding-concerns", "close") => json!({"outcome": "Resolved."}),
        ("POST", "safeguarding-concerns", "decide") => {
            json!({"decision": "monitor", "rationale": "Watch the next sessions."})
        }
        ("POST", "safeguarding-concerns", "refer") => {
            json!({"agency": "police", "contact": "PC Smith", "referred_at": AT})
        }
        ("POST", "series" | "sessions", "cancel") => {
            json!({"cancelled_by": "centre", "reason": "Room flooded."})
        }
        ("POST", "sessions", "check-in" | "check-out" | "no-show") => {
            json!({"party": "resident_parent"})
        }
        ("PATCH", "sessions", _) => json!({"scope": "one", "minutes": 90}),
        ("POST", "sessions", "end-early") => json!({"reason": "Child unwell."}),
        ("POST", "sessions", "incidents") => json!({"kind": "behaviour", "occurred_at": AT,
            "description": "Shouting.", "action_taken": "Calmed down."}),
        ("POST", "referrals", action) => referral_action(action),
        ("PUT", "referrals", "indirect-schedule") => json!({"kinds": ["letter"],
            "directions": ["to_child"], "frequency": "monthly"}),
        _ => json!({}),
    }
}

fn referral_action(action: &str) -> Value {
    match action {
        "assessment" => json!({"outcome": "suitable"}),
        "calendar-feeds" => json!({"party": "resident_parent"}),
        "close" => json!({"reason": "completed"}),
        "credits" => json!({"charge_id": SOME_ID}),
        "decline" | "legal-holds" => json!({"reason": "A reason."}),
        "disclosures" => {
            json!({"recipient": "court", "recipient_name": "Medway", "what": "Attendance."})
        }
        "indirect-items" => json!({"direction": "to_child", "kind": "letter",
            "from_whom": "Dad", "received_at": AT}),
        "keep-apart" => json!({"party": "resident_parent", "other_referral_id": SOME_ID,
            "other_party": "resident_parent", "reason": "Order."}),
        "next-steps-meeting" => {
            json!({"held_on": "2027-06-05", "attendees": "Both.", "outcome": "Go on."})
        }
        "payments" => json!({"charge_id": SOME_ID, "amount": "10.00", "method": "card"}),
        "pre-visits" => json!({"party": "resident_parent", "starts_at": AT,
            "ends_at": "2027-06-05T10:30:00Z"}),
        "priority" => json!({"priority": 1, "reason": "Urgent."}),
        "refunds" => json!({"charge_id": SOME_ID, "amount": "10.00", "reason": "Paid twice."}),
        "safeguarding-concerns" => json!({"child_id": SOME_ID, "concern": "A worry."}),
        "sessions" => json!({"starts_at": AT, "ends_at": "2027-06-05T12:00:00Z"}),
        "suspend" => json!({"reason": "other"}),
        "waivers" => json!({"charge_id": SOME_ID, "funder": "cafcass", "reason": "Funded."}),
        _ => json!({}),
    }
}
