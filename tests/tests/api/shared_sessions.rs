//! A shared supported session: several families in one hall at once, every adult with their
//! own arrival window, so that no two adults who must not meet are due at the same time.

use std::collections::BTreeMap;

use ccm_tests::{json, TestApp};
use serde_json::Value;

use crate::sessions::{activate, room_id};
use crate::support::*;

/// A supported case at the centre for the family named `family`, taken to `active`.
pub fn family_case(
    app: &TestApp,
    token: &str,
    centre: &str,
    family: &str,
    mother_account: Option<&str>,
) -> String {
    let mut body = referral(centre, "supported");
    let lower = family.to_lowercase();
    body["resident_parent"] = adult("Ann", family, &format!("ann@{lower}.example"));
    if let Some(account) = mother_account {
        body["resident_parent"]["account_id"] = json!(account);
    }
    body["non_resident_parent"] = adult("Bob", family, &format!("bob@{lower}.example"));
    body["external_ref"] = json!(format!("REF-{family}"));
    let id = app.post("/v1/referrals").token(token).json(&body).ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    activate(app, token, &id, json!({"outcome": "suitable"}));
    id
}

/// (family index, party) -> expected arrival, for each family's view of the shared session.
fn arrivals(sessions: &[Value]) -> BTreeMap<(usize, String), String> {
    let mut out = BTreeMap::new();
    for (family, s) in sessions.iter().enumerate() {
        for p in s["parties"].as_array().unwrap() {
            out.insert(
                (family, p["party"].as_str().unwrap().to_string()),
                p["expected_arrival"].as_str().unwrap().to_string(),
            );
        }
    }
    out
}

#[test]
fn three_families_share_the_hall_and_no_two_adults_who_must_not_meet_share_a_window() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let centre = app.centre_id("CL Ashford");
    let hall = room_id(&app, &centre, "Main Hall");
    let (jones_mother_id, jones_mother) = parent_account(&app, "ann.parent@jones.example");
    let ids: Vec<String> = [
        ("Smith", None),
        ("Jones", Some(jones_mother_id.as_str())),
        ("Patel", None),
    ]
    .iter()
    .map(|(f, mother)| family_case(&app, &coordinator, &centre, f, *mother))
    .collect();
    // The Smiths' father must not meet the Patels' father (an order between them).
    let before = app.snapshot();
    let keep_apart = |body: Value| {
        app.post(&format!("/v1/referrals/{}/keep-apart", ids[0]))
            .token(&coordinator)
            .json(&body)
    };
    keep_apart(json!({"party": "non_resident_parent", "other_referral_id": "nope", "other_party": "resident_parent", "reason": "order"}))
        .invalid("other_referral_id");
    keep_apart(json!({"party": "non_resident_parent", "other_referral_id": ids[0], "other_party": "resident_parent", "reason": "order"}))
        .invalid("other_referral_id");
    keep_apart(json!({"party": "non_resident_parent", "other_referral_id": ids[2], "other_party": "resident_parent", "reason": " "}))
        .invalid("reason");
    assert_eq!(app.snapshot(), before);
    keep_apart(json!({"party": "non_resident_parent", "other_referral_id": ids[2], "other_party": "non_resident_parent",
        "reason": "non-molestation order"}))
    .ok(201);
    let listed = app
        .get(&format!("/v1/referrals/{}/keep-apart", ids[2]))
        .token(&coordinator)
        .send()
        .ok(200);
    assert_eq!(listed.as_array().unwrap().len(), 1, "listed on both cases");
    // Volunteers run the hall but do not read why two adults are kept apart.
    let volunteer = app.token("volunteer@cl.example.org");
    app.get(&format!("/v1/referrals/{}/keep-apart", ids[2]))
        .token(&volunteer)
        .send()
        .problem(403);

    // Each family books 10:00 to 12:00 (BST) in the hall, one after another.
    let mut sessions = Vec::new();
    for id in &ids {
        let booked = app
            .post(&format!("/v1/referrals/{id}/sessions"))
            .token(&coordinator)
            .json(&json!({"starts_at": "2027-06-05T10:00:00+01:00", "ends_at": "2027-06-05T12:00:00+01:00", "room_id": hall}))
            .ok(201);
        sessions.push(booked[0]["id"].as_str().unwrap().to_string());
    }
    let views: Vec<Value> = sessions
        .iter()
        .map(|s| {
            app.get(&format!("/v1/sessions/{s}"))
                .token(&coordinator)
                .send()
                .ok(200)
        })
        .collect();
    let at = arrivals(&views);
    let nrp = "non_resident_parent".to_string();
    let rp = "resident_parent".to_string();
    for f in 0..3 {
        assert_ne!(at[&(f, nrp.clone())], at[&(f, rp.clone())], "family {f}");
    }
    assert_ne!(at[&(0, nrp.clone())], at[&(2, nrp.clone())], "the order");
    // Fathers first at 10:00, mothers 15 minutes later; but the Patels' father cannot arrive
    // with the Smiths' father, so he comes at 10:15 and his ex-partner at 10:30.
    assert_eq!(
        at[&(0, nrp.clone())],
        "2027-06-05T09:00:00Z",
        "the first family booked keeps its window"
    );
    assert_eq!(at[&(0, rp.clone())], "2027-06-05T09:15:00Z");
    assert_eq!(at[&(1, nrp.clone())], "2027-06-05T09:00:00Z");
    assert_eq!(at[&(1, rp.clone())], "2027-06-05T09:15:00Z");
    assert_eq!(at[&(2, nrp.clone())], "2027-06-05T09:15:00Z");
    assert_eq!(at[&(2, rp.clone())], "2027-06-05T09:30:00Z");
    // First in, last out: the last window leaves at the end, the first 30 minutes after.
    let departs = |f: usize, p: &str| party_time(&views[f], p, "expected_departure");
    assert_eq!(departs(2, "resident_parent"), "2027-06-05T11:00:00Z");
    assert_eq!(departs(0, "non_resident_parent"), "2027-06-05T11:30:00Z");

    // Cancelling the Patels' session gives the others back the shorter plan.
    app.post(&format!("/v1/sessions/{}/cancel", sessions[2]))
        .token(&coordinator)
        .json(&json!({"cancelled_by": "centre", "reason": "family moved"}))
        .ok(200);
    let smiths = app
        .get(&format!("/v1/sessions/{}", sessions[0]))
        .token(&coordinator)
        .send()
        .ok(200);
    assert_eq!(
        party_time(&smiths, "non_resident_parent", "expected_departure"),
        "2027-06-05T11:15:00Z"
    );

    // A parent sees only their own time.
    let mine = app
        .get(&format!("/v1/sessions/{}", sessions[1]))
        .token(&jones_mother)
        .send()
        .ok(200);
    let parties = mine["parties"].as_array().unwrap();
    assert_eq!(parties.len(), 1, "{mine}");
    assert_eq!(parties[0]["party"], "resident_parent");
    assert_eq!(parties[0]["expected_arrival"], "2027-06-05T09:15:00Z");
}

