//! Availability search: a coordinator planning a series sees the times still free, by the same
//! rules a booking is checked against.

use ccm_tests::{json, TestApp};
use serde_json::Value;

use crate::sessions::{activate, new_case, room_id, user_id};
use crate::support::*;

fn search(app: &TestApp, token: &str, path: &str) -> Value {
    app.get(path).token(token).send().ok(200)
}

/// The local start of each slot on local `date`.
fn starts_on<'a>(found: &'a Value, date: &str) -> Vec<&'a str> {
    found["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["local_date"] == date)
        .map(|s| s["local_start"].as_str().unwrap())
        .collect()
}

fn at<'a>(found: &'a Value, starts_at: &str) -> Option<&'a Value> {
    found["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["starts_at"] == starts_at)
}

#[test]
fn a_booked_supervised_session_takes_its_time_and_turnaround_from_the_only_supervisor() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let admin = app.token(CL_ADMIN);
    let centre = app.centre_id("CL Gravesend Supervised");
    let (room1, room2) = (
        room_id(&app, &centre, "Family Room 1"),
        room_id(&app, &centre, "Family Room 2"),
    );
    let supervisor = user_id(&app, &admin, "supervisor@cl.example.org");
    // Saturdays 09:30-16:30 and Wednesdays 16:00-19:00; 20 March 2027 is GMT.
    let path = format!("/v1/centres/{centre}/availability?service=supervised&from=2027-03-20&to=2027-03-24&minutes=120&step=30");
    let before = search(&app, &coordinator, &path);
    assert_eq!(before["truncated"], false);
    let saturday = [
        "09:30", "10:00", "10:30", "11:00", "11:30", "12:00", "12:30", "13:00", "13:30", "14:00",
        "14:30",
    ];
    assert_eq!(starts_on(&before, "2027-03-20"), saturday);
    assert_eq!(
        starts_on(&before, "2027-03-24"),
        ["16:00", "16:30", "17:00"]
    );
    let ten = at(&before, "2027-03-20T10:00:00Z").unwrap();
    assert_eq!(ten["centre_id"], centre.as_str());
    assert_eq!(ten["ends_at"], "2027-03-20T12:00:00Z");
    assert_eq!(ten["local_end"], "12:00");
    assert_eq!(ten["room_ids"], json!([room1, room2]));
    assert_eq!(ten["supervisor_ids"], json!([supervisor]));
    assert_eq!(ten["places_left"], Value::Null);

    let id = new_case(&app, &coordinator, &centre, "supervised");
    activate(&app, &coordinator, &id, json!({"outcome": "suitable"}));
    app.post(&format!("/v1/referrals/{id}/sessions"))
        .token(&coordinator)
        .json(
            &json!({"starts_at": "2027-03-20T10:00:00Z", "ends_at": "2027-03-20T12:00:00Z",
            "room_id": room1, "supervisor_id": supervisor}),
        )
        .ok(201);

    // Room 2 is still free, but CL's only supervisor is busy until 12:00 and needs 15
    // minutes: nothing starts before 12:15 that would end after 09:45.
    let after = search(&app, &coordinator, &path);
    assert_eq!(
        starts_on(&after, "2027-03-20"),
        ["12:30", "13:00", "13:30", "14:00", "14:30"]
    );
    assert_eq!(
        at(&after, "2027-03-20T12:30:00Z").unwrap()["room_ids"],
        json!([room1, room2]),
        "the room is turned round by 12:15"
    );
    assert_eq!(starts_on(&after, "2027-03-24"), ["16:00", "16:30", "17:00"]);

    // Across the provider, the supervisor is taken at every centre at that time.
    let provider = app.provider_id("CL");
    let across = search(
        &app,
        &coordinator,
        &format!("/v1/providers/{provider}/availability?service=supervised&from=2027-03-20&to=2027-03-20"),
    );
    let items = across["items"].as_array().unwrap();
    let centres: std::collections::BTreeSet<&str> = items
        .iter()
        .map(|s| s["centre_id"].as_str().unwrap())
        .collect();
    assert_eq!(centres.len(), 4, "CL's four supervised centres");
    assert!(items
        .iter()
        .all(|s| s["local_start"].as_str().unwrap() >= "12:30"));
    let times: Vec<_> = items
        .iter()
        .map(|s| s["starts_at"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "earliest first");
}

#[test]
fn a_shared_room_keeps_offering_a_time_until_it_is_full() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let admin = app.token(CL_ADMIN);
    let centre = app.centre_id("CL Ashford");
    let hall = room_id(&app, &centre, "Main Hall");
    // In June London is on BST: 10:00 local is 09:00 UTC.
    let path = format!(
        "/v1/centres/{centre}/availability?service=supported&from=2027-06-05&to=2027-06-05"
    );
    let places_at_ten = || {
        at(&search(&app, &coordinator, &path), "2027-06-05T09:00:00Z")
            .map(|s| s["places_left"].clone())
    };
    let ten = at(&search(&app, &coordinator, &path), "2027-06-05T09:00:00Z")
        .unwrap()
        .clone();
    assert_eq!(
        (&ten["local_start"], &ten["room_ids"], &ten["places_left"]),
        (&json!("10:00"), &json!([hall]), &json!(8))
    );
    app.patch(&format!("/v1/rooms/{hall}"))
        .token(&admin)
        .json(&json!({"capacity": 2}))
        .ok(200);
    assert_eq!(places_at_ten(), Some(json!(2)));

    let book = |case: &str| {
        app.post(&format!("/v1/referrals/{case}/sessions"))
            .token(&coordinator)
            .json(&json!({"starts_at": "2027-06-05T09:00:00Z", "ends_at": "2027-06-05T11:00:00Z", "room_id": hall}))
            .ok(201);
    };
    let first = new_case(&app, &coordinator, &centre, "supported");
    activate(&app, &coordinator, &first, json!({"outcome": "suitable"}));
    book(&first);
    assert_eq!(places_at_ten(), Some(json!(1)));
    let second = new_case(&app, &coordinator, &centre, "supported");
    activate(&app, &coordinator, &second, json!({"outcome": "suitable"}));
    book(&second);
    assert_eq!(places_at_ten(), None, "full");
    // Families come and go without a turnaround: the hall has room again from 12:00.
    let found = search(&app, &coordinator, &path);
    let day = starts_on(&found, "2027-06-05");
    assert!(!day.contains(&"11:30"), "{day:?}");
    assert_eq!(
        at(&found, "2027-06-05T11:00:00Z").unwrap()["places_left"],
        2
    );
}

