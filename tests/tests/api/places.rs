//! One rule for where each service's sessions happen: a handover may use the centre's shared
//! hall (or no room), as CL's demo centres need.

use ccm_tests::{json, TestApp};
use serde_json::Value;

use crate::sessions::{activate, new_case, room_id, user_id};
use crate::support::*;

#[test]
fn a_handover_is_booked_with_the_centres_only_shared_room_or_without_one() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let admin = app.token(CL_ADMIN);
    let centre = app.centre_id("CL Ashford");
    let hall = room_id(&app, &centre, "Main Hall");
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
    let supervisor = user_id(&app, &admin, "supervisor@cl.example.org");
    book(json!({"handover": {"date": "2027-06-05", "slot": "morning"}, "room_id": hall, "supervisor_id": supervisor}))
        .invalid("supervisor_id");
    let in_hall =
        book(json!({"handover": {"date": "2027-06-05", "slot": "morning"}, "room_id": hall}))
            .ok(201);
    assert_eq!(in_hall[0]["room_id"], hall.as_str());
    // CL's handover timings stand in the hall: 09:00 in London (BST) for the resident parent.
    assert_eq!(
        party_time(&in_hall[0], "resident_parent", "expected_arrival"),
        "2027-06-05T08:00:00Z"
    );
    let no_room = book(json!({"handover": {"date": "2027-06-12", "slot": "morning"}})).ok(201);
    assert_eq!(no_room[0]["room_id"], Value::Null);
}

#[test]
fn supervised_contact_still_needs_a_supervisor_and_a_private_room_or_a_community_place() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let admin = app.token(CL_ADMIN);
    let centre = app.centre_id("CL Gravesend Supervised");
    let id = new_case(&app, &coordinator, &centre, "supervised");
    activate(&app, &coordinator, &id, json!({"outcome": "suitable"}));
    let supervisor = user_id(&app, &admin, "supervisor@cl.example.org");
    let room = room_id(&app, &centre, "Family Room 1");
    let book = |body: Value| {
        app.post(&format!("/v1/referrals/{id}/sessions"))
            .token(&coordinator)
            .json(&body)
    };
    book(json!({"starts_at": "2027-03-20T10:00:00Z", "ends_at": "2027-03-20T12:00:00Z", "room_id": room}))
        .invalid("supervisor_id");
    book(json!({"starts_at": "2027-03-20T10:00:00Z", "ends_at": "2027-03-20T12:00:00Z", "supervisor_id": supervisor}))
        .invalid("room_id");
    book(json!({"starts_at": "2027-03-20T10:00:00Z", "ends_at": "2027-03-20T12:00:00Z", "room_id": room, "supervisor_id": supervisor}))
        .ok(201);
}
