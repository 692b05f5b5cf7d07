//! Referral intake: complete or waiting for information, what each caller sees, and every
//! kind of bad input refused with nothing saved.

use ccm_tests::{json, TestApp};
use serde_json::Value;

use crate::support::*;

#[test]
fn a_complete_solicitors_referral_waits_for_its_admin_fee_and_shows_the_coordinator_everything() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let dover = app.centre_id("CL Dover");
    let r = app
        .post("/v1/referrals")
        .token(&coordinator)
        .header("Idempotency-Key", "intake-1")
        .json(&referral(&dover, "supported"));
    let body = r.ok(201);
    let id = body["id"].as_str().unwrap();
    assert_eq!(r.header("location").unwrap(), format!("/v1/referrals/{id}"));
    assert_eq!(body["status"], "awaiting_referral_fee");
    assert_eq!(body["missing"], json!([]));
    assert_eq!(body["fees"]["outstanding"], "30.00");
    assert_eq!(body["parties"].as_array().unwrap().len(), 3);
    let bob = body["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["role"] == "non_resident_parent")
        .unwrap();
    assert_eq!(bob["contact"]["postcode"], "CT16 1AB");
    assert_eq!(bob["relationship"], "father");
    assert_eq!(body["risk"]["domestic_abuse"], "none");
    assert_eq!(body["referrer"]["organisation"], "Brief & Co");
    assert!(body["actions"]
        .as_array()
        .unwrap()
        .contains(&json!("decline")));
    // A retry with the same key makes no second referral.
    let before = app.snapshot();
    let again = app
        .post("/v1/referrals")
        .token(&coordinator)
        .header("Idempotency-Key", "intake-1")
        .json(&referral(&dover, "supported"));
    assert_eq!(again.ok(201)["id"], body["id"]);
    assert_eq!(app.snapshot(), before);
    // The same key with another body is refused.
    let mut other = referral(&dover, "supported");
    other["external_ref"] = json!("BC-2");
    app.post("/v1/referrals")
        .token(&coordinator)
        .header("Idempotency-Key", "intake-1")
        .json(&other)
        .problem(422);
}

#[test]
fn missing_details_put_a_referral_into_awaiting_information_until_they_come() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let dover = app.centre_id("CL Dover");
    let mut partial = referral(&dover, "supported");
    partial
        .as_object_mut()
        .unwrap()
        .remove("non_resident_parent");
    partial["children"] = json!([{"given_name": "Cal", "family_name": "Smith"}]);
    let body = app
        .post("/v1/referrals")
        .token(&coordinator)
        .json(&partial)
        .ok(201);
    let id = body["id"].as_str().unwrap();
    assert_eq!(body["status"], "awaiting_information");
    assert_eq!(
        body["missing"],
        json!(["non_resident_parent", "children[0].date_of_birth"])
    );
    let child_id = body["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["role"] == "child")
        .unwrap()["id"]
        .clone();
    let patch = json!({
        "non_resident_parent": adult("Bob", "Jones", "bob@example.org"),
        "children": [{"id": child_id, "date_of_birth": "2019-04-01"}]
    });
    let done = app
        .patch(&format!("/v1/referrals/{id}"))
        .token(&coordinator)
        .json(&patch)
        .ok(200);
    assert_eq!(done["missing"], json!([]));
    assert_eq!(done["status"], "awaiting_referral_fee");
    let history = app
        .get(&format!("/v1/referrals/{id}/history"))
        .token(&coordinator)
        .send()
        .ok(200);
    let steps: Vec<(&str, &str)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["from_status"].as_str().unwrap(),
                e["to_status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("submitted", "awaiting_information"),
            ("awaiting_information", "awaiting_referral_fee")
        ]
    );
    assert!(history[0]["actor_user_id"].is_string());
}

