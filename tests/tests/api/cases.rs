//! Real cases end to end, as the issue tells them.

use ccm_tests::{json, TestApp};
use serde_json::Value;

use crate::support::*;

fn party<'a>(view: &'a Value, role: &str) -> Option<&'a Value> {
    view["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["role"] == role)
}

#[test]
fn a_self_referred_cl_supported_case_pays_waits_is_offered_pays_again_visits_and_starts() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let finance = app.token(FINANCE);
    let admin = app.token(CL_ADMIN);
    let parent = app.token("parent@cl.example.org");
    let dover = app.centre_id("CL Dover");
    // Places offered by hand, so the family visibly waits.
    set_places(&app, &admin, &dover, "supported", Value::Null);

    let mut body = referral(&dover, "supported");
    body["referrer"] = json!({"kind": "self"});
    body["self_party"] = json!("non_resident_parent");
    let case = app.post("/v1/referrals").token(&parent).json(&body).ok(201);
    let id = case["id"].as_str().unwrap().to_string();
    assert_eq!(case["status"], "awaiting_referral_fee");
    assert_eq!(case["fees"]["outstanding"], "30.00", "the £30 admin fee");
    assert!(
        party(&case, "resident_parent").is_none(),
        "never the other parent"
    );
    assert_eq!(
        party(&case, "non_resident_parent").unwrap()["contact"]["email"],
        "bob@example.org"
    );

    // The admin fee: £30, non-refundable.
    let ledger = app
        .get(&format!("/v1/referrals/{id}/ledger"))
        .token(&parent)
        .send()
        .ok(200);
    assert_eq!(ledger["charges"][0]["amount"], "30.00");
    assert_eq!(ledger["charges"][0]["refundable"], false);
    pay(&app, &finance, &id, "referral_fee", "30.00");
    assert_eq!(status(&app, &coordinator, &id), "screening");

    assess(&app, &coordinator, &id, json!({"outcome": "suitable"}));
    let waiting = act(&app, &coordinator, &id, "accept", json!({})).ok(200);
    assert_eq!(waiting["status"], "waitlisted");
    let mine = app
        .get(&format!("/v1/referrals/{id}"))
        .token(&parent)
        .send()
        .ok(200);
    assert_eq!(mine["waiting_list"]["position"], 1);

    let offered = act(&app, &coordinator, &id, "offer", json!({})).ok(200);
    assert_eq!(offered["status"], "place_offered");
    assert!(offered["offer"]["expires_at"].is_string());
    let accepted = act(&app, &parent, &id, "accept-offer", json!({})).ok(200);
    assert_eq!(accepted["status"], "awaiting_balance");
    assert_eq!(
        accepted["fees"]["outstanding"], "110.00",
        "the £110 balance"
    );
    act(&app, &coordinator, &id, "activate", json!({})).problem(409);
    pay(&app, &finance, &id, "balance", "110.00");
    assert_eq!(status(&app, &coordinator, &id), "pre_visits");

    // Pre-visits: one per side, separately, not on the first session's day.
    app.patch(&format!("/v1/referrals/{id}"))
        .token(&coordinator)
        .json(&json!({"first_session_on": "2027-01-16"}))
        .ok(200);
    let book = |party: &str, start: &str, end: &str| {
        app.post(&format!("/v1/referrals/{id}/pre-visits"))
            .token(&coordinator)
            .json(&json!({"party": party, "starts_at": start, "ends_at": end}))
    };
    let resident = book(
        "resident_parent",
        "2027-01-09T10:00:00Z",
        "2027-01-09T10:45:00Z",
    )
    .ok(201);
    book(
        "non_resident_parent",
        "2027-01-09T10:30:00Z",
        "2027-01-09T11:15:00Z",
    )
    .problem(422);
    book(
        "non_resident_parent",
        "2027-01-16T09:00:00Z",
        "2027-01-16T09:45:00Z",
    )
    .problem(422);
    let nrp = book(
        "non_resident_parent",
        "2027-01-09T11:00:00Z",
        "2027-01-09T11:45:00Z",
    )
    .ok(201);
    let seen: Vec<Value> = app
        .get(&format!("/v1/referrals/{id}/pre-visits"))
        .token(&parent)
        .send()
        .ok(200)
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(seen.len(), 1, "a parent sees only their own pre-visit");
    assert_eq!(seen[0]["party"], "non_resident_parent");
    act(&app, &coordinator, &id, "activate", json!({})).problem(409);
    for visit in [&resident, &nrp] {
        pre_visit_attended(&app, &coordinator, &id, visit);
    }
    let active = act(&app, &coordinator, &id, "activate", json!({})).ok(200);
    assert_eq!(active["status"], "active");
    assert!(active["next_review_on"].is_string());
    let reviewed = app
        .post(&format!("/v1/referrals/{id}/reviews"))
        .token(&coordinator)
        .json(&json!({"notes": "going well"}))
        .ok(200);
    assert_eq!(reviewed["status"], "active");
}