#[test]
fn a_centre_that_brings_the_resident_parent_first_plans_its_sessions_that_way() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let admin = app.token(CL_ADMIN);
    let centre = app.centre_id("CL Ashford");
    let hall = room_id(&app, &centre, "Main Hall");
    let defaults = app
        .get(&format!("/v1/centres/{centre}/scheduling-policy"))
        .send()
        .ok(200);
    assert_eq!(defaults["arrival_order"], "non_resident_first");
    assert_eq!(defaults["arrival_offset_minutes"], 15);
    assert_eq!(defaults["customised"], false);
    let path = format!("/v1/centres/{centre}/scheduling-policy");
    let before = app.snapshot();
    app.call("PUT", &path)
        .token(&admin)
        .json(
            &json!({"arrival_order": "resident_first", "arrival_offset_minutes": 2,
            "lateness_threshold_minutes": 10, "lateness_strikes": 3, "lateness_window": 5}),
        )
        .invalid("arrival_offset_minutes");
    app.call("PUT", &path)
        .token(&admin)
        .json(
            &json!({"arrival_order": "whenever", "arrival_offset_minutes": 20,
            "lateness_threshold_minutes": 10, "lateness_strikes": 3, "lateness_window": 5}),
        )
        .invalid("arrival_order");
    assert_eq!(app.snapshot(), before);
    app.call("PUT", &path)
        .token(&admin)
        .json(
            &json!({"arrival_order": "resident_first", "arrival_offset_minutes": 20,
            "lateness_threshold_minutes": 10, "lateness_strikes": 3, "lateness_window": 5}),
        )
        .ok(200);
    let id = family_case(&app, &coordinator, &centre, "Brown", None);
    let booked = app
        .post(&format!("/v1/referrals/{id}/sessions"))
        .token(&coordinator)
        .json(&json!({"starts_at": "2027-01-09T10:00:00Z", "ends_at": "2027-01-09T12:00:00Z", "room_id": hall}))
        .ok(201);
    let s = &booked[0];
    assert_eq!(
        party_time(s, "resident_parent", "expected_arrival"),
        "2027-01-09T10:00:00Z"
    );
    assert_eq!(
        party_time(s, "non_resident_parent", "expected_arrival"),
        "2027-01-09T10:20:00Z"
    );
    assert_eq!(
        party_time(s, "resident_parent", "expected_departure"),
        "2027-01-09T12:20:00Z"
    );
}
