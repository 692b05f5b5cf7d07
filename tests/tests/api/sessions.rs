//! Booking contact sessions: series in London time, no double booking, the handover slots,
//! the payment gate and cancellation charges.

use ccm_tests::{json, TestApp};
use serde_json::Value;

use crate::support::*;

pub(crate) fn room_id(app: &TestApp, centre: &str, name: &str) -> String {
    let rooms = app
        .get(&format!("/v1/centres/{centre}/rooms"))
        .send()
        .ok(200);
    rooms["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

pub(crate) fn user_id(app: &TestApp, admin: &str, email: &str) -> String {
    let users = app.get("/v1/users?limit=100").token(admin).send().ok(200);
    users["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == email)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Takes a fresh referral through fees, assessment, offer and pre-visits to `active`.
pub(crate) fn activate(app: &TestApp, token: &str, id: &str, assessment: Value) {
    let finance = app.token(FINANCE);
    let fee = |kind: &str| {
        let ledger = app
            .get(&format!("/v1/referrals/{id}/ledger"))
            .token(&finance)
            .send()
            .ok(200);
        ledger["charges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["kind"] == kind && c["outstanding"] != "0.00")
            .map(|c| c["outstanding"].as_str().unwrap().to_string())
    };
    if let Some(amount) = fee("referral_fee") {
        pay(app, &finance, id, "referral_fee", &amount);
    }
    assess(app, token, id, assessment);
    act(app, token, id, "accept", json!({})).ok(200);
    if status(app, token, id) == "waitlisted" {
        act(app, token, id, "offer", json!({})).ok(200);
    }
    act(app, token, id, "accept-offer", json!({})).ok(200);
    if let Some(amount) = fee("balance") {
        pay(app, &finance, id, "balance", &amount);
    }
    for (party, start, end) in [
        (
            "resident_parent",
            "2027-01-09T10:00:00Z",
            "2027-01-09T10:30:00Z",
        ),
        (
            "non_resident_parent",
            "2027-01-09T11:00:00Z",
            "2027-01-09T11:30:00Z",
        ),
    ] {
        let visit = app
            .post(&format!("/v1/referrals/{id}/pre-visits"))
            .token(token)
            .json(&json!({"party": party, "starts_at": start, "ends_at": end}))
            .ok(201);
        pre_visit_attended(app, token, id, &visit);
    }
    assert_eq!(
        act(app, token, id, "activate", json!({})).ok(200)["status"],
        "active"
    );
}

pub(crate) fn new_case(app: &TestApp, token: &str, centre: &str, service: &str) -> String {
    app.post("/v1/referrals")
        .token(token)
        .json(&referral(centre, service))
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn a_supervised_series_keeps_local_time_never_double_books_and_the_cancelling_parent_pays() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let admin = app.token(CL_ADMIN);
    let finance = app.token(FINANCE);
    let centre = app.centre_id("CL Gravesend Supervised");
    let id = new_case(&app, &coordinator, &centre, "supervised");
    let room1 = room_id(&app, &centre, "Family Room 1");
    let room2 = room_id(&app, &centre, "Family Room 2");
    let supervisor = user_id(&app, &admin, "supervisor@cl.example.org");
    let book = |body: Value| {
        app.post(&format!("/v1/referrals/{id}/sessions"))
            .token(&coordinator)
            .json(&body)
    };
    let series = json!({"series": {"first_date": "2027-03-20", "starts": "10:00", "minutes": 120, "every_weeks": 2, "count": 6},
        "room_id": room1, "supervisor_id": supervisor});
    let body = book(series.clone()).problem(409);
    assert_eq!(body["type"], "urn:ccm:problem:case-not-active");
    activate(&app, &coordinator, &id, json!({"outcome": "suitable"}));

    let sessions = book(series).ok(201);
    let sessions = sessions.as_array().unwrap();
    assert_eq!(sessions.len(), 6);
    // 20 March is GMT, 3 April BST: the same 10:00 in London.
    assert_eq!(sessions[0]["starts_at"], "2027-03-20T10:00:00Z");
    assert_eq!(sessions[1]["starts_at"], "2027-04-03T09:00:00Z");
    assert!(sessions.iter().all(|s| s["status"] == "awaiting_payment"));
    assert!(sessions
        .iter()
        .all(|s| s["series_id"] == sessions[0]["series_id"]));
    let first = &sessions[0];
    let times: Vec<(&str, &str, &str)> = first["parties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["party"].as_str().unwrap(),
                p["expected_arrival"].as_str().unwrap(),
                p["expected_departure"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        times,
        [
            (
                "non_resident_parent",
                "2027-03-20T10:00:00Z",
                "2027-03-20T12:15:00Z"
            ),
            (
                "resident_parent",
                "2027-03-20T10:15:00Z",
                "2027-03-20T12:00:00Z"
            ),
        ]
    );

    // The supervisor is taken at that time, whatever the room; so is the room, within the
    // turnaround. Nothing is saved.
    let before = app.snapshot();
    let clash = book(json!({"starts_at": "2027-03-20T11:00:00Z", "ends_at": "2027-03-20T12:00:00Z", "room_id": room2, "supervisor_id": supervisor})).problem(409);
    assert_eq!(clash["type"], "urn:ccm:problem:booking-clash");
    assert_eq!(clash["clashing_session_id"], first["id"]);
    book(json!({"starts_at": "2027-03-20T10:00:00Z", "ends_at": "2027-03-20T10:30:00", "room_id": room2, "supervisor_id": supervisor})).problem(422);
    book(json!({"starts_at": "2027-03-20T12:00:00Z", "ends_at": "2027-03-20T11:00:00Z", "room_id": room2, "supervisor_id": supervisor})).invalid("ends_at");
    book(json!({"starts_at": "2027-03-20T12:00:00Z", "ends_at": "2027-03-21T13:00:00Z", "room_id": room2, "supervisor_id": supervisor})).invalid("ends_at");
    book(json!({"starts_at": "2027-03-24T10:00:00Z", "ends_at": "2027-03-24T11:00:00Z", "room_id": room2, "supervisor_id": supervisor})).invalid("starts_at");
    book(json!({"starts_at": "2027-03-20T13:00:00Z", "ends_at": "2027-03-20T14:00:00Z", "room_id": room2})).invalid("supervisor_id");
    assert_eq!(app.snapshot(), before);

    // Paying a session's charge confirms it.
    let charge = first["charge_id"].as_str().unwrap();
    app.post(&format!("/v1/referrals/{id}/payments"))
        .token(&finance)
        .json(&json!({"charge_id": charge, "amount": "190.00", "method": "card"}))
        .ok(201);
    let confirmed = app
        .get(&format!("/v1/sessions/{}", first["id"].as_str().unwrap()))
        .token(&coordinator)
        .send()
        .ok(200);
    assert_eq!(confirmed["status"], "confirmed");

    // The father cancels the second session: he pays its charge as the cancellation fee, and
    // the session's own charge is no longer owed. The centre cancels the third: nobody pays.
    let cancel = |n: usize, by: &str| {
        app.post(&format!(
            "/v1/sessions/{}/cancel",
            sessions[n]["id"].as_str().unwrap()
        ))
        .token(&coordinator)
        .json(&json!({"cancelled_by": by, "reason": "unwell"}))
    };
    let by_father = cancel(1, "non_resident_parent").ok(200);
    assert_eq!(by_father["status"], "cancelled");
    assert_eq!(
        by_father["cancellation"]["cancelled_by"],
        "non_resident_parent"
    );
    let fee_id = by_father["cancellation"]["charge_id"]
        .as_str()
        .unwrap()
        .to_string();
    let by_centre = cancel(2, "centre").ok(200);
    assert_eq!(by_centre["cancellation"]["charge_id"], Value::Null);
    cancel(2, "centre").problem(409);
    let ledger = app
        .get(&format!("/v1/referrals/{id}/ledger"))
        .token(&finance)
        .send()
        .ok(200);
    let charge = |id: &str| {
        ledger["charges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()
            .clone()
    };
    let fee = charge(&fee_id);
    assert_eq!(
        (
            fee["kind"].as_str(),
            fee["amount"].as_str(),
            fee["payer"].as_str()
        ),
        (
            Some("cancellation"),
            Some("190.00"),
            Some("non_resident_parent")
        )
    );
    for n in [1, 2] {
        let own = charge(sessions[n]["charge_id"].as_str().unwrap());
        assert_eq!(
            own["outstanding"], "0.00",
            "a cancelled session is not owed"
        );
    }
}

#[test]
fn handover_is_booked_by_saturday_slot_with_cls_four_timings() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let centre = app.centre_id("CL Ashford");
    let id = new_case(&app, &coordinator, &centre, "handover");
    activate(
        &app,
        &coordinator,
        &id,
        json!({"outcome": "suitable", "unsupervised_contact_appropriate": true}),
    );
    let book = |body: Value| {
        app.post(&format!("/v1/referrals/{id}/sessions"))
            .token(&coordinator)
            .json(&body)
    };
    let before = app.snapshot();
    book(json!({"handover": {"date": "2027-06-02", "slot": "morning"}})).invalid("handover.date");
    book(json!({"starts_at": "2027-06-05T08:00:00Z", "ends_at": "2027-06-05T11:15:00Z"}))
        .invalid("handover");
    assert_eq!(app.snapshot(), before);
    let booked = book(json!({"handover": {"date": "2027-06-05", "slot": "morning"}})).ok(201);
    let session = &booked[0];
    assert_eq!(session["handover_slot"], "morning");
    // The session spans the slot, 09:00-12:30 in London, not the non-resident parent's window.
    assert_eq!(session["starts_at"], "2027-06-05T08:00:00Z");
    assert_eq!(session["ends_at"], "2027-06-05T11:30:00Z");
    assert_eq!(
        session["status"], "awaiting_payment",
        "£16 before the handover"
    );
    let t = |party: &str, field: &str| {
        session["parties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["party"] == party)
            .unwrap()[field]
            .as_str()
            .unwrap()
            .to_string()
    };
    // 09:00 / 09:15 / 12:15 / 12:30 in London, which is BST in June.
    assert_eq!(
        t("resident_parent", "expected_arrival"),
        "2027-06-05T08:00:00Z"
    );
    assert_eq!(
        t("non_resident_parent", "expected_arrival"),
        "2027-06-05T08:15:00Z"
    );
    assert_eq!(
        t("non_resident_parent", "expected_departure"),
        "2027-06-05T11:15:00Z"
    );
    assert_eq!(
        t("resident_parent", "expected_departure"),
        "2027-06-05T11:30:00Z"
    );
    let ledger = app
        .get(&format!("/v1/referrals/{id}/ledger"))
        .token(&coordinator)
        .send()
        .ok(200);
    let own = ledger["charges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == session["charge_id"])
        .unwrap()
        .clone();
    assert_eq!(own["amount"], "16.00");
}

#[test]
fn supervised_dates_held_on_referral_are_confirmed_once_the_case_has_its_place() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let admin = app.token(CL_ADMIN);
    let centre = app.centre_id("CL Maidstone Supervised");
    let id = new_case(&app, &coordinator, &centre, "supervised");
    let room = room_id(&app, &centre, "Family Room 1");
    let supervisor = user_id(&app, &admin, "supervisor@cl.example.org");
    let held = app
        .post(&format!("/v1/referrals/{id}/sessions"))
        .token(&coordinator)
        .json(
            &json!({"starts_at": "2027-05-15T09:00:00Z", "ends_at": "2027-05-15T11:00:00Z",
            "room_id": room, "supervisor_id": supervisor, "provisional": true}),
        )
        .ok(201);
    let session = held[0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        (held[0]["status"].as_str(), &held[0]["charge_id"]),
        (Some("provisional"), &Value::Null)
    );
    let confirm = || {
        app.post(&format!("/v1/sessions/{session}/confirm"))
            .token(&coordinator)
            .send()
    };
    let early = confirm().problem(409);
    assert_eq!(early["type"], "urn:ccm:problem:case-has-no-place");
    activate(&app, &coordinator, &id, json!({"outcome": "suitable"}));
    let confirmed = confirm().ok(200);
    assert_eq!(confirmed["status"], "awaiting_payment");
    assert!(confirmed["charge_id"].is_string());
    confirm().problem(409);
}

/// A clash check reads only the sessions that can still be running: those that started at most
/// the longest session before. A long session that started hours earlier still holds its room
/// and supervisor; the slot after it (and its turnaround) is free.
#[test]
fn a_long_session_that_started_hours_before_still_clashes_and_the_next_slot_is_free() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let admin = app.token(CL_ADMIN);
    let centre = app.centre_id("CL Gravesend Supervised");
    let (room1, room2) = (
        room_id(&app, &centre, "Family Room 1"),
        room_id(&app, &centre, "Family Room 2"),
    );
    let supervisor = user_id(&app, &admin, "supervisor@cl.example.org");
    let [first, second] = ["first", "second"].map(|_| {
        let id = new_case(&app, &coordinator, &centre, "supervised");
        activate(&app, &coordinator, &id, json!({"outcome": "suitable"}));
        id
    });
    let book = |case: &str, body: Value| {
        app.post(&format!("/v1/referrals/{case}/sessions"))
            .token(&coordinator)
            .json(&body)
    };
    // Saturday 5 June 2027 (BST), 09:30 to 15:30 in London: six hours of the centre's day.
    let long = book(
        &first,
        json!({"starts_at": "2027-06-05T08:30:00Z", "ends_at": "2027-06-05T14:30:00Z",
        "room_id": room1, "supervisor_id": supervisor}),
    )
    .ok(201);
    let long_id = long[0]["id"].as_str().unwrap();
    let before = app.snapshot();
    for (room, what) in [(&room1, "room"), (&room2, "supervisor")] {
        let clash = book(
            &second,
            json!({"starts_at": "2027-06-05T14:00:00Z", "ends_at": "2027-06-05T15:00:00Z",
            "room_id": room, "supervisor_id": supervisor}),
        )
        .problem(409);
        assert_eq!(clash["type"], "urn:ccm:problem:booking-clash", "{what}");
        assert_eq!(clash["clashing_session_id"], long_id, "{what}");
    }
    assert_eq!(app.snapshot(), before);
    // From the end of the long session and its 15-minute turnaround, the room is free.
    let next = book(
        &second,
        json!({"starts_at": "2027-06-05T14:45:00Z", "ends_at": "2027-06-05T15:30:00Z",
        "room_id": room1, "supervisor_id": supervisor}),
    )
    .ok(201);
    assert_eq!(next[0]["room_id"], room1.as_str());
}