#[test]
fn a_cafcass_court_ordered_fa_supervised_case_costs_nothing_and_closes_after_a_next_steps_meeting()
{
    let app = TestApp::with_demo();
    let fa = app.token("orgadmin@fa.example.org");
    let centre = app.centre_id("FA Rotherham");
    let mut body = referral(&centre, "supervised");
    body["referrer"] = json!({"kind": "cafcass", "name": "Officer Kay", "organisation": "Cafcass"});
    body["court_ordered"] = json!(true);
    body["court"] = json!({"court": "Family Court at Sheffield", "case_number": "SH26P00042", "order_date": "2026-10-01",
        "frequency": "fortnightly, 2 hours", "report_recipients": ["cafcass", "both_solicitors"]});
    let case = app.post("/v1/referrals").token(&fa).json(&body).ok(201);
    let id = case["id"].as_str().unwrap().to_string();
    assert_eq!(case["status"], "screening", "no fee to wait for");
    assert_eq!(case["funded_by"], "cafcass");
    assert_eq!(case["fees"]["outstanding"], "0.00");
    let ledger = app
        .get(&format!("/v1/referrals/{id}/ledger"))
        .token(&fa)
        .send()
        .ok(200);
    assert_eq!(ledger["charges"], json!([]), "no charges");

    assess(
        &app,
        &fa,
        &id,
        json!({"outcome": "suitable_with_controls", "separate_entrances": true, "arrival_offset_minutes": 20}),
    );
    // Supervised places are free (two at Rotherham): accepting offers one at once.
    let accepted = act(&app, &fa, &id, "accept", json!({})).ok(200);
    assert_eq!(accepted["status"], "place_offered");
    let taken = act(&app, &fa, &id, "accept-offer", json!({})).ok(200);
    assert_eq!(taken["status"], "pre_visits", "nothing to pay");
    for (party, start) in [
        ("resident_parent", "2027-01-09T10:00:00Z"),
        ("non_resident_parent", "2027-01-09T11:00:00Z"),
    ] {
        let end = start
            .replace("T10:00", "T10:30")
            .replace("T11:00", "T11:30");
        let v = app
            .post(&format!("/v1/referrals/{id}/pre-visits"))
            .token(&fa)
            .json(&json!({"party": party, "starts_at": start, "ends_at": end}))
            .ok(201);
        pre_visit_attended(&app, &fa, &id, &v);
    }
    act(&app, &fa, &id, "activate", json!({})).ok(200);
    let body = act(&app, &fa, &id, "close", json!({"reason": "completed"})).problem(409);
    assert_eq!(body["type"], "urn:ccm:problem:next-steps-meeting-required");
    app.post(&format!("/v1/referrals/{id}/next-steps-meeting"))
        .token(&fa)
        .json(&json!({"held_on": "2027-04-02", "attendees": "both parents, Cafcass officer", "outcome": "contact to continue in the community"}))
        .ok(200);
    let closed = act(
        &app,
        &fa,
        &id,
        "close",
        json!({"reason": "completed", "notes": "programme finished"}),
    )
    .ok(200);
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["closure"]["reason"], "completed");
    act(&app, &fa, &id, "suspend", json!({"reason": "breach"})).problem(409);
}

#[test]
fn a_supported_referral_with_proven_domestic_abuse_is_declined_and_signposted_to_supervised() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let referrer = app.token("referrer@cl.example.org");
    let dover = app.centre_id("CL Dover");
    let mut body = referral(&dover, "supported");
    body["risk"] = json!({"domestic_abuse": "proven"});
    let id = app
        .post("/v1/referrals")
        .token(&referrer)
        .json(&body)
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    pay(&app, &coordinator, &id, "referral_fee", "30.00");
    assess(&app, &coordinator, &id, json!({"outcome": "suitable"}));
    let refused = act(
        &app,
        &coordinator,
        &id,
        "accept",
        json!({"override_reason": "the family asked"}),
    )
    .problem(422);
    assert_eq!(refused["type"], "urn:ccm:problem:not-eligible");
    assert!(
        refused["detail"].as_str().unwrap().contains("supervised"),
        "{refused}"
    );
    assert_eq!(
        status(&app, &coordinator, &id),
        "screening",
        "nothing changed"
    );
    let declined = act(&app, &coordinator, &id, "decline",
        json!({"reason": "proven domestic abuse: supported contact is not safe", "signposted_service": "supervised"})).ok(200);
    assert_eq!(declined["status"], "declined");
    assert_eq!(declined["decline"]["signposted_service"], "supervised");
    let seen = app
        .get(&format!("/v1/referrals/{id}"))
        .token(&referrer)
        .send()
        .ok(200);
    assert_eq!(seen["decline"]["signposted_service"], "supervised");
    assert!(
        seen["decline"].get("reason").is_none(),
        "the reason names risks: staff only"
    );
    assert_eq!(seen["actions"], json!([]));
}

