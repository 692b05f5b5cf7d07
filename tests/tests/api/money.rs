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

fn pence(v: &Value) -> i64 {
    let s = v.as_str().unwrap_or_else(|| panic!("{v} is not money"));
    let (pounds, p) = s.split_once('.').unwrap();
    pounds.parse::<i64>().unwrap() * 100 + p.parse::<i64>().unwrap()
}

/// One payer's row of the ledger, after checking it adds up:
/// paid - refunded - credit = charged - waived - outstanding.
fn payer(ledger: &Value, who: &str) -> Value {
    let row = ledger["by_payer"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["payer"] == who)
        .unwrap_or_else(|| panic!("no {who} in {ledger}"))
        .clone();
    let f = |k: &str| pence(&row[k]);
    assert_eq!(
        f("paid") - f("refunded") - f("credit"),
        f("charged") - f("waived") - f("outstanding"),
        "{row}"
    );
    row
}

fn pay_charge(app: &TestApp, id: &str, charge_id: &Value) {
    app.post(&format!("/v1/referrals/{id}/payments"))
        .token(&app.token(FINANCE))
        .json(&json!({"charge_id": charge_id, "amount": "142.50", "method": "card"}))
        .ok(201);
}

#[test]
fn a_session_the_father_paid_for_and_the_mother_cancelled_leaves_him_credit_for_his_next() {
    let app = TestApp::with_demo();
    let (id, sessions) = booked(&app, 2);
    pay_charge(&app, &id, &sessions[0]["charge_id"]);
    let cancelled = cancel(&app, &sessions[0], "resident_parent");
    let l = ledger(&app, &id);
    // The mother owes the cancellation charge; the father owes nothing for that session and
    // holds what he paid as credit.
    let fee = charge(&l, &cancelled["cancellation"]["charge_id"]);
    assert_eq!(
        (fee["amount"].as_str(), fee["outstanding"].as_str()),
        (Some("142.50"), Some("142.50"))
    );
    assert_eq!(payer(&l, "resident_parent")["outstanding"], "142.50");
    assert_eq!(payer(&l, "resident_parent")["credit"], "0.00");
    let own = charge(&l, &sessions[0]["charge_id"]);
    assert_eq!(
        (own["outstanding"].as_str(), own["credited"].as_str()),
        (Some("0.00"), Some("142.50"))
    );
    let father = payer(&l, "non_resident_parent");
    assert_eq!(father["credit"], "142.50");
    assert_eq!(
        father["outstanding"], "142.50",
        "only the second session, not yet paid"
    );

    // On request, his credit settles the second session, which is then confirmed.
    let finance = app.token(FINANCE);
    let second = &sessions[1]["charge_id"];
    let before = app.snapshot();
    app.post(&format!("/v1/referrals/{id}/credits"))
        .token(&finance)
        .json(&json!({"charge_id": second, "amount": "142.51"}))
        .invalid("amount");
    app.post(&format!("/v1/referrals/{id}/credits"))
        .token(&finance)
        .json(&json!({"charge_id": fee["id"]}))
        .problem(409);
    assert_eq!(
        app.snapshot(),
        before,
        "the mother's charge is not his credit's"
    );
    let l = app
        .post(&format!("/v1/referrals/{id}/credits"))
        .token(&finance)
        .json(&json!({"charge_id": second}))
        .ok(201);
    let father = payer(&l, "non_resident_parent");
    assert_eq!(
        (father["credit"].as_str(), father["outstanding"].as_str()),
        (Some("0.00"), Some("0.00"))
    );
    assert_eq!(charge(&l, second)["credit_used"], "142.50");
    let s = app
        .get(&format!(
            "/v1/sessions/{}",
            sessions[1]["id"].as_str().unwrap()
        ))
        .token(&app.token(COORDINATOR))
        .send()
        .ok(200);
    assert_eq!(s["status"], "confirmed");
}

