//! Changing a series: one session, this and the following ones, or all still to come; and
//! cancelling what is left of it.

use ccm_tests::{json, TestApp};
use serde_json::Value;

use crate::sessions::{activate, new_case, room_id, user_id};
use crate::support::*;

fn starts(sessions: &Value) -> Vec<String> {
    sessions
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] != "cancelled")
        .map(|s| s["starts_at"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_series_is_moved_one_session_this_and_following_or_all_and_cancelled() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let admin = app.token(CL_ADMIN);
    let finance = app.token(FINANCE);
    let centre = app.centre_id("CL Gravesend Supervised");
    let room1 = room_id(&app, &centre, "Family Room 1");
    let room2 = room_id(&app, &centre, "Family Room 2");
    let supervisor = user_id(&app, &admin, "supervisor@cl.example.org");
    let id = new_case(&app, &coordinator, &centre, "supervised");
    activate(&app, &coordinator, &id, json!({"outcome": "suitable"}));
    // Saturdays 13 March to 17 April 2027 at 10:00; the clocks change on 28 March.
    let booked = app
        .post(&format!("/v1/referrals/{id}/sessions"))
        .token(&coordinator)
        .json(&json!({"series": {"first_date": "2027-03-13", "starts": "10:00", "minutes": 60, "every_weeks": 1, "count": 6},
            "room_id": room1, "supervisor_id": supervisor}))
        .ok(201);
    let ids: Vec<String> = booked
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect();
    let series_id = booked[0]["series_id"].as_str().unwrap().to_string();
    // The first is paid.
    app.post(&format!("/v1/referrals/{id}/payments"))
        .token(&finance)
        .json(&json!({"charge_id": booked[0]["charge_id"], "amount": "95.00", "method": "card"}))
        .ok(201);
    let edit = |n: usize, body: Value| {
        app.patch(&format!("/v1/sessions/{}", ids[n]))
            .token(&coordinator)
            .json(&body)
    };
    let list = || {
        app.get(&format!("/v1/referrals/{id}/sessions"))
            .token(&coordinator)
            .send()
            .ok(200)
    };

    // Refused, and nothing changes: nothing to change, exact times for several sessions, a
    // time without an offset, a paid session whose price would change, a closed day, a clash.
    let other = new_case(&app, &coordinator, &centre, "supervised");
    activate(&app, &coordinator, &other, json!({"outcome": "suitable"}));
    let theirs = app
        .post(&format!("/v1/referrals/{other}/sessions"))
        .token(&coordinator)
        .json(&json!({"starts_at": "2027-03-20T14:00:00Z", "ends_at": "2027-03-20T15:00:00Z", "room_id": room2, "supervisor_id": supervisor}))
        .ok(201);
    let before = app.snapshot();
    edit(1, json!({"scope": "all"})).invalid("scope");
    edit(1, json!({"scope": "all", "starts_at": "2027-03-20T11:00:00Z", "ends_at": "2027-03-20T12:00:00Z"})).invalid("starts_at");
    edit(
        1,
        json!({"starts_at": "2027-03-20T11:00:00", "ends_at": "2027-03-20T12:00:00Z"}),
    )
    .invalid("starts_at");
    edit(1, json!({"scope": "sometimes", "starts": "11:00"})).invalid("scope");
    let paid = edit(0, json!({"scope": "all", "minutes": 90})).problem(409);
    assert_eq!(paid["type"], "urn:ccm:problem:session-charge-paid");
    edit(
        1,
        json!({"starts_at": "2027-03-24T10:00:00Z", "ends_at": "2027-03-24T11:00:00Z"}),
    )
    .invalid("starts_at");
    let clash = edit(1, json!({"starts": "14:30"})).problem(409);
    assert_eq!(clash["clashing_session_id"], theirs[0]["id"]);
    assert_eq!(app.snapshot(), before);

    // One session to the afternoon: only it moves.
    let moved = edit(1, json!({"starts": "15:30"})).ok(200);
    assert_eq!(moved[0]["starts_at"], "2027-03-20T15:30:00Z");
    assert_eq!(moved[0]["series_id"], series_id.as_str());
    // This and the following from the fourth (3 April, BST) to 11:00 London and 90 minutes:
    // they become a series of their own, keep their local time, and their unpaid charges are
    // replaced by the 90-minute price.
    let following = edit(
        3,
        json!({"scope": "following", "starts": "11:00", "minutes": 90}),
    )
    .ok(200);
    assert_eq!(
        starts(&following),
        [
            "2027-04-03T10:00:00Z",
            "2027-04-10T10:00:00Z",
            "2027-04-17T10:00:00Z"
        ]
    );
    let new_series = following[0]["series_id"].as_str().unwrap();
    assert_ne!(new_series, series_id);
    assert_ne!(following[0]["charge_id"], booked[3]["charge_id"]);
    let ledger = app
        .get(&format!("/v1/referrals/{id}/ledger"))
        .token(&finance)
        .send()
        .ok(200);
    let charge = |cid: &Value| {
        ledger["charges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| &c["id"] == cid)
            .unwrap()
            .clone()
    };
    assert_eq!(charge(&following[0]["charge_id"])["amount"], "142.50");
    assert_eq!(charge(&booked[3]["charge_id"])["outstanding"], "0.00");
    let all = list();
    assert_eq!(
        starts(&all),
        [
            "2027-03-13T10:00:00Z",
            "2027-03-20T15:30:00Z",
            "2027-03-27T10:00:00Z",
            "2027-04-03T10:00:00Z",
            "2027-04-10T10:00:00Z",
            "2027-04-17T10:00:00Z"
        ]
    );
    // Each moved session's parents have new times.
    assert_eq!(
        party_time(&following[0], "resident_parent", "expected_arrival"),
        "2027-04-03T10:15:00Z"
    );

    // Cancelling the new series cancels its three sessions as the centre; nobody pays.
    let gone = app
        .post(&format!("/v1/series/{new_series}/cancel"))
        .token(&coordinator)
        .json(&json!({"cancelled_by": "centre", "reason": "supervisor leaving"}))
        .ok(200);
    assert_eq!(gone.as_array().unwrap().len(), 3);
    assert!(gone
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["status"] == "cancelled" && s["cancellation"]["charge_id"].is_null()));
    app.post(&format!("/v1/series/{new_series}/cancel"))
        .token(&coordinator)
        .json(&json!({"cancelled_by": "centre", "reason": "again"}))
        .problem(409);
    app.post("/v1/series/no-such-series/cancel")
        .token(&coordinator)
        .json(&json!({"cancelled_by": "centre", "reason": "x"}))
        .problem(404);
    assert_eq!(starts(&list()).len(), 3);
    // A cancelled session is not moved.
    edit(4, json!({"starts": "12:00"})).problem(409);
}

#[test]
fn a_series_across_the_last_sunday_of_october_keeps_its_london_time() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let centre = app.centre_id("CL Ashford");
    let hall = room_id(&app, &centre, "Main Hall");
    let id = new_case(&app, &coordinator, &centre, "supported");
    activate(&app, &coordinator, &id, json!({"outcome": "suitable"}));
    // The clocks go back on Sunday 31 October 2027: 10:00 in London is 09:00 UTC before it
    // and 10:00 UTC after it.
    let booked = app
        .post(&format!("/v1/referrals/{id}/sessions"))
        .token(&coordinator)
        .json(&json!({"series": {"first_date": "2027-10-23", "starts": "10:00", "minutes": 120, "every_weeks": 1, "count": 3},
            "room_id": hall}))
        .ok(201);
    assert_eq!(
        starts(&booked),
        [
            "2027-10-23T09:00:00Z",
            "2027-10-30T09:00:00Z",
            "2027-11-06T10:00:00Z"
        ]
    );
    // Moving them all to 11:00 keeps each on its own side of the change.
    let moved = app
        .patch(&format!(
            "/v1/sessions/{}",
            booked[0]["id"].as_str().unwrap()
        ))
        .token(&coordinator)
        .json(&json!({"scope": "all", "starts": "11:00"}))
        .ok(200);
    assert_eq!(
        starts(&moved),
        [
            "2027-10-23T10:00:00Z",
            "2027-10-30T10:00:00Z",
            "2027-11-06T11:00:00Z"
        ]
    );
}
