//! Money follows who cancelled, also after payment: what a payer had paid for a session that
//! will not happen becomes a credit on their own account. And one vocabulary for money.

use ccm_tests::{json, TestApp};
use serde_json::Value;

use crate::sessions::{activate, new_case, room_id, user_id};
use crate::support::*;

/// An active CL supervised case with `count` weekly 90-minute sessions booked, £142.50 each.
fn booked(app: &TestApp, count: u32) -> (String, Vec<Value>) {
    let coordinator = app.token(COORDINATOR);
    let admin = app.token(CL_ADMIN);
    let centre = app.centre_id("CL Gravesend Supervised");
    let id = new_case(app, &coordinator, &centre, "supervised");
    let room = room_id(app, &centre, "Family Room 1");
    let supervisor = user_id(app, &admin, "supervisor@cl.example.org");
    activate(app, &coordinator, &id, json!({"outcome": "suitable"}));
    let series = json!({"first_date": "2027-03-20", "starts": "10:00", "minutes": 90, "every_weeks": 1, "count": count});
    let sessions = app
        .post(&format!("/v1/referrals/{id}/sessions"))
        .token(&coordinator)
        .json(&json!({"series": series, "room_id": room, "supervisor_id": supervisor}))
        .ok(201);
    (id, sessions.as_array().unwrap().clone())
}

fn ledger(app: &TestApp, id: &str) -> Value {
    app.get(&format!("/v1/referrals/{id}/ledger"))
        .token(&app.token(FINANCE))
        .send()
        .ok(200)
}

fn charge(ledger: &Value, id: &Value) -> Value {
    ledger["charges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| &c["id"] == id)
        .unwrap_or_else(|| panic!("no charge {id} in {ledger}"))
        .clone()
}

fn cancel(app: &TestApp, session: &Value, by: &str) -> Value {
    app.post(&format!(
        "/v1/sessions/{}/cancel",
        session["id"].as_str().unwrap()
    ))
    .token(&app.token(COORDINATOR))
    .json(&json!({"cancelled_by": by, "reason": "unwell"}))
    .ok(200)
}

#[test]
fn quotes_and_the_ledger_say_when_a_charge_is_due_and_who_pays_in_one_vocabulary() {
    let doc = serde_json::to_value(ccm_api::openapi::document()).unwrap();
    let schemas = &doc["components"]["schemas"];
    for view in ["ChargeView", "QuoteLineView"] {
        let field = |name: &str| schemas[view]["properties"][name]["$ref"].clone();
        assert_eq!(field("due"), "#/components/schemas/ChargeDue", "{view}");
        assert_eq!(field("payer"), "#/components/schemas/Payer", "{view}");
    }
    assert_eq!(
        schemas["ChargeDue"]["enum"],
        json!([
            "on_referral",
            "on_place_offered",
            "before_session",
            "before_sending",
            "on_cancellation"
        ])
    );

    let app = TestApp::with_demo();
    let (id, sessions) = booked(&app, 1);
    let centre = app.centre_id("CL Gravesend Supervised");
    let q = app
        .post("/v1/quotes")
        .json(&json!({"centre_id": centre, "service_type": "supervised", "sessions": 1, "hours_per_session": 1.5}))
        .ok(200);
    let line = q["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == "session")
        .unwrap()
        .clone();
    let cancelled = cancel(&app, &sessions[0], "resident_parent");
    let ledger = ledger(&app, &id);
    let session = charge(&ledger, &sessions[0]["charge_id"]);
    assert_eq!(
        (&session["due"], &session["payer"], &session["amount"]),
        (&line["due"], &line["payer"], &line["amount"])
    );
    assert_eq!(session["due"], "before_session");
    let fee = charge(&ledger, &cancelled["cancellation"]["charge_id"]);
    assert_eq!(
        (fee["due"].as_str(), fee["payer"].as_str()),
        (Some("on_cancellation"), Some("resident_parent"))
    );
}
