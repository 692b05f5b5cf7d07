//! The audit trail: every write and every read of confidential data leaves an append-only
//! event naming who, in what role, did what to which record, and which fields (never their
//! values); org admins read it; nobody can change or remove it.

use ccm_tests::{json, TestApp};
use serde_json::Value;

use crate::support::{referral, CL_ADMIN, COORDINATOR};

const SUPERVISOR: &str = "supervisor@cl.example.org";
const VOLUNTEER: &str = "volunteer@cl.example.org";
const FINANCE: &str = "finance@cl.example.org";

fn me(app: &TestApp, token: &str) -> String {
    app.get("/v1/me").token(token).send().ok(200)["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The org admin's view of the trail for `query`.
fn trail(app: &TestApp, admin: &str, query: &str) -> Vec<Value> {
    app.get(&format!("/v1/audit?limit=200&{query}"))
        .token(admin)
        .send()
        .ok(200)["items"]
        .as_array()
        .unwrap()
        .clone()
}

/// A CL supported case; returns (referral id, the non-resident parent's person id).
fn case(app: &TestApp, coordinator: &str) -> (String, String) {
    let centre = app.centre_id("CL Dover");
    let created = app
        .post("/v1/referrals")
        .token(coordinator)
        .json(&referral(&centre, "supported"))
        .ok(201);
    let nrp = created["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["role"] == "non_resident_parent")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    (created["id"].as_str().unwrap().to_string(), nrp)
}

#[test]
fn a_write_is_recorded_with_who_what_and_which_fields_but_no_values() {
    let app = TestApp::with_demo();
    let (coordinator, admin) = (app.token(COORDINATOR), app.token(CL_ADMIN));
    let coordinator_id = me(&app, &coordinator);
    let centre = app.centre_id("CL Dover");
    let r = app
        .post("/v1/referrals")
        .token(&coordinator)
        .json(&referral(&centre, "supported"));
    let created = r.ok(201);
    let id = created["id"].as_str().unwrap();

    let events = trail(&app, &admin, &format!("referral_id={id}&kind=write"));
    assert_eq!(events.len(), 1, "{events:?}");
    let e = &events[0];
    assert_eq!(e["action"], "POST /v1/referrals");
    assert_eq!(e["entity_type"], "referral");
    assert_eq!(e["entity_id"], id);
    assert_eq!(e["actor_id"], coordinator_id.as_str());
    assert_eq!(e["actor_role"], "coordinator");
    assert_eq!(e["request_id"], r.header("x-request-id").unwrap());
    let fields: Vec<&str> = e["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(fields.contains(&"non_resident_parent.contact.address.line1"));
    assert!(fields.contains(&"risk.domestic_abuse"));
    // Names only: not one of the values written is in the trail.
    let text = e.to_string();
    for value in ["2 Quay St", "bob@example.org", "Dover", "Jones"] {
        assert!(!text.contains(value), "{value} leaked into {text}");
    }

    // A change to a record of the case, made at another path, is on the case's trail too.
    app.post(&format!("/v1/referrals/{id}/decline"))
        .token(&coordinator)
        .json(&json!({"reason": "Needs supervised contact", "signposted_service": "supervised"}))
        .ok(200);
    let events = trail(&app, &admin, &format!("referral_id={id}&kind=write"));
    assert_eq!(events.len(), 2);
    assert_eq!(events[1]["action"], "POST /v1/referrals/{id}/decline");
    assert_eq!(events[1]["fields"], json!(["reason", "signposted_service"]));
}

#[test]
fn a_rejected_write_leaves_no_event() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let centre = app.centre_id("CL Dover");
    let mut body = referral(&centre, "supported");
    body["service_type"] = json!("astrology");
    let before = app.snapshot();
    app.post("/v1/referrals")
        .token(&coordinator)
        .json(&body)
        .invalid("service_type");
    assert_eq!(app.snapshot(), before);
}

#[test]
fn reading_contact_details_or_risk_is_recorded_as_a_read() {
    let app = TestApp::with_demo();
    let (coordinator, admin) = (app.token(COORDINATOR), app.token(CL_ADMIN));
    let (id, _) = case(&app, &coordinator);
    app.get(&format!("/v1/referrals/{id}"))
        .token(&coordinator)
        .send()
        .ok(200);
    let reads = trail(&app, &admin, &format!("referral_id={id}&kind=read"));
    let read = reads
        .iter()
        .find(|e| e["action"] == "GET /v1/referrals/{id}")
        .expect("the read is recorded");
    assert_eq!(read["entity_type"], "referral");
    assert_eq!(read["entity_id"], id.as_str());
    assert_eq!(
        read["fields"],
        json!(["parties[].contact", "parties[].needs", "risk"])
    );
    assert_eq!(read["actor_role"], "coordinator");

    // A volunteer's view carries neither contact details nor risks: nothing confidential was
    // read, so nothing is recorded.
    let volunteer = app.token(VOLUNTEER);
    let volunteer_id = me(&app, &volunteer);
    let view = app
        .get(&format!("/v1/referrals/{id}"))
        .token(&volunteer)
        .send()
        .ok(200);
    assert!(view.get("risk").is_none());
    assert!(trail(&app, &admin, &format!("actor_id={volunteer_id}&kind=read")).is_empty());
}

#[test]
fn contact_details_outside_the_normal_view_need_a_reason_and_volunteers_never_see_them() {
    let app = TestApp::with_demo();
    let (coordinator, admin) = (app.token(COORDINATOR), app.token(CL_ADMIN));
    let (supervisor, volunteer, finance) = (
        app.token(SUPERVISOR),
        app.token(VOLUNTEER),
        app.token(FINANCE),
    );
    let fa = app.token("orgadmin@fa.example.org");
    let (_, nrp) = case(&app, &coordinator);
    let path = format!("/v1/people/{nrp}/contact");

    // Refusals record nothing and change nothing.
    let before = app.snapshot();
    let body = app.get(&path).token(&volunteer).send().problem(403);
    assert!(body["detail"].as_str().unwrap().contains("volunteers"));
    let body = app.get(&path).token(&supervisor).send().problem(403);
    assert!(
        body["detail"].as_str().unwrap().contains("reason"),
        "{body}"
    );
    app.get(&format!("{path}?reason=%20%20"))
        .token(&finance)
        .send()
        .problem(403);
    app.get(&format!("{path}?reason={}", "x".repeat(501)))
        .token(&supervisor)
        .send()
        .problem(400);
    app.get(&path).token(&fa).send().problem(404);
    assert_eq!(app.snapshot(), before);

    // The coordinator opens them in the normal course of work.
    let contact = app.get(&path).token(&coordinator).send().ok(200);
    assert_eq!(contact["address_line1"], "2 Quay St");
    assert_eq!(contact["email"], "bob@example.org");

    // The supervisor may, with a reason, which is kept with the read.
    let reason = "Dad is late and not answering the centre phone";
    app.get(&format!("{path}?reason={}", reason.replace(' ', "%20")))
        .token(&supervisor)
        .send()
        .ok(200);
    let reads = trail(&app, &admin, &format!("entity_type=person&entity_id={nrp}"));
    assert_eq!(reads.len(), 2, "{reads:?}");
    assert_eq!(reads[0]["actor_role"], "coordinator");
    assert_eq!(reads[0]["reason"], Value::Null);
    assert_eq!(reads[1]["actor_role"], "supervisor");
    assert_eq!(reads[1]["reason"], reason);
    assert_eq!(reads[1]["kind"], "read");
    assert_eq!(reads[1]["fields"], json!(["contact"]));
    assert!(!reads[1].to_string().contains("Quay"));
}

#[test]
fn org_admins_read_their_own_trail_filtered_and_in_pages() {
    let app = TestApp::with_demo();
    let (coordinator, admin) = (app.token(COORDINATOR), app.token(CL_ADMIN));
    let fa = app.token("orgadmin@fa.example.org");
    let coordinator_id = me(&app, &coordinator);
    let (a, _) = case(&app, &coordinator);
    let (b, _) = case(&app, &coordinator);

    // Other staff may not read it; another provider's admin sees none of CL's events.
    app.get("/v1/audit").token(&coordinator).send().problem(403);
    assert!(trail(&app, &fa, &format!("referral_id={a}")).is_empty());

    let mine = trail(
        &app,
        &admin,
        &format!("actor_id={coordinator_id}&kind=write&entity_type=referral"),
    );
    assert_eq!(mine.len(), 2);
    assert_eq!(mine[0]["entity_id"], a.as_str());
    assert_eq!(mine[1]["entity_id"], b.as_str());

    let first = app
        .get(&format!(
            "/v1/audit?actor_id={coordinator_id}&kind=write&entity_type=referral&limit=1"
        ))
        .token(&admin)
        .send()
        .ok(200);
    assert_eq!(first["items"][0]["entity_id"], a.as_str());
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = app
        .get(&format!(
            "/v1/audit?actor_id={coordinator_id}&kind=write&entity_type=referral&limit=1&cursor={cursor}"
        ))
        .token(&admin)
        .send()
        .ok(200);
    assert_eq!(second["items"][0]["entity_id"], b.as_str());
    assert_eq!(second["next_cursor"], Value::Null);

    // A time window: everything so far is before a minute from now, nothing after it.
    let later = (time::OffsetDateTime::now_utc() + time::Duration::minutes(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    assert!(trail(&app, &admin, &format!("from={later}")).is_empty());
    assert_eq!(
        trail(
            &app,
            &admin,
            &format!("to={later}&actor_id={coordinator_id}&kind=write&entity_type=referral")
        )
        .len(),
        2
    );
    let body = app
        .get("/v1/audit?from=yesterday")
        .token(&admin)
        .send()
        .problem(400);
    assert_eq!(body["errors"][0]["field"], "from");
}

#[test]
fn nobody_can_change_or_remove_an_audit_event() {
    let app = TestApp::with_demo();
    let (coordinator, admin) = (app.token(COORDINATOR), app.token(CL_ADMIN));
    case(&app, &coordinator);
    let events = trail(&app, &admin, "kind=write");
    let id = events[0]["id"].as_str().unwrap().to_string();
    let before = app.snapshot();

    // Not through the API: there is no route that writes to the trail.
    for method in ["POST", "PUT", "PATCH", "DELETE"] {
        let r = app.call(method, "/v1/audit").token(&admin).send();
        assert_eq!(r.status, 405, "{method}: {}", r.text);
    }
    for method in ["PUT", "PATCH", "DELETE"] {
        let r = app
            .call(method, &format!("/v1/audit/{id}"))
            .token(&admin)
            .send();
        assert_eq!(r.status, 404, "{method}: {}", r.text);
    }

    // Nor with SQL: the database refuses, on both backends.
    use diesel::prelude::*;
    for sql in [
        format!("UPDATE audit_events SET action = 'nothing' WHERE id = '{id}'"),
        format!("DELETE FROM audit_events WHERE id = '{id}'"),
        "DELETE FROM audit_events".to_string(),
    ] {
        let result = app.db.write(|conn| {
            diesel::sql_query(&sql)
                .execute(conn)
                .map_err(ccm_persistence::StoreError::from)
        });
        let error = result.expect_err(&sql).to_string();
        assert!(error.contains("append-only"), "{sql}: {error}");
    }
    assert_eq!(app.snapshot(), before);
    assert_eq!(trail(&app, &admin, "kind=write")[0], events[0]);
}

#[test]
fn a_sign_in_is_recorded_against_its_account_and_a_failed_one_is_not() {
    let app = TestApp::with_demo();
    let admin = app.token(CL_ADMIN);
    let coordinator = app.token(COORDINATOR);
    let coordinator_id = me(&app, &coordinator);
    let r = app
        .post("/v1/auth/token")
        .json(&json!({"email": COORDINATOR, "password": "not-the-password"}));
    assert_eq!(r.status, 401);
    let events = trail(&app, &admin, &format!("actor_id={coordinator_id}"));
    let sign_ins: Vec<&Value> = events
        .iter()
        .filter(|e| e["action"] == "POST /v1/auth/token")
        .collect();
    assert_eq!(sign_ins.len(), 1, "{events:?}");
    assert_eq!(sign_ins[0]["actor_role"], "coordinator");
    assert_eq!(sign_ins[0]["fields"], json!(["email", "password"]));
    assert!(!trail(&app, &admin, "")
        .iter()
        .any(|e| e["actor_id"].is_null()));
}