#[test]
fn children_must_be_children_and_names_must_not_be_blank() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let dover = app.centre_id("CL Dover");
    let before = app.snapshot();
    let mut future = referral(&dover, "supported");
    future["children"] = json!([child("Cal", "2099-01-01")]);
    app.post("/v1/referrals")
        .token(&coordinator)
        .json(&future)
        .invalid("children[0].date_of_birth");
    let mut adult_child = referral(&dover, "supported");
    adult_child["children"] = json!([child("Cal", "2000-01-01")]);
    app.post("/v1/referrals")
        .token(&coordinator)
        .json(&adult_child)
        .invalid("children[0].date_of_birth");
    let mut blank = referral(&dover, "supported");
    blank["resident_parent"]["given_name"] = json!("  ");
    app.post("/v1/referrals")
        .token(&coordinator)
        .json(&blank)
        .invalid("resident_parent.given_name");
    let mut same = referral(&dover, "supported");
    same["non_resident_parent"]["contact"]["email"] = json!("ANN@example.org");
    app.post("/v1/referrals")
        .token(&coordinator)
        .json(&same)
        .invalid("non_resident_parent");
    let mut postcode = referral(&dover, "supported");
    postcode["non_resident_parent"]["contact"]["address"]["postcode"] = json!("nowhere");
    app.post("/v1/referrals")
        .token(&coordinator)
        .json(&postcode)
        .invalid("non_resident_parent.contact.address.postcode");
    assert_eq!(app.snapshot(), before);
}

#[test]
fn a_centre_must_offer_the_service_with_its_waiting_list_open() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let admin = app.token(CL_ADMIN);
    let dover = app.centre_id("CL Dover");
    let before = app.snapshot();
    let body = app
        .post("/v1/referrals")
        .token(&coordinator)
        .json(&referral(&dover, "handover"))
        .problem(422);
    assert_eq!(body["type"], "urn:ccm:problem:service-not-offered");
    let offering = offering_id(&app, &dover, "supported");
    app.patch(&format!("/v1/offerings/{offering}"))
        .token(&admin)
        .json(&json!({"waiting_list_open": false}))
        .ok(200);
    let body = app
        .post("/v1/referrals")
        .token(&coordinator)
        .json(&referral(&dover, "supported"))
        .problem(422);
    assert_eq!(body["type"], "urn:ccm:problem:waiting-list-closed");
    let fa = app.centre_id("FA Barnsley");
    app.post("/v1/referrals")
        .token(&coordinator)
        .json(&referral(&fa, "supported"))
        .invalid("centre_id");
    // Only the offering's change (and its audit event) happened.
    let mut expected = before;
    *expected.get_mut("audit_events").unwrap() += 1;
    assert_eq!(app.snapshot(), expected);
}

#[test]
fn who_may_refer_and_as_what() {
    let app = TestApp::with_demo();
    let dover = app.centre_id("CL Dover");
    let volunteer = app.token("volunteer@cl.example.org");
    app.post("/v1/referrals")
        .token(&volunteer)
        .json(&referral(&dover, "supported"))
        .problem(403);
    let referrer = app.token("referrer@cl.example.org");
    let mut as_self = referral(&dover, "supported");
    as_self["referrer"] = json!({"kind": "self"});
    app.post("/v1/referrals")
        .token(&referrer)
        .json(&as_self)
        .invalid("referrer.kind");
    let parent = app.token("parent@cl.example.org");
    app.post("/v1/referrals")
        .token(&parent)
        .json(&referral(&dover, "supported"))
        .invalid("referrer.kind");
    app.post("/v1/referrals")
        .token(&parent)
        .json(&as_self)
        .invalid("self_party");
    app.post("/v1/referrals")
        .json(&referral(&dover, "supported"))
        .problem(401);
}