#[test]
fn handover_is_offered_on_saturdays_only_in_its_two_slots() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let centre = app.centre_id("CL Ashford");
    let found = search(
        &app,
        &coordinator,
        &format!(
            "/v1/centres/{centre}/availability?service=handover&from=2027-06-01&to=2027-06-14"
        ),
    );
    let slots: Vec<(&str, &str, &str, &str)> = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["local_date"].as_str().unwrap(),
                s["handover_slot"].as_str().unwrap(),
                s["local_start"].as_str().unwrap(),
                s["starts_at"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        slots,
        [
            ("2027-06-05", "morning", "09:00", "2027-06-05T08:00:00Z"),
            ("2027-06-05", "afternoon", "12:30", "2027-06-05T11:30:00Z"),
            ("2027-06-12", "morning", "09:00", "2027-06-12T08:00:00Z"),
            ("2027-06-12", "afternoon", "12:30", "2027-06-12T11:30:00Z"),
        ]
    );
}

#[test]
fn a_year_answers_at_most_500_slots_and_never_a_time_already_past() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let centre = app.centre_id("CL Ashford");
    let year = search(
        &app,
        &coordinator,
        &format!("/v1/centres/{centre}/availability?service=supported&from=2027-01-01&to=2027-12-31&step=5"),
    );
    assert_eq!(year["truncated"], true);
    assert_eq!(year["items"].as_array().unwrap().len(), 500);
    let past = search(
        &app,
        &coordinator,
        &format!(
            "/v1/centres/{centre}/availability?service=supported&from=2020-01-01&to=2020-12-31"
        ),
    );
    assert_eq!(past, json!({"items": [], "truncated": false}));
}

#[test]
fn bad_parameters_are_refused_naming_the_parameter() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let centre = app.centre_id("CL Ashford");
    let ask = |query: &str| {
        app.get(&format!("/v1/centres/{centre}/availability?{query}"))
            .token(&coordinator)
            .send()
    };
    let dates = "from=2027-01-01&to=2027-01-31";
    ask(dates).invalid("service");
    ask(&format!("service=letterbox&{dates}")).invalid("service");
    ask(&format!("service=indirect&{dates}")).invalid("service");
    ask("service=supported&to=2027-01-31").invalid("from");
    ask("service=supported&from=2027-02-30&to=2027-03-31").invalid("from");
    ask("service=supported&from=2027-01-31&to=2027-01-01").invalid("to");
    ask("service=supported&from=2027-01-01&to=2028-01-02").invalid("to");
    ask("service=supported&from=2027-01-01&to=2027-12-31").ok(200);
    ask(&format!("service=supported&{dates}&minutes=10")).invalid("minutes");
    ask(&format!("service=supported&{dates}&minutes=481")).invalid("minutes");
    ask(&format!("service=supported&{dates}&minutes=two")).invalid("minutes");
    ask(&format!("service=supported&{dates}&step=4")).invalid("step");
    ask(&format!("service=supported&{dates}&step=241")).invalid("step");
    // Every problem at once.
    let all = ask("service=supported&minutes=0").invalid("from");
    assert_eq!(all["errors"].as_array().unwrap().len(), 3, "{all}");
    // Ashford has no supervised contact.
    ask(&format!("service=supervised&{dates}")).invalid("service");
}

#[test]
fn only_the_providers_coordinators_and_admins_search() {
    let app = TestApp::with_demo();
    let centre = app.centre_id("CL Ashford");
    let provider = app.provider_id("CL");
    let query = "service=supported&from=2027-01-01&to=2027-01-31";
    let centre_path = format!("/v1/centres/{centre}/availability?{query}");
    let provider_path = format!("/v1/providers/{provider}/availability?{query}");
    for path in [&centre_path, &provider_path] {
        app.get(path).token(&app.token(CL_ADMIN)).send().ok(200);
        app.get(path).send().problem(401);
        let parent = app.token("parent@cl.example.org");
        app.get(path).token(&parent).send().problem(403);
        let volunteer = app.token("volunteer@cl.example.org");
        app.get(path).token(&volunteer).send().problem(403);
        // Another provider does not learn the centre exists.
        let fa = app.token("orgadmin@fa.example.org");
        app.get(path).token(&fa).send().problem(404);
    }
    let coordinator = app.token(COORDINATOR);
    app.get(&format!(
        "/v1/centres/0193a000-0000-7000-8000-000000000000/availability?{query}"
    ))
    .token(&coordinator)
    .send()
    .problem(404);
}
