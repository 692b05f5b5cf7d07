//! A referral's `actions` list only what would succeed now, by the same rule the actions go by.

use ccm_tests::{json, TestApp};
use serde_json::Value;

use crate::support::*;

fn actions(app: &TestApp, token: &str, id: &str) -> Vec<String> {
    let case = app
        .get(&format!("/v1/referrals/{id}"))
        .token(token)
        .send()
        .ok(200);
    strings(&case["actions"])
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect()
}

/// A referral of family `n` to CL Dover's supported service, fee paid: in screening.
fn screened(app: &TestApp, token: &str, n: usize) -> String {
    let mut body = referral(&app.centre_id("CL Dover"), "supported");
    body["resident_parent"]["contact"]["email"] = json!(format!("ann{n}@example.org"));
    body["non_resident_parent"]["contact"]["email"] = json!(format!("bob{n}@example.org"));
    let id = app.post("/v1/referrals").token(token).json(&body).ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    pay(app, token, &id, "referral_fee", "30.00");
    id
}

#[test]
fn a_waitlisted_case_lists_offer_only_while_a_place_is_free() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let admin = app.token(CL_ADMIN);
    let dover = app.centre_id("CL Dover");
    set_places(&app, &admin, &dover, "supported", json!(1));
    let mut ids = Vec::new();
    for n in 0..2 {
        let id = screened(&app, &coordinator, n);
        assess(&app, &coordinator, &id, json!({"outcome": "suitable"}));
        act(&app, &coordinator, &id, "accept", json!({})).ok(200);
        ids.push(id);
    }
    assert_eq!(status(&app, &coordinator, &ids[0]), "place_offered");
    assert_eq!(status(&app, &coordinator, &ids[1]), "waitlisted");
    let listed = actions(&app, &coordinator, &ids[1]);
    assert!(
        !listed.contains(&"offer".into()),
        "the one place is taken: {listed:?}"
    );
    assert!(listed.contains(&"close".into()), "{listed:?}");
    let page = app
        .get("/v1/referrals?status=waitlisted")
        .token(&coordinator)
        .send()
        .ok(200);
    assert!(
        !strings(&page["items"][0]["actions"]).contains(&"offer".into()),
        "{page}"
    );
    act(&app, &coordinator, &ids[1], "offer", json!({})).problem(409);

    // Places offered by hand: offering is listed and succeeds.
    set_places(&app, &admin, &dover, "supported", Value::Null);
    assert!(actions(&app, &coordinator, &ids[1]).contains(&"offer".into()));
    act(&app, &coordinator, &ids[1], "offer", json!({})).ok(200);
}

#[test]
fn accept_is_listed_only_once_an_assessment_found_the_family_suitable() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let id = screened(&app, &coordinator, 0);
    assert_eq!(status(&app, &coordinator, &id), "screening");
    assert!(!actions(&app, &coordinator, &id).contains(&"accept".into()));
    act(&app, &coordinator, &id, "accept", json!({})).problem(409);
    assess(&app, &coordinator, &id, json!({"outcome": "unsuitable"}));
    assert!(!actions(&app, &coordinator, &id).contains(&"accept".into()));
    assess(&app, &coordinator, &id, json!({"outcome": "suitable"}));
    assert!(actions(&app, &coordinator, &id).contains(&"accept".into()));
    act(&app, &coordinator, &id, "accept", json!({})).ok(200);
}
