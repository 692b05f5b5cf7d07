//! A case's payments ledger: what is refused, and how part payments, refunds and waivers add up.

use ccm_tests::{json, TestApp};
use serde_json::Value;

use crate::support::*;

#[test]
fn money_is_refused_when_zero_negative_too_much_or_a_non_refundable_refund() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let finance = app.token(FINANCE);
    let dover = app.centre_id("CL Dover");
    let id = app
        .post("/v1/referrals")
        .token(&coordinator)
        .json(&referral(&dover, "supported"))
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let charge = charge_id(&app, &finance, &id, "referral_fee");
    let volunteer = app.token("volunteer@cl.example.org");
    let before = app.snapshot();
    let pay = |amount: Value| {
        app.post(&format!("/v1/referrals/{id}/payments"))
            .token(&finance)
            .json(&json!({"charge_id": charge, "amount": amount, "method": "cash"}))
    };
    pay(json!("0.00")).invalid("amount");
    pay(json!("-5.00")).invalid("amount");
    pay(json!("30.01")).invalid("amount");
    app.post(&format!("/v1/referrals/{id}/payments"))
        .token(&finance)
        .json(&json!({"charge_id": charge, "amount": "30.00", "method": "cash", "payer": "neighbour"}))
        .invalid("payer");
    pay(json!(30)).invalid("amount");
    app.post(&format!("/v1/referrals/{id}/payments"))
        .token(&volunteer)
        .json(&json!({"charge_id": charge, "amount": "30.00", "method": "cash"}))
        .problem(403);
    assert_eq!(app.snapshot(), before);
    // Part payments add up; the fee gate opens when nothing is owed.
    pay(json!("10.00")).ok(201);
    assert_eq!(status(&app, &coordinator, &id), "awaiting_referral_fee");
    let ledger = app
        .post(&format!("/v1/referrals/{id}/payments"))
        .token(&finance)
        .json(&json!({"charge_id": charge, "amount": "20.00", "method": "card", "payer": "other", "reference": "GRAN-1"}))
        .ok(201);
    assert_eq!(ledger["outstanding"], "0.00");
    assert_eq!(ledger["charges"][0]["paid"], "30.00");
    let payers: Vec<(&str, &str)> = ledger["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["amount"].as_str().unwrap(), e["payer"].as_str().unwrap()))
        .collect();
    assert_eq!(
        payers,
        [("10.00", "non_resident_parent"), ("20.00", "other")],
        "left out, the payer is the charge's"
    );
    assert_eq!(status(&app, &coordinator, &id), "screening");
    let before = app.snapshot();
    let body = app
        .post(&format!("/v1/referrals/{id}/refunds"))
        .token(&finance)
        .json(&json!({"charge_id": charge, "amount": "30.00", "reason": "changed mind"}))
        .problem(409);
    assert_eq!(body["type"], "urn:ccm:problem:not-refundable");
    assert_eq!(app.snapshot(), before);
}

#[test]
fn a_refundable_balance_can_be_refunded_up_to_what_was_paid_and_a_funder_can_waive_it() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let admin = app.token(CL_ADMIN);
    let dover = app.centre_id("CL Dover");
    set_places(&app, &admin, &dover, "supported", json!(8));
    let id = app
        .post("/v1/referrals")
        .token(&coordinator)
        .json(&referral(&dover, "supported"))
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    pay(&app, &coordinator, &id, "referral_fee", "30.00");
    assess(&app, &coordinator, &id, json!({"outcome": "suitable"}));
    assert_eq!(
        act(&app, &coordinator, &id, "accept", json!({})).ok(200)["status"],
        "place_offered",
        "a free place is offered at once"
    );
    let ledger = pay(&app, &coordinator, &id, "balance", "50.00");
    let balance = ledger["charges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "balance")
        .unwrap()["id"]
        .clone();
    let refund = |amount: &str| {
        app.post(&format!("/v1/referrals/{id}/refunds"))
            .token(&coordinator)
            .json(&json!({"charge_id": balance, "amount": amount, "reason": "overpaid"}))
    };
    refund("50.01").invalid("amount");
    let after = refund("20.00").ok(201);
    let b = after["charges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "balance")
        .unwrap();
    assert_eq!(
        (
            b["paid"].as_str(),
            b["refunded"].as_str(),
            b["outstanding"].as_str()
        ),
        (Some("50.00"), Some("20.00"), Some("80.00"))
    );
    let waived = app
        .post(&format!("/v1/referrals/{id}/waivers"))
        .token(&coordinator)
        .json(&json!({"charge_id": balance, "funder": "local_authority", "reason": "LA pays"}))
        .ok(201);
    assert_eq!(waived["outstanding"], "0.00");
    // Balances per payer add up to the case's totals.
    let by_payer = waived["by_payer"].as_array().unwrap();
    assert_eq!(by_payer.len(), 1);
    let nrp = &by_payer[0];
    assert_eq!(
        (
            nrp["payer"].as_str(),
            nrp["charged"].as_str(),
            nrp["paid"].as_str(),
            nrp["refunded"].as_str(),
            nrp["waived"].as_str(),
            nrp["outstanding"].as_str()
        ),
        (
            Some("non_resident_parent"),
            Some("140.00"),
            Some("80.00"),
            Some("20.00"),
            Some("80.00"),
            Some("0.00")
        )
    );
    // Accepting now goes straight to the pre-visits: nothing is owed.
    assert_eq!(
        act(&app, &coordinator, &id, "accept-offer", json!({})).ok(200)["status"],
        "pre_visits"
    );
}
