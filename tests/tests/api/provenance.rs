//! A referrer sees back exactly the contact fields it supplied and nobody changed since: never
//! an address or phone staff added to the same record later.

use ccm_tests::{json, TestApp};
use serde_json::Value;

use crate::support::*;

fn resident(app: &TestApp, token: &str, id: &str) -> Value {
    let case = app
        .get(&format!("/v1/referrals/{id}"))
        .token(token)
        .send()
        .ok(200);
    case["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["role"] == "resident_parent")
        .unwrap()
        .clone()
}

fn patch_ann(app: &TestApp, token: &str, id: &str, contact: Value) {
    app.patch(&format!("/v1/referrals/{id}"))
        .token(token)
        .json(&json!({"resident_parent": {"contact": contact}}))
        .ok(200);
}

#[test]
fn a_referrer_sending_its_email_again_does_not_see_the_address_and_phone_staff_added() {
    let app = TestApp::with_demo();
    let referrer = app.token("referrer@cl.example.org");
    let coordinator = app.token(COORDINATOR);
    let mut body = referral(&app.centre_id("CL Dover"), "supported");
    body["resident_parent"]["contact"] = json!({"email": "ann@example.org"});
    let id = app
        .post("/v1/referrals")
        .token(&referrer)
        .json(&body)
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    patch_ann(
        &app,
        &coordinator,
        &id,
        json!({"address": {"line1": "Refuge", "town": "Deal", "postcode": "CT14 6AA"}, "phone": "07700 900999"}),
    );
    patch_ann(&app, &referrer, &id, json!({"email": "ann@example.org"}));

    let ann = resident(&app, &referrer, &id);
    assert_eq!(ann["contact"]["email"], "ann@example.org", "{ann}");
    for hidden in ["address_line1", "town", "postcode", "phone"] {
        assert_eq!(ann["contact"][hidden], Value::Null, "{hidden}: {ann}");
    }
    let staff = resident(&app, &coordinator, &id);
    assert_eq!(staff["contact"]["town"], "Deal", "staff still see it all");
    assert_eq!(staff["contact"]["phone"], "07700 900999");
}

#[test]
fn a_field_staff_overwrote_is_no_longer_shown_to_the_referrer() {
    let app = TestApp::with_demo();
    let referrer = app.token("referrer@cl.example.org");
    let coordinator = app.token(COORDINATOR);
    let body = referral(&app.centre_id("CL Dover"), "supported");
    let id = app
        .post("/v1/referrals")
        .token(&referrer)
        .json(&body)
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(resident(&app, &referrer, &id)["contact"]["phone"].is_string());
    patch_ann(&app, &coordinator, &id, json!({"phone": "07700 900888"}));

    let ann = resident(&app, &referrer, &id);
    assert_eq!(ann["contact"]["phone"], Value::Null, "{ann}");
    assert_eq!(
        ann["contact"]["email"], "ann@example.org",
        "still its own: {ann}"
    );
}