#[test]
fn an_order_in_force_needs_a_reasoned_override_for_supported_contact() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let dover = app.centre_id("CL Dover");
    let mut body = referral(&dover, "supported");
    body["risk"] =
        json!({"domestic_abuse": "alleged", "non_molestation_order": {"expires_on": "2030-01-01"}});
    let id = app
        .post("/v1/referrals")
        .token(&coordinator)
        .json(&body)
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    pay(&app, &coordinator, &id, "referral_fee", "30.00");
    assess(
        &app,
        &coordinator,
        &id,
        json!({"outcome": "suitable_with_controls", "separate_entrances": true}),
    );
    act(&app, &coordinator, &id, "accept", json!({})).invalid("override_reason");
    let accepted = act(
        &app,
        &coordinator,
        &id,
        "accept",
        json!({"override_reason": "order protects the child's school, not the centre"}),
    )
    .ok(200);
    assert!(["waitlisted", "place_offered"].contains(&accepted["status"].as_str().unwrap()));
}

#[test]
fn two_parents_of_one_case_never_see_each_others_details() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let dover = app.centre_id("CL Dover");
    let (ann_id, ann) = parent_account(&app, "ann.parent@example.org");
    let (bob_id, bob) = parent_account(&app, "bob.parent@example.org");
    let mut body = referral(&dover, "supported");
    body["resident_parent"]["account_id"] = json!(ann_id);
    body["non_resident_parent"]["account_id"] = json!(bob_id);
    let case = app
        .post("/v1/referrals")
        .token(&coordinator)
        .json(&body)
        .ok(201);
    let id = case["id"].as_str().unwrap();
    let ann_person = party(&case, "resident_parent").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let bob_person = party(&case, "non_resident_parent").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    for (token, me, other, my_email) in [
        (
            &ann,
            "resident_parent",
            "non_resident_parent",
            "ann@example.org",
        ),
        (
            &bob,
            "non_resident_parent",
            "resident_parent",
            "bob@example.org",
        ),
    ] {
        let view = app
            .get(&format!("/v1/referrals/{id}"))
            .token(token)
            .send()
            .ok(200);
        assert_eq!(party(&view, me).unwrap()["contact"]["email"], my_email);
        assert!(party(&view, other).is_none(), "{view}");
        assert_eq!(party(&view, "child").unwrap()["given_name"], "Cal");
        assert!(view.get("risk").is_none() && view.get("referrer").is_none());
        let text = view.to_string();
        let other_email = if me == "resident_parent" {
            "bob@example.org"
        } else {
            "ann@example.org"
        };
        assert!(
            !text.contains(other_email),
            "the other parent's e-mail leaked: {text}"
        );
        let list = app.get("/v1/referrals").token(token).send().ok(200);
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
        assert!(!list.to_string().contains(other_email));
    }
    // Asking for the other parent's record directly: not found.
    app.get(&format!("/v1/people/{bob_person}"))
        .token(&ann)
        .send()
        .problem(404);
    app.get(&format!("/v1/people/{ann_person}"))
        .token(&bob)
        .send()
        .problem(404);
    let own = app
        .get(&format!("/v1/people/{ann_person}"))
        .token(&ann)
        .send()
        .ok(200);
    assert_eq!(own["contact"]["email"], "ann@example.org");
    // Only the paying parent sees the money.
    app.get(&format!("/v1/referrals/{id}/ledger"))
        .token(&ann)
        .send()
        .problem(403);
    app.get(&format!("/v1/referrals/{id}/ledger"))
        .token(&bob)
        .send()
        .ok(200);
    // A volunteer sees names, not addresses; a supervisor sees needs and risk, not addresses.
    let volunteer = app
        .get(&format!("/v1/referrals/{id}"))
        .token(&app.token("volunteer@cl.example.org"))
        .send()
        .ok(200);
    assert!(party(&volunteer, "resident_parent")
        .unwrap()
        .get("contact")
        .is_none());
    assert!(volunteer.get("risk").is_none());
    let supervisor = app
        .get(&format!("/v1/referrals/{id}"))
        .token(&app.token("supervisor@cl.example.org"))
        .send()
        .ok(200);
    assert!(party(&supervisor, "resident_parent")
        .unwrap()
        .get("contact")
        .is_none());
    assert!(supervisor.get("risk").is_some());
}
