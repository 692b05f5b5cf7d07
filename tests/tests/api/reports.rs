//! Supervised session reports: drafted, sent back by QA, approved by someone else, released
//! to the recipients the court order names, amended; and the no-notes rule.

use ccm_tests::{json, TestApp};
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use crate::sessions::{activate, new_case, room_id, user_id};
use crate::support::*;

const SUPERVISOR: &str = "supervisor@cl.example.org";

fn text(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap()
}

/// Books one session for the case, pays for it if it has a charge, moves it `ago` into the
/// past and checks both parents in and out: the session is over.
pub(crate) fn held_session(app: &TestApp, id: &str, body: Value, ago: Duration) -> String {
    let coordinator = app.token(COORDINATOR);
    let booked = app
        .post(&format!("/v1/referrals/{id}/sessions"))
        .token(&coordinator)
        .json(&body)
        .ok(201);
    let session = booked[0]["id"].as_str().unwrap().to_string();
    if let Some(charge) = booked[0]["charge_id"].as_str() {
        app.post(&format!("/v1/referrals/{id}/payments"))
            .token(&app.token(FINANCE))
            .json(&json!({"charge_id": charge, "amount": "190.00", "method": "card"}))
            .ok(201);
    }
    let starts = OffsetDateTime::parse(booked[0]["starts_at"].as_str().unwrap(), &Rfc3339).unwrap();
    shift_sessions_back(app, id, starts - (OffsetDateTime::now_utc() - ago));
    let s = app
        .get(&format!("/v1/sessions/{session}"))
        .token(&coordinator)
        .send()
        .ok(200);
    for party in ["non_resident_parent", "resident_parent"] {
        let due = OffsetDateTime::parse(
            party_time(&s, party, "expected_arrival").as_str().unwrap(),
            &Rfc3339,
        )
        .unwrap();
        for (step, at) in [
            ("check-in", due),
            ("check-out", due + Duration::minutes(100)),
        ] {
            app.post(&format!("/v1/sessions/{session}/{step}"))
                .token(&coordinator)
                .json(&json!({"party": party, "at": text(at)}))
                .ok(200);
        }
    }
    session
}