#[test]
fn credit_settles_the_fathers_next_booking_by_itself_or_is_refunded_leaving_nothing_owed() {
    let app = TestApp::with_demo();
    let (id, sessions) = booked(&app, 1);
    pay_charge(&app, &id, &sessions[0]["charge_id"]);
    cancel(&app, &sessions[0], "resident_parent");
    // Refunded: he has his money back and owes nothing again (not £142.50 as before).
    let finance = app.token(FINANCE);
    let refund = |amount: &str| {
        app.post(&format!("/v1/referrals/{id}/refunds"))
            .token(&finance)
            .json(&json!({"charge_id": sessions[0]["charge_id"], "amount": amount, "reason": "session cancelled by the other parent"}))
    };
    let before = app.snapshot();
    refund("142.51").invalid("amount");
    assert_eq!(app.snapshot(), before);
    let l = refund("100.00").ok(201);
    let father = payer(&l, "non_resident_parent");
    assert_eq!(
        (
            father["credit"].as_str(),
            father["refunded"].as_str(),
            father["outstanding"].as_str()
        ),
        (Some("42.50"), Some("100.00"), Some("0.00"))
    );
    assert_eq!(payer(&l, "resident_parent")["outstanding"], "142.50");

    // What is left settles his next booking as it is raised.
    let coordinator = app.token(COORDINATOR);
    let next = app
        .post(&format!("/v1/referrals/{id}/sessions"))
        .token(&coordinator)
        .json(
            &json!({"starts_at": "2027-04-10T09:00:00Z", "ends_at": "2027-04-10T10:30:00Z",
            "room_id": sessions[0]["room_id"], "supervisor_id": sessions[0]["supervisor_id"]}),
        )
        .ok(201);
    let l = ledger(&app, &id);
    assert_eq!(charge(&l, &next[0]["charge_id"])["outstanding"], "100.00");
    let father = payer(&l, "non_resident_parent");
    assert_eq!(
        (father["credit"].as_str(), father["outstanding"].as_str()),
        (Some("0.00"), Some("100.00"))
    );
    refund("1.00").problem(422);
}

#[test]
fn the_centre_a_series_cancellation_and_the_fathers_own_cancellation_leave_him_whole() {
    let app = TestApp::with_demo();
    let (id, sessions) = booked(&app, 3);
    for s in &sessions {
        pay_charge(&app, &id, &s["charge_id"]);
    }
    // The centre cancels: nobody is charged; what he paid is his credit.
    cancel(&app, &sessions[0], "centre");
    assert_eq!(
        payer(&ledger(&app, &id), "non_resident_parent")["credit"],
        "142.50"
    );
    // He cancels one himself: his payment for it settles his cancellation fee.
    let own = cancel(&app, &sessions[1], "non_resident_parent");
    let l = ledger(&app, &id);
    assert_eq!(
        charge(&l, &own["cancellation"]["charge_id"])["outstanding"],
        "0.00"
    );
    let father = payer(&l, "non_resident_parent");
    assert_eq!(
        (father["credit"].as_str(), father["outstanding"].as_str()),
        (Some("142.50"), Some("0.00"))
    );
    // The mother cancels the rest of the series.
    app.post(&format!(
        "/v1/series/{}/cancel",
        sessions[0]["series_id"].as_str().unwrap()
    ))
    .token(&app.token(COORDINATOR))
    .json(&json!({"cancelled_by": "resident_parent", "reason": "moving house"}))
    .ok(200);
    let l = ledger(&app, &id);
    let father = payer(&l, "non_resident_parent");
    assert_eq!(
        (father["credit"].as_str(), father["outstanding"].as_str()),
        (Some("285.00"), Some("0.00"))
    );
    assert_eq!(payer(&l, "resident_parent")["outstanding"], "142.50");
}

#[test]
fn closing_a_case_with_paid_sessions_ahead_leaves_the_payer_credit_to_refund() {
    let app = TestApp::with_demo();
    let (id, sessions) = booked(&app, 2);
    pay_charge(&app, &id, &sessions[0]["charge_id"]);
    let coordinator = app.token(COORDINATOR);
    act(
        &app,
        &coordinator,
        &id,
        "close",
        json!({"reason": "withdrawn"}),
    )
    .ok(200);
    let l = ledger(&app, &id);
    let father = payer(&l, "non_resident_parent");
    assert_eq!(
        (father["credit"].as_str(), father["outstanding"].as_str()),
        (Some("142.50"), Some("0.00"))
    );
    let l = app
        .post(&format!("/v1/referrals/{id}/refunds"))
        .token(&app.token(FINANCE))
        .json(&json!({"charge_id": sessions[0]["charge_id"], "amount": "142.50", "reason": "case closed"}))
        .ok(201);
    let father = payer(&l, "non_resident_parent");
    assert_eq!(
        (father["credit"].as_str(), father["outstanding"].as_str()),
        (Some("0.00"), Some("0.00"))
    );
}
