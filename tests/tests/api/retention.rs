//! Retention: rules no shorter than the provider's legal minimums, legal holds, and a run that
//! anonymises or deletes each class of a closed case's records when its time is up.

use ccm_domain::retention::RecordClass;
use ccm_tests::{json, TestApp};
use serde_json::Value;
use time::{Duration, OffsetDateTime};

use crate::reports::held_session;
use crate::sessions::{activate, new_case, room_id, user_id};
use crate::support::*;

fn run(app: &TestApp, years_later: i64, dry_run: bool) -> ccm_api::cases::retention::Report {
    let documents = ccm_persistence::document_store::FsDocumentStore::new(&app.document_dir);
    let today = (OffsetDateTime::now_utc() + Duration::days(365 * years_later)).date();
    ccm_api::cases::retention::run(&app.db, &documents, today, dry_run).expect("a retention run")
}

fn classes(changes: &[ccm_api::cases::retention::Change]) -> Vec<RecordClass> {
    let mut c: Vec<RecordClass> = changes.iter().map(|c| c.record_class).collect();
    c.sort();
    c
}

#[test]
fn a_rule_shorter_than_the_legal_minimum_or_deleting_attendance_is_refused() {
    let app = TestApp::with_demo();
    let admin = app.token(CL_ADMIN);
    let coordinator = app.token(COORDINATOR);
    let fa = app.token("orgadmin@fa.example.org");
    let cl = app.provider_id("CL");
    let path = format!("/v1/providers/{cl}/retention-policy");
    let set = app
        .call("PUT", &format!("{path}/attendance"))
        .token(&admin)
        .json(&json!({"years": 5, "action": "anonymise", "legal_minimum_years": 4}))
        .ok(200);
    let attendance = |policy: &Value| {
        policy["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["record_class"] == "attendance")
            .unwrap()
            .clone()
    };
    assert_eq!(
        attendance(&set),
        json!({"record_class": "attendance", "years": 5, "action": "anonymise", "legal_minimum_years": 4, "is_default": false})
    );

    let before = app.snapshot();
    // The minimum stays when a later change does not name it.
    let short = app
        .call("PUT", &format!("{path}/attendance"))
        .token(&admin)
        .json(&json!({"years": 3, "action": "anonymise"}))
        .invalid("years");
    assert!(
        short["detail"]
            .as_str()
            .unwrap()
            .contains("at least 4 years"),
        "{short}"
    );
    app.call("PUT", &format!("{path}/attendance"))
        .token(&admin)
        .json(&json!({"years": 2, "action": "anonymise", "legal_minimum_years": 3}))
        .invalid("years");
    app.call("PUT", &format!("{path}/attendance"))
        .token(&admin)
        .json(&json!({"years": 5, "action": "delete"}))
        .invalid("action");
    app.call("PUT", &format!("{path}/financial"))
        .token(&admin)
        .json(&json!({"years": 6, "action": "delete"}))
        .invalid("action");
    app.call("PUT", &format!("{path}/minutes"))
        .token(&admin)
        .json(&json!({"years": 6, "action": "delete"}))
        .problem(400);
    app.call("PUT", &format!("{path}/reports"))
        .token(&coordinator)
        .json(&json!({"years": 6, "action": "delete"}))
        .problem(403);
    app.call("PUT", &format!("{path}/reports"))
        .token(&fa)
        .json(&json!({"years": 6, "action": "delete"}))
        .problem(404);
    assert_eq!(app.snapshot(), before);

    let policy = app.get(&path).token(&admin).send().ok(200);
    assert_eq!(attendance(&policy)["years"], 5);
    let reports = policy["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["record_class"] == "reports")
        .unwrap();
    assert_eq!(reports["is_default"], true);
    assert_eq!(reports["years"], 6);
}

#[test]
fn a_retention_run_anonymises_and_deletes_a_closed_cases_records_when_due_unless_held() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let admin = app.token(CL_ADMIN);
    let centre = app.centre_id("CL Gravesend Supervised");
    let id = new_case(&app, &coordinator, &centre, "supervised");
    activate(&app, &coordinator, &id, json!({"outcome": "suitable"}));
    let room = room_id(&app, &centre, "Family Room 1");
    let supervisor = user_id(&app, &admin, "supervisor@cl.example.org");
    held_session(
        &app,
        &id,
        json!({"starts_at": "2027-03-20T10:00:00Z", "ends_at": "2027-03-20T12:00:00Z", "room_id": room, "supervisor_id": supervisor}),
        Duration::days(2),
    );
    act(
        &app,
        &coordinator,
        &id,
        "close",
        json!({"reason": "completed", "notes": "Ann moved away"}),
    )
    .ok(200);
    let sessions_before = app
        .get(&format!("/v1/referrals/{id}/sessions"))
        .token(&coordinator)
        .send()
        .ok(200);

    // Not due yet: nothing happens.
    assert!(run(&app, 0, false).applied.is_empty());

    // A legal hold keeps everything, however long ago the case closed.
    let hold = app
        .post(&format!("/v1/referrals/{id}/legal-holds"))
        .token(&admin)
        .json(&json!({"reason": "appeal lodged at the Family Court"}))
        .ok(201);
    let before = app.snapshot();
    let held = run(&app, 7, false);
    assert!(held.applied.is_empty());
    assert_eq!(
        classes(&held.held),
        [
            RecordClass::Attendance,
            RecordClass::CaseRecords,
            RecordClass::Reports,
            RecordClass::Incidents,
            RecordClass::IndirectItems,
            RecordClass::Documents,
            RecordClass::Financial,
        ]
    );
    assert_eq!(app.snapshot(), before);
    // Only an org admin places or lifts one.
    app.post(&format!("/v1/referrals/{id}/legal-holds"))
        .token(&coordinator)
        .json(&json!({"reason": "x"}))
        .problem(403);
    let hold_id = hold["id"].as_str().unwrap();
    app.post(&format!("/v1/legal-holds/{hold_id}/lift"))
        .token(&admin)
        .json(&json!({}))
        .ok(200);
    app.post(&format!("/v1/legal-holds/{hold_id}/lift"))
        .token(&admin)
        .json(&json!({}))
        .problem(409);

    // A dry run says what would change and changes nothing.
    let before = app.snapshot();
    let dry = run(&app, 7, true);
    assert_eq!(dry.applied.len(), 7);
    assert_eq!(app.snapshot(), before);
    let named = app
        .get(&format!("/v1/referrals/{id}"))
        .token(&admin)
        .send()
        .ok(200);
    assert!(named.to_string().contains("ann@example.org"));

    // Seven years on: everything but the child's safeguarding record (25 years) is dealt with.
    let done = run(&app, 7, false);
    assert_eq!(classes(&done.applied), classes(&dry.applied));
    let shell = app
        .get(&format!("/v1/referrals/{id}"))
        .token(&admin)
        .send()
        .ok(200);
    let text = shell.to_string();
    for gone in [
        "Ann",
        "Smith",
        "Jones",
        "ann@example.org",
        "bob@example.org",
        "Dover",
        "Ann moved away",
        "Jo Brief",
    ] {
        assert!(!text.contains(gone), "{gone} in {text}");
    }
    assert_eq!(shell["status"], "closed");
    // Attendance and money stay, for the charity's statistics.
    let sessions_after = app
        .get(&format!("/v1/referrals/{id}/sessions"))
        .token(&coordinator)
        .send()
        .ok(200);
    assert_eq!(
        sessions_after["items"].as_array().map(Vec::len),
        sessions_before["items"].as_array().map(Vec::len)
    );
    let ledger = app
        .get(&format!("/v1/referrals/{id}/ledger"))
        .token(&app.token(FINANCE))
        .send()
        .ok(200);
    assert!(!ledger["charges"].as_array().unwrap().is_empty());
    app.get(&format!("/v1/referrals/{id}/assessment"))
        .token(&coordinator)
        .send()
        .problem(404);
    // Each class is dealt with once.
    assert!(run(&app, 8, false).applied.is_empty());
}