#[test]
fn a_report_is_sent_back_approved_by_someone_else_released_to_named_recipients_and_amended() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let admin = app.token(CL_ADMIN);
    let supervisor = app.token(SUPERVISOR);
    let centre = app.centre_id("CL Gravesend Supervised");
    let mut body = referral(&centre, "supervised");
    body["court_ordered"] = json!(true);
    body["court"] = json!({"court": "Family Court at Medway", "case_number": "ME27P00007", "order_date": "2026-11-01",
        "report_recipients": ["cafcass", "resident_parent_solicitor", "non_resident_parent_solicitor"]});
    let id = app
        .post("/v1/referrals")
        .token(&coordinator)
        .json(&body)
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    activate(&app, &coordinator, &id, json!({"outcome": "suitable"}));
    let sup_id = user_id(&app, &admin, SUPERVISOR);
    let room = room_id(&app, &centre, "Family Room 1");
    // The session was a month ago: its report is overdue.
    let session = held_session(
        &app,
        &id,
        json!({"starts_at": "2027-03-20T10:00:00Z", "ends_at": "2027-03-20T12:00:00Z", "room_id": room, "supervisor_id": sup_id}),
        Duration::days(30),
    );
    let path = format!("/v1/sessions/{session}/report");
    let due = app.get(&path).token(&supervisor).send().ok(200);
    assert_eq!(due["status"], "due");
    assert_eq!(due["overdue"], true);
    let report = due["id"].as_str().unwrap().to_string();
    let overdue = app
        .get("/v1/reports/overdue")
        .token(&coordinator)
        .send()
        .ok(200);
    assert!(overdue
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["id"] == report.as_str()));

    // A volunteer reads no reports.
    app.get(&path)
        .token(&app.token("volunteer@cl.example.org"))
        .send()
        .problem(403);

    let step = |token: &str, action: &str, body: Value| {
        app.post(&format!("/v1/reports/{report}/{action}"))
            .token(token)
            .json(&body)
    };
    let draft = app
        .call("PUT", &path)
        .token(&supervisor)
        .json(&json!({"arrival": "Dad was settled in the room at 10:00; Cal came in at 10:15 and ran to him.",
            "activities": "Lego, then a card game.", "ending": "Goodbyes were calm."}))
        .ok(200);
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["author_id"], sup_id.as_str());
    // Someone else does not write the author's report.
    app.call("PUT", &path)
        .token(&coordinator)
        .json(&json!({"arrival": "x"}))
        .problem(403);
    step(&supervisor, "submit", json!({})).ok(200);
    // QA sends it back; the author revises and resubmits.
    let back = step(
        &coordinator,
        "request-changes",
        json!({"notes": "Say how Cal responded at the end."}),
    )
    .ok(200);
    assert_eq!(back["status"], "changes_requested");
    app.call("PUT", &path)
        .token(&supervisor)
        .json(&json!({"arrival": "Dad was settled in the room at 10:00; Cal came in at 10:15 and ran to him.",
            "activities": "Lego, then a card game.", "ending": "Goodbyes were calm; Cal waved from the door."}))
        .ok(200);
    step(&supervisor, "submit", json!({})).ok(200);

    // Bad steps change nothing: the author approving their own report, a release before
    // approval, a recipient the order does not name.
    let before = app.snapshot();
    step(&supervisor, "approve", json!({})).problem(403);
    let early = step(&admin, "release", json!({"recipients": ["cafcass"]})).problem(409);
    assert_eq!(early["current_status"], "in_qa");
    assert_eq!(app.snapshot(), before);
    let approved = step(&coordinator, "approve", json!({})).ok(200);
    assert_eq!(approved["status"], "approved");
    let before = app.snapshot();
    step(
        &admin,
        "release",
        json!({"recipients": ["cafcass", "court"]}),
    )
    .invalid("recipients");
    step(&admin, "release", json!({"recipients": ["the_press"]})).invalid("recipients[0]");
    step(&supervisor, "release", json!({"recipients": ["cafcass"]})).problem(403);
    assert_eq!(app.snapshot(), before);

    let released = step(&admin, "release",
        json!({"recipients": ["cafcass", "resident_parent_solicitor", "non_resident_parent_solicitor"]}))
    .ok(200);
    assert_eq!(released["status"], "released");
    assert_eq!(released["overdue"], false);
    let to: Vec<&str> = released["releases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["recipient"].as_str().unwrap())
        .collect();
    assert_eq!(
        to,
        [
            "cafcass",
            "non_resident_parent_solicitor",
            "resident_parent_solicitor"
        ]
    );
    let overdue = app
        .get("/v1/reports/overdue")
        .token(&coordinator)
        .send()
        .ok(200);
    assert!(!overdue
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["id"] == report.as_str()));
    // A released report is not rewritten...
    app.call("PUT", &path)
        .token(&supervisor)
        .json(&json!({"arrival": "changed"}))
        .problem(409);

    // ... it is amended, checked again, and released again to everyone who had it.
    step(&supervisor, "amend", json!({"reason": " "})).invalid("reason");
    let amending = step(
        &supervisor,
        "amend",
        json!({"reason": "the card game was Uno, not snap"}),
    )
    .ok(200);
    assert_eq!(amending["status"], "amended");
    app.call("PUT", &path)
        .token(&supervisor)
        .json(&json!({"arrival": "Dad was settled in the room at 10:00; Cal came in at 10:15 and ran to him.",
            "activities": "Lego, then Uno.", "ending": "Goodbyes were calm; Cal waved from the door."}))
        .ok(200);
    step(&supervisor, "submit", json!({})).ok(200);
    step(&coordinator, "approve", json!({})).ok(200);
    let again = step(&admin, "release", json!({"recipients": ["cafcass"]})).ok(200);
    assert_eq!(again["released_versions"], 2);
    let second: Vec<&Value> = again["releases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["version"] == 2)
        .collect();
    assert_eq!(second.len(), 3, "the amendment goes to all three: {again}");
    // The first version is kept as it was released.
    let kept = released_sections(&app, &report, 1);
    assert!(kept.contains("a card game"), "{kept}");
    assert!(released_sections(&app, &report, 2).contains("Uno"));

    // The audit trail has each step with who took it, and every reading of the report.
    let trail = app
        .get(&format!(
            "/v1/audit?entity_type=report&entity_id={report}&limit=200"
        ))
        .token(&admin)
        .send()
        .ok(200);
    let events = trail["items"].as_array().unwrap();
    let writes: Vec<(&str, &str)> = events
        .iter()
        .filter(|e| e["kind"] == "write")
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["actor_role"].as_str().unwrap(),
            )
        })
        .collect();
    for expected in [
        ("POST /v1/reports/{id}/submit", "supervisor"),
        ("POST /v1/reports/{id}/request-changes", "coordinator"),
        ("POST /v1/reports/{id}/approve", "coordinator"),
        ("POST /v1/reports/{id}/release", "org_admin"),
        ("POST /v1/reports/{id}/amend", "supervisor"),
    ] {
        assert!(writes.contains(&expected), "{expected:?} in {writes:?}");
    }
    assert!(events
        .iter()
        .any(|e| e["kind"] == "read" && e["fields"] == json!(["sections"])));
    assert!(!trail.to_string().contains("Uno"));
}