#[test]
fn a_referrer_sees_its_own_referrals_only_and_back_only_what_it_supplied() {
    let app = TestApp::with_demo();
    let referrer = app.token("referrer@cl.example.org");
    let coordinator = app.token(COORDINATOR);
    let admin = app.token(CL_ADMIN);
    let dover = app.centre_id("CL Dover");
    let mine = app
        .post("/v1/referrals")
        .token(&referrer)
        .json(&referral(&dover, "supported"))
        .ok(201);
    let id = mine["id"].as_str().unwrap();
    assert!(mine.get("risk").is_none(), "risk is staff only: {mine}");
    let ann = mine["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["role"] == "resident_parent")
        .unwrap();
    assert_eq!(
        ann["contact"]["email"], "ann@example.org",
        "it supplied these"
    );
    // The coordinator records Ann's new, confidential address: the referrer sees only the
    // e-mail and phone it supplied, never the address.
    app.patch(&format!("/v1/referrals/{id}"))
        .token(&coordinator)
        .json(&json!({"resident_parent": {"contact": {"address": {"line1": "Refuge", "town": "Deal", "postcode": "CT14 6AA"}}}}))
        .ok(200);
    let later = app
        .get(&format!("/v1/referrals/{id}"))
        .token(&referrer)
        .send()
        .ok(200);
    let ann = later["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["role"] == "resident_parent")
        .unwrap();
    assert_eq!(ann["contact"]["address_line1"], Value::Null, "{ann}");
    assert_eq!(ann["contact"]["town"], Value::Null, "{ann}");
    assert_eq!(ann["contact"]["email"], "ann@example.org", "{ann}");
    assert_eq!(ann["given_name"], "Ann");
    // Another referrer of the same provider sees nothing of it.
    app.post("/v1/users")
        .token(&admin)
        .json(&json!({"email": "other@law.example", "display_name": "Other", "role": "referrer", "password": "a-long-referrer-password"}))
        .ok(201);
    let other = app.login("other@law.example", "a-long-referrer-password");
    app.get(&format!("/v1/referrals/{id}"))
        .token(&other)
        .send()
        .problem(404);
    let list = app.get("/v1/referrals").token(&other).send().ok(200);
    assert_eq!(list["items"], json!([]));
    let list = app
        .get("/v1/referrals?external_ref=BC-1")
        .token(&referrer)
        .send()
        .ok(200);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

#[test]
fn lists_filter_by_status_centre_service_referrer_and_date() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let dover = app.centre_id("CL Dover");
    let chatham = app.centre_id("CL Chatham Supervised");
    app.post("/v1/referrals")
        .token(&coordinator)
        .json(&referral(&dover, "supported"))
        .ok(201);
    let mut cafcass = referral(&chatham, "supervised");
    cafcass["referrer"] =
        json!({"kind": "cafcass", "name": "Officer Kay", "organisation": "Cafcass"});
    cafcass["external_ref"] = json!("CAF-77");
    app.post("/v1/referrals")
        .token(&coordinator)
        .json(&cafcass)
        .ok(201);
    let count = |q: &str| {
        app.get(&format!("/v1/referrals?{q}"))
            .token(&coordinator)
            .send()
            .ok(200)["items"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(count(""), 2);
    assert_eq!(count("service=supervised"), 1);
    assert_eq!(count(&format!("centre={dover}")), 1);
    assert_eq!(count("referrer=cafcass"), 1);
    assert_eq!(count("external_ref=CAF-77"), 1);
    assert_eq!(count("status=awaiting_referral_fee"), 2);
    assert_eq!(count("from=2000-01-01&to=2000-12-31"), 0);
    assert_eq!(count("from=2026-01-01"), 2);
    let fa = app.token("orgadmin@fa.example.org");
    assert_eq!(
        app.get("/v1/referrals").token(&fa).send().ok(200)["items"],
        json!([])
    );
    app.get("/v1/referrals")
        .token(&app.token("admin@example.org"))
        .send()
        .problem(403);
}

#[test]
fn an_action_the_lifecycle_does_not_allow_is_409_naming_the_status_and_what_it_allows() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let dover = app.centre_id("CL Dover");
    let id = app
        .post("/v1/referrals")
        .token(&coordinator)
        .json(&referral(&dover, "supported"))
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let body = act(&app, &coordinator, &id, "activate", json!({})).problem(409);
    assert_eq!(body["type"], "urn:ccm:problem:invalid-transition");
    assert_eq!(body["current_status"], "awaiting_referral_fee");
    assert_eq!(
        body["allowed_actions"],
        json!(["decline", "close", "withdraw"])
    );
    let parent = app.token("parent@cl.example.org");
    act(&app, &parent, &id, "decline", json!({"reason": "no"})).problem(404);
}
