//! Fee quotes through the API, reproducing every figure in domain.md with the demo tariffs.

use ccm_tests::{json, TestApp};
use serde_json::Value;

fn quote(app: &TestApp, body: Value) -> Value {
    app.post("/v1/quotes").json(&body).ok(200)
}

/// (kind, amount, due, refundable) of each line.
fn lines(q: &Value) -> Vec<(String, String, String, bool)> {
    q["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["kind"].as_str().unwrap().to_string(),
                l["amount"].as_str().unwrap().to_string(),
                l["due"].as_str().unwrap().to_string(),
                l["refundable"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn line(kind: &str, amount: &str, due: &str, refundable: bool) -> (String, String, String, bool) {
    (kind.into(), amount.into(), due.into(), refundable)
}

#[test]
fn a_parent_without_an_account_finds_cl_supported_costs_140_pounds_in_two_parts() {
    let app = TestApp::with_demo();
    let centre = app.centre_id("CL Dover");
    let q = quote(
        &app,
        json!({"centre_id": centre, "service_type": "supported", "sessions": 12}),
    );
    assert_eq!(
        lines(&q),
        [
            line("referral_fee", "30.00", "on_referral", false),
            line("balance", "110.00", "on_place_offered", true),
        ]
    );
    assert_eq!(q["total"], "140.00");
    assert_eq!(q["currency"], "GBP");
    assert_eq!(q["lines"][0]["payer"], "non_resident_parent");
}

#[test]
fn cl_supervised_is_130_pounds_processing_and_95_pounds_an_hour_before_each_session() {
    let app = TestApp::with_demo();
    let centre = app.centre_id("CL Chatham Supervised");
    let q = quote(
        &app,
        json!({"centre_id": centre, "service_type": "supervised", "sessions": 6, "hours_per_session": 2}),
    );
    assert_eq!(
        lines(&q),
        [
            line("referral_fee", "30.00", "on_referral", false),
            line("balance", "100.00", "on_place_offered", false),
            line("session", "1140.00", "before_session", false),
        ]
    );
    assert_eq!(q["lines"][2]["unit_amount"], "190.00");
    assert_eq!(q["lines"][2]["quantity"], 6);
    assert_eq!(q["total"], "1270.00");
}

#[test]
fn cancelling_a_two_hour_supervised_session_costs_the_cancelling_parent_190_pounds() {
    let app = TestApp::with_demo();
    let centre = app.centre_id("CL Gravesend Supervised");
    let q = quote(
        &app,
        json!({"centre_id": centre, "service_type": "supervised", "sessions": 1, "hours_per_session": 2}),
    );
    assert_eq!(q["cancellation"]["charge"], "190.00");
    assert_eq!(q["cancellation"]["payer"], "cancelling_parent");
}

#[test]
fn the_session_length_defaults_to_the_centres_and_can_be_a_quarter_hour_multiple() {
    let app = TestApp::with_demo();
    let centre = app.centre_id("CL Chatham Supervised");
    let q = quote(
        &app,
        json!({"centre_id": centre, "service_type": "supervised", "sessions": 1}),
    );
    assert_eq!(q["hours_per_session"], 2.0);
    let q = quote(
        &app,
        json!({"centre_id": centre, "service_type": "supervised", "sessions": 1, "hours_per_session": 1.5}),
    );
    assert_eq!(q["lines"][2]["amount"], "142.50");
    let r = app.post("/v1/quotes").json(
        &json!({"centre_id": centre, "service_type": "supervised", "hours_per_session": 1.1}),
    );
    r.invalid("hours_per_session");
}

#[test]
fn cl_handover_is_55_pounds_and_16_a_session() {
    let app = TestApp::with_demo();
    let centre = app.centre_id("CL Ashford");
    let q = quote(
        &app,
        json!({"centre_id": centre, "service_type": "handover", "sessions": 10}),
    );
    assert_eq!(
        lines(&q),
        [
            line("referral_fee", "55.00", "on_referral", false),
            line("session", "160.00", "before_session", false),
        ]
    );
    assert_eq!(q["total"], "215.00");
}

#[test]
fn cl_indirect_is_35_pounds_and_6_an_item_before_sending() {
    let app = TestApp::with_demo();
    let centre = app.centre_id("CL Chatham Supervised");
    let q = quote(
        &app,
        json!({"centre_id": centre, "service_type": "indirect", "items": 4, "referrer": "solicitor"}),
    );
    assert_eq!(
        lines(&q),
        [
            line("referral_fee", "35.00", "on_referral", false),
            line("item", "24.00", "before_sending", false),
        ]
    );
    assert_eq!(q["total"], "59.00");
}

#[test]
fn fa_supported_is_180_pounds_for_six_sessions_only_where_offered() {
    let app = TestApp::with_demo();
    let barnsley = app.centre_id("FA Barnsley");
    let q = quote(
        &app,
        json!({"centre_id": barnsley, "service_type": "supported", "sessions": 6}),
    );
    assert_eq!(
        lines(&q),
        [line("balance", "180.00", "on_place_offered", false)]
    );
    assert_eq!(q["total"], "180.00");

    let rotherham = app.centre_id("FA Rotherham");
    let r = app
        .post("/v1/quotes")
        .json(&json!({"centre_id": rotherham, "service_type": "supported", "sessions": 6}));
    let body = r.problem(422);
    assert_eq!(body["type"], "urn:ccm:problem:service-not-offered");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("does not offer supported"),
        "{body}"
    );
}

#[test]
fn fa_supervised_referred_by_cafcass_under_a_court_order_is_free_to_the_family() {
    let app = TestApp::with_demo();
    let centre = app.centre_id("FA Rotherham");
    let q = quote(
        &app,
        json!({"centre_id": centre, "service_type": "supervised", "referrer": "cafcass", "court_ordered": true, "sessions": 6}),
    );
    assert_eq!(q["total"], "0.00");
    assert_eq!(q["funded_by"], "cafcass");
    // Each line at £0.00 with the funder named, rather than no lines at all.
    assert_eq!(
        lines(&q),
        [line("session", "0.00", "before_session", false)]
    );
    assert_eq!(q["lines"][0]["quantity"], 6);
    assert_eq!(q["lines"][0]["payer"], "funder");
    assert_eq!(q["lines"][0]["funder"], "cafcass");
}

#[test]
fn fa_supervised_self_referred_is_priced_on_application() {
    let app = TestApp::with_demo();
    let centre = app.centre_id("FA Rotherham");
    let r = app
        .post("/v1/quotes")
        .json(&json!({"centre_id": centre, "service_type": "supervised", "sessions": 6}));
    let body = r.problem(422);
    assert_eq!(body["type"], "urn:ccm:problem:price-on-application");
}

#[test]
fn a_quote_needs_a_centre_and_service_or_a_tariff() {
    let app = TestApp::with_demo();
    app.post("/v1/quotes")
        .json(&json!({"sessions": 1}))
        .invalid("centre_id");
    let centre = app.centre_id("CL Dover");
    app.post("/v1/quotes")
        .json(&json!({"centre_id": centre}))
        .invalid("service_type");
    app.post("/v1/quotes")
        .json(&json!({"centre_id": "0190d6f0-0000-7000-8000-000000000000", "service_type": "supported"}))
        .invalid("centre_id");
    app.post("/v1/quotes")
        .json(&json!({"centre_id": centre, "service_type": "letterbox"}))
        .invalid("service_type");
    app.post("/v1/quotes")
        .json(&json!({"centre_id": centre, "service_type": "supported", "sessions": 501}))
        .invalid("sessions");
    app.post("/v1/quotes")
        .json(&json!({"centre_id": centre, "service_type": "supported", "sessions": -1}))
        .invalid("sessions");
}