/// The sections of a report as released in `version`, read from the database.
fn released_sections(app: &TestApp, report: &str, version: i32) -> String {
    use ccm_persistence::schema::report_releases as r;
    use diesel::prelude::*;
    let id = report.to_string();
    app.db
        .read(|conn| {
            r::table
                .filter(r::report_id.eq(&id))
                .filter(r::version_number.eq(version))
                .select(r::sections)
                .first::<String>(conn)
                .map_err(ccm_persistence::StoreError::from)
        })
        .unwrap()
}

#[test]
fn supported_and_handover_sessions_keep_no_notes() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let centre = app.centre_id("CL Ashford");
    let hall = room_id(&app, &centre, "Main Hall");
    let id = new_case(&app, &coordinator, &centre, "supported");
    activate(&app, &coordinator, &id, json!({"outcome": "suitable"}));
    let session = held_session(
        &app,
        &id,
        json!({"starts_at": "2027-06-05T09:00:00Z", "ends_at": "2027-06-05T11:00:00Z", "room_id": hall}),
        Duration::hours(3),
    );
    let before = app.snapshot();
    let refused = app
        .call("PUT", &format!("/v1/sessions/{session}/report"))
        .token(&coordinator)
        .json(&json!({"arrival": "Mum seemed tense."}))
        .problem(422);
    assert_eq!(refused["type"], "urn:ccm:problem:no-notes");
    assert!(refused["detail"]
        .as_str()
        .unwrap()
        .contains("no written observations"));
    app.get(&format!("/v1/sessions/{session}/report"))
        .token(&coordinator)
        .send()
        .problem(422);
    assert_eq!(app.snapshot(), before);
    assert_eq!(
        before["reports"], 0,
        "no report is opened for supported contact"
    );
}

#[test]
fn an_incident_at_a_supported_session_is_recorded_and_seen_only_by_the_right_staff() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let centre = app.centre_id("CL Ashford");
    let hall = room_id(&app, &centre, "Main Hall");
    let id = new_case(&app, &coordinator, &centre, "supported");
    activate(&app, &coordinator, &id, json!({"outcome": "suitable"}));
    let session = held_session(
        &app,
        &id,
        json!({"starts_at": "2027-06-05T09:00:00Z", "ends_at": "2027-06-05T11:00:00Z", "room_id": hall}),
        Duration::hours(3),
    );
    let path = format!("/v1/sessions/{session}/incidents");
    let at = text(OffsetDateTime::now_utc() - Duration::hours(2));
    let volunteer = app.token("volunteer@cl.example.org");
    let before = app.snapshot();
    let post = |token: &str, body: Value| app.post(&path).token(token).json(&body);
    post(&coordinator, json!({"kind": "behaviour", "occurred_at": text(OffsetDateTime::now_utc() + Duration::hours(1)),
        "description": "x", "action_taken": "y"}))
    .invalid("occurred_at");
    post(
        &coordinator,
        json!({"kind": "gossip", "occurred_at": at, "description": "x", "action_taken": "y"}),
    )
    .invalid("kind");
    post(
        &coordinator,
        json!({"kind": "behaviour", "occurred_at": at, "description": " ", "action_taken": "y"}),
    )
    .invalid("description");
    post(
        &volunteer,
        json!({"kind": "behaviour", "occurred_at": at,
        "description": "x", "action_taken": "y"}),
    )
    .problem(403);
    assert_eq!(app.snapshot(), before);
    let recorded = post(&coordinator, json!({"kind": "order_breach", "occurred_at": at,
        "description": "Dad waited outside to see Mum leave.", "action_taken": "Mum left by the back door; the coordinator spoke to Dad."}))
    .ok(201);
    assert_eq!(recorded["kind"], "order_breach");
    let listed = app.get(&path).token(&app.token(SUPERVISOR)).send().ok(200);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["id"], recorded["id"]);
    app.get(&path).token(&volunteer).send().problem(403);
    app.get(&path)
        .token(&app.token("orgadmin@fa.example.org"))
        .send()
        .problem(404);
}

