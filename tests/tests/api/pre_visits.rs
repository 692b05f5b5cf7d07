//! Pre-visits are booked ahead, while the centre is open, and marked attended only once they
//! have started.

use ccm_tests::{json, TestApp};

use crate::support::*;

/// An FA supervised case at FA Rotherham (open Saturdays 09:30-16:30) at its pre-visits.
fn at_pre_visits(app: &TestApp) -> (String, String) {
    let fa = app.token("orgadmin@fa.example.org");
    let mut body = referral(&app.centre_id("FA Rotherham"), "supervised");
    body["referrer"] = json!({"kind": "cafcass", "name": "Officer Kay", "organisation": "Cafcass"});
    body["court_ordered"] = json!(true);
    body["court"] = json!({"court": "Family Court at Sheffield", "case_number": "SH26P00042", "order_date": "2026-10-01",
        "frequency": "fortnightly, 2 hours", "report_recipients": ["cafcass"]});
    let id = app.post("/v1/referrals").token(&fa).json(&body).ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    assess(app, &fa, &id, json!({"outcome": "suitable"}));
    act(app, &fa, &id, "accept", json!({})).ok(200);
    act(app, &fa, &id, "accept-offer", json!({})).ok(200);
    (fa, id)
}

#[test]
fn a_pre_visit_in_the_past_or_while_the_centre_is_closed_is_refused_naming_the_field() {
    let app = TestApp::with_demo();
    let (fa, id) = at_pre_visits(&app);
    let book = |start: &str, end: &str| {
        app.post(&format!("/v1/referrals/{id}/pre-visits"))
            .token(&fa)
            .json(&json!({"party": "resident_parent", "starts_at": start, "ends_at": end}))
    };
    let past = book("2026-01-03T10:00:00Z", "2026-01-03T10:30:00Z").invalid("starts_at");
    assert_eq!(past["errors"][0]["code"], "in_the_past", "{past}");
    // A Sunday, and a Saturday evening after closing.
    for (start, end) in [
        ("2027-01-10T10:00:00Z", "2027-01-10T10:30:00Z"),
        ("2027-01-09T17:00:00Z", "2027-01-09T17:30:00Z"),
    ] {
        let closed = book(start, end).invalid("starts_at");
        assert_eq!(closed["errors"][0]["code"], "centre_closed", "{closed}");
    }
    book("2027-01-09T10:30:00Z", "2027-01-09T10:00:00Z").invalid("ends_at");
    let none = app
        .get(&format!("/v1/referrals/{id}/pre-visits"))
        .token(&fa)
        .send()
        .ok(200);
    assert_eq!(none, json!([]), "nothing saved");
    book("2027-01-09T10:00:00Z", "2027-01-09T10:30:00Z").ok(201);
}

#[test]
fn a_pre_visit_is_marked_attended_only_once_it_has_started() {
    let app = TestApp::with_demo();
    let (fa, id) = at_pre_visits(&app);
    let visit = app
        .post(&format!("/v1/referrals/{id}/pre-visits"))
        .token(&fa)
        .json(&json!({"party": "resident_parent", "starts_at": "2027-01-09T10:00:00Z", "ends_at": "2027-01-09T10:30:00Z"}))
        .ok(201);
    let vid = visit["id"].as_str().unwrap();
    app.post(&format!("/v1/referrals/{id}/pre-visits/{vid}/attended"))
        .token(&fa)
        .send()
        .problem(409);
    let listed = app
        .get(&format!("/v1/referrals/{id}/pre-visits"))
        .token(&fa)
        .send()
        .ok(200);
    assert_eq!(listed[0]["attended"], false, "nothing changed");
    // Its day comes.
    pre_visit_attended(&app, &fa, &id, &visit);
}