#[test]
fn a_released_report_is_read_by_the_parent_it_was_released_to_and_nobody_else() {
    let app = TestApp::with_demo();
    let (coordinator, admin, supervisor) = (
        app.token(COORDINATOR),
        app.token(CL_ADMIN),
        app.token(SUPERVISOR),
    );
    let (ann_id, ann) = parent_account(&app, "ann.recipient@example.org");
    let (bob_id, bob) = parent_account(&app, "bob.recipient@example.org");
    let centre = app.centre_id("CL Gravesend Supervised");
    let mut body = referral(&centre, "supervised");
    body["resident_parent"]["account_id"] = json!(ann_id);
    body["non_resident_parent"]["account_id"] = json!(bob_id);
    body["court_ordered"] = json!(true);
    body["court"] = json!({"court": "Family Court at Medway", "case_number": "ME27P00008", "order_date": "2026-11-01",
        "report_recipients": ["cafcass", "resident_parent"]});
    let id = app
        .post("/v1/referrals")
        .token(&coordinator)
        .json(&body)
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    activate(&app, &coordinator, &id, json!({"outcome": "suitable"}));
    let session = held_session(
        &app,
        &id,
        json!({"starts_at": "2027-03-20T10:00:00Z", "ends_at": "2027-03-20T12:00:00Z",
            "room_id": room_id(&app, &centre, "Family Room 1"), "supervisor_id": user_id(&app, &admin, SUPERVISOR)}),
        Duration::days(2),
    );
    let path = format!("/v1/sessions/{session}/report");
    let report = app
        .call("PUT", &path)
        .token(&supervisor)
        .json(
            &json!({"arrival": "Dad was settled in the room at 10:00.", "activities": "Drawing."}),
        )
        .ok(200)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let step = |token: &str, action: &str, body: Value| {
        app.post(&format!("/v1/reports/{report}/{action}"))
            .token(token)
            .json(&body)
            .ok(200)
    };
    let released = format!("/v1/referrals/{id}/released-reports");
    // Nothing is read before release.
    assert_eq!(app.get(&released).token(&ann).send().ok(200), json!([]));
    step(&supervisor, "submit", json!({}));
    step(&coordinator, "approve", json!({}));
    step(
        &admin,
        "release",
        json!({"recipients": ["cafcass", "resident_parent"]}),
    );

    let mine = app.get(&released).token(&ann).send().ok(200);
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(mine[0]["report_id"], report.as_str());
    assert_eq!(mine[0]["recipient"], "resident_parent");
    assert_eq!(mine[0]["version"], 1);
    assert_eq!(mine[0]["sections"]["activities"], "Drawing.");
    // The order does not name Bob: nothing was released to him.
    assert_eq!(app.get(&released).token(&bob).send().ok(200), json!([]));
    // Staff read the report itself; the case's referrer is a solicitor, not a named body.
    app.get(&released).token(&coordinator).send().problem(403);
    let body = app
        .get(&format!("/v1/sessions/{session}/report"))
        .token(&ann)
        .send()
        .problem(403);
    assert!(body["detail"].as_str().unwrap().contains("coordinators"));

    let reads = app
        .get(&format!(
            "/v1/audit?entity_type=report&entity_id={report}&kind=read"
        ))
        .token(&admin)
        .send()
        .ok(200);
    assert!(reads["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["actor_id"] == ann_id.as_str() && e["fields"] == json!(["released_sections"])));
}
