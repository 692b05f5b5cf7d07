//! Subject access exports: everything the provider holds on one person, produced by its org
//! admins and coordinators, holding nobody's details but the subject's own, and audited.

use ccm_tests::{json, TestApp};
use serde_json::Value;
use time::Duration;

use crate::reports::held_session;
use crate::sessions::{activate, new_case, room_id, user_id};
use crate::support::*;

const SUPERVISOR: &str = "supervisor@cl.example.org";
const VOLUNTEER: &str = "volunteer@cl.example.org";
const BOB_PHONE: &str = "07700 911222";
const CONCERN: &str = "Cal said he is frightened of the dog at home.";

/// A court-ordered supervised case at CL with both parents (each with an account) and a
/// child: one session held and paid for by the father, one cancelled by the mother (she pays
/// its fee), and a report released to the mother.
struct Story {
    id: String,
    held: String,
    ann: String,
    bob: String,
    cal: String,
    ann_token: String,
    bob_token: String,
}

fn story(app: &TestApp) -> Story {
    let (coordinator, admin, supervisor, finance) = (
        app.token(COORDINATOR),
        app.token(CL_ADMIN),
        app.token(SUPERVISOR),
        app.token(FINANCE),
    );
    let (ann_id, ann_token) = parent_account(app, "ann.sar@example.org");
    let (bob_id, bob_token) = parent_account(app, "bob.sar@example.org");
    let centre = app.centre_id("CL Gravesend Supervised");
    let mut body = referral(&centre, "supervised");
    body["resident_parent"]["account_id"] = json!(ann_id);
    body["non_resident_parent"]["account_id"] = json!(bob_id);
    body["non_resident_parent"]["contact"]["phone"] = json!(BOB_PHONE);
    body["court_ordered"] = json!(true);
    body["court"] = json!({"court": "Family Court at Medway", "case_number": "ME27P00009", "order_date": "2026-11-01",
        "report_recipients": ["resident_parent"]});
    let id = app
        .post("/v1/referrals")
        .token(&coordinator)
        .json(&body)
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    activate(app, &coordinator, &id, json!({"outcome": "suitable"}));
    let room = room_id(app, &centre, "Family Room 1");
    let supervisor_id = user_id(app, &admin, SUPERVISOR);
    let held = held_session(
        app,
        &id,
        json!({"starts_at": "2027-03-20T10:00:00Z", "ends_at": "2027-03-20T12:00:00Z",
            "room_id": room, "supervisor_id": supervisor_id}),
        Duration::days(2),
    );

    // The mother cancels a later session: she pays its fee.
    let later = app
        .post(&format!("/v1/referrals/{id}/sessions"))
        .token(&coordinator)
        .json(
            &json!({"starts_at": "2027-03-27T10:00:00Z", "ends_at": "2027-03-27T12:00:00Z",
            "room_id": room, "supervisor_id": supervisor_id}),
        )
        .ok(201)[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let cancelled = app
        .post(&format!("/v1/sessions/{later}/cancel"))
        .token(&coordinator)
        .json(&json!({"cancelled_by": "resident_parent", "reason": "unwell"}))
        .ok(200);
    let fee = cancelled["cancellation"]["charge_id"].as_str().unwrap();
    let ledger = app
        .get(&format!("/v1/referrals/{id}/ledger"))
        .token(&finance)
        .send()
        .ok(200);
    let charge = ledger["charges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == fee)
        .unwrap()
        .clone();
    assert_eq!(charge["payer"], "resident_parent");
    app.post(&format!("/v1/referrals/{id}/payments"))
        .token(&finance)
        .json(&json!({"charge_id": fee, "amount": charge["amount"], "method": "card", "reference": "ANN-1"}))
        .ok(201);

    // A report on the held session, released to the mother as the order says.
    let report = app
        .call("PUT", &format!("/v1/sessions/{held}/report"))
        .token(&supervisor)
        .json(&json!({"arrival": "Settled in the room at 10:00.", "activities": "Drawing and a board game."}))
        .ok(200)["id"]
        .as_str()
        .unwrap()
        .to_string();
    for (token, action, body) in [
        (&supervisor, "submit", json!({})),
        (&coordinator, "approve", json!({})),
        (
            &admin,
            "release",
            json!({"recipients": ["resident_parent"]}),
        ),
    ] {
        app.post(&format!("/v1/reports/{report}/{action}"))
            .token(token)
            .json(&body)
            .ok(200);
    }

    let person = |role: &str| party_id(app, &coordinator, &id, role);
    // A concern about the child, and the court order filed on the case.
    app.post(&format!("/v1/referrals/{id}/safeguarding-concerns"))
        .token(&coordinator)
        .json(&json!({"child_id": person("child"), "concern": CONCERN, "suspend_case": false}))
        .ok(201);
    app.post(&format!(
        "/v1/referrals/{id}/documents?kind=court_order&filename=order.png"
    ))
    .token(&coordinator)
    .bytes("image/png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    .ok(201);
    Story {
        held,
        ann: person("resident_parent"),
        bob: person("non_resident_parent"),
        cal: person("child"),
        id,
        ann_token,
        bob_token,
    }
}

fn export(app: &TestApp, token: &str, person: &str) -> Value {
    app.get(&format!("/v1/people/{person}/export"))
        .token(token)
        .send()
        .ok(200)
}

fn absent(text: &str, what: &[&str]) {
    for w in what {
        assert!(!text.contains(w), "the export holds {w:?}: {text}");
    }
}

#[test]
fn a_parents_export_holds_their_own_data_and_none_of_the_other_parents() {
    let app = TestApp::with_demo();
    let s = story(&app);
    let (coordinator, admin) = (app.token(COORDINATOR), app.token(CL_ADMIN));

    let ann = export(&app, &coordinator, &s.ann);
    assert_eq!(ann["subject"]["id"], s.ann.as_str());
    assert_eq!(ann["subject"]["given_name"], "Ann");
    assert_eq!(ann["subject"]["contact"]["email"], "ann@example.org");
    assert!(ann["subject"]["contact"]["phone"].is_string());
    assert_eq!(ann["account"]["email"], "ann.sar@example.org");
    assert_eq!(ann["account"]["role"], "parent");
    assert!(ann["generated_at"].is_string());
    assert!(ann["generated_by"].is_string());
    assert!(!ann["notes"].as_array().unwrap().is_empty());

    let cases = ann["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 1);
    let case = &cases[0];
    assert_eq!(case["referral_id"], s.id.as_str());
    assert_eq!(case["party_role"], "resident_parent");
    assert_eq!(case["service_type"], "supervised");
    assert_eq!(case["status"], "active");
    assert_eq!(case["centre_name"], "CL Gravesend Supervised");
    // The other parent by role only; her child by given name.
    let others = case["other_parties"].as_array().unwrap();
    assert!(others.contains(&json!({"role": "non_resident_parent", "given_name": null})));
    assert!(others.contains(&json!({"role": "child", "given_name": "Cal"})));
    assert_eq!(case["pre_visits"].as_array().unwrap().len(), 1);

    // Her own times at the session she attended; the one she cancelled.
    let sessions = case["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    let held = sessions
        .iter()
        .find(|x| x["id"] == s.held.as_str())
        .unwrap();
    assert_eq!(held["attendance"]["party"], "resident_parent");
    // The session's date, never its bounds: those are the other parent's arrival and departure.
    assert!(held["date"].is_string(), "{held}");
    assert!(held.get("starts_at").is_none() && held.get("ends_at").is_none());
    assert!(held["attendance"]["arrived_at"].is_string());
    assert!(held["attendance"]["departed_at"].is_string());
    let cancelled = sessions
        .iter()
        .find(|x| x["id"] != s.held.as_str())
        .unwrap();
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["cancelled_by"], "resident_parent");

    // Only what she is the payer of: the cancellation fee and her payment of it.
    let charges = case["charges"].as_array().unwrap();
    assert_eq!(charges.len(), 1, "{charges:?}");
    assert_eq!(charges[0]["kind"], "cancellation");
    assert_eq!(charges[0]["currency"], "GBP");
    assert_eq!(charges[0]["entries"][0]["kind"], "payment");
    assert_eq!(charges[0]["entries"][0]["reference"], "ANN-1");
    assert_eq!(charges[0]["entries"][0]["amount"], charges[0]["amount"]);

    let reports = case["released_reports"].as_array().unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0]["recipient"], "resident_parent");
    assert_eq!(
        reports[0]["sections"]["activities"],
        "Drawing and a board game."
    );
    // No concerns about her (they are about the child); the court order as metadata.
    assert_eq!(case["safeguarding_concerns"], json!([]));
    let documents = case["documents"].as_array().unwrap();
    assert_eq!(documents.len(), 1);
    assert_eq!(documents[0]["kind"], "court_order");
    assert_eq!(documents[0]["filename"], "order.png");
    assert!(documents[0].get("storage_key").is_none());

    // Nothing of the father: not his name, address, e-mail, phone, account or times.
    let text = ann.to_string();
    absent(
        &text,
        &[
            "Bob",
            "Jones",
            "Quay",
            "Dover",
            "CT16",
            "bob@example.org",
            "bob.sar@example.org",
            BOB_PHONE,
            "\"party\":\"non_resident_parent\"",
            &s.bob,
        ],
    );

    // The father's export is the mirror: his details, his payments, no report (the order
    // does not name him), nothing of the mother.
    let bob = export(&app, &admin, &s.bob);
    assert_eq!(bob["subject"]["contact"]["address_line1"], "2 Quay St");
    assert_eq!(bob["subject"]["contact"]["phone"], BOB_PHONE);
    let case = &bob["cases"][0];
    assert_eq!(case["party_role"], "non_resident_parent");
    let charges = case["charges"].as_array().unwrap();
    assert!(charges.iter().any(|c| c["kind"] == "session"
        && c["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "payment")));
    assert!(charges.iter().all(|c| c["kind"] != "cancellation"));
    assert_eq!(case["released_reports"], json!([]));
    let held = case["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == s.held.as_str())
        .unwrap()
        .clone();
    assert_eq!(held["attendance"]["party"], "non_resident_parent");
    let phone = ann["subject"]["contact"]["phone"].as_str().unwrap();
    absent(
        &bob.to_string(),
        &[
            "Ann",
            "ann@example.org",
            "ann.sar@example.org",
            phone,
            "\"party\":\"resident_parent\"",
            &s.ann,
        ],
    );

    // The child's export names nobody and shows nobody's times or money.
    let cal = export(&app, &coordinator, &s.cal);
    let case = &cal["cases"][0];
    assert_eq!(case["party_role"], "child");
    assert!(cal["account"].is_null());
    assert!(case["other_parties"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["given_name"].is_null()));
    assert!(case["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["attendance"].is_null()));
    assert_eq!(case["charges"], json!([]));
    assert_eq!(case["released_reports"], json!([]));
    // The concern about him: status and dates, not its text.
    let concerns = case["safeguarding_concerns"].as_array().unwrap();
    assert_eq!(concerns.len(), 1);
    assert!(concerns[0]["status"].is_string());
    assert!(concerns[0]["raised_at"].is_string());
    absent(
        &cal.to_string(),
        &[
            "Ann",
            "Bob",
            "Quay",
            "ann@example.org",
            "bob@example.org",
            phone,
            BOB_PHONE,
            "frightened",
        ],
    );

    // Each export is a read of the person on the audit trail, naming what it held.
    let trail = app
        .get(&format!(
            "/v1/audit?entity_type=person&entity_id={}&kind=read",
            s.ann
        ))
        .token(&admin)
        .send()
        .ok(200);
    let reads: Vec<&Value> = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "GET /v1/people/{id}/export")
        .collect();
    assert_eq!(reads.len(), 1, "{trail}");
    assert_eq!(reads[0]["actor_role"], "coordinator");
    let fields = reads[0]["fields"].as_array().unwrap();
    for block in [
        "record",
        "contact",
        "account",
        "cases",
        "sessions",
        "charges",
        "released_reports",
    ] {
        assert!(fields.contains(&json!(block)), "{block}: {fields:?}");
    }
    assert!(!reads[0].to_string().contains("ann@example.org"));
}

#[test]
fn only_the_providers_org_admins_and_coordinators_export_and_a_refusal_writes_nothing() {
    let app = TestApp::with_demo();
    let s = story(&app);
    let (supervisor, volunteer, finance) = (
        app.token(SUPERVISOR),
        app.token(VOLUNTEER),
        app.token(FINANCE),
    );
    let fa = app.token("orgadmin@fa.example.org");
    let path = |person: &str| format!("/v1/people/{person}/export");

    let before = app.snapshot();
    for token in [&supervisor, &volunteer, &finance] {
        let body = app.get(&path(&s.ann)).token(token).send().problem(403);
        assert!(body["detail"].as_str().unwrap().contains("coordinators"));
    }
    // A parent asks the centre for their own; of anyone else they learn nothing.
    app.get(&path(&s.ann))
        .token(&s.ann_token)
        .send()
        .problem(403);
    app.get(&path(&s.ann))
        .token(&s.bob_token)
        .send()
        .problem(404);
    // Another provider's admin, an unknown person, no token.
    app.get(&path(&s.ann)).token(&fa).send().problem(404);
    app.get(&path("0193aaaa-0000-7000-8000-000000000000"))
        .token(&fa)
        .send()
        .problem(404);
    app.get(&path(&s.ann)).send().problem(401);
    assert_eq!(app.snapshot(), before);

    let admin = app.token(CL_ADMIN);
    let unknown = app
        .get(&path("0193aaaa-0000-7000-8000-000000000000"))
        .token(&admin)
        .send();
    unknown.problem(404);
    let trail = app
        .get(&format!("/v1/audit?entity_type=person&entity_id={}", s.ann))
        .token(&admin)
        .send()
        .ok(200);
    assert!(
        trail["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["action"] != "GET /v1/people/{id}/export"),
        "{trail}"
    );
}

#[test]
fn a_letterbox_item_is_listed_for_its_sender_and_its_recipient_without_its_contents() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let centre = app.centre_id("CL Chatham Supervised");
    let id = new_case(&app, &coordinator, &centre, "indirect");
    activate(&app, &coordinator, &id, json!({"outcome": "suitable"}));
    let item = app
        .post(&format!("/v1/referrals/{id}/indirect-items"))
        .token(&coordinator)
        .json(&json!({"direction": "to_child", "kind": "letter", "from_whom": "Dad",
            "description": "A two-page letter and a drawing", "received_at": "2026-11-20T09:30:00Z"}))
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let person = |role: &str| party_id(&app, &coordinator, &id, role);
    for (role, side) in [
        ("non_resident_parent", "sent"),
        ("resident_parent", "received"),
        ("child", "received"),
    ] {
        let out = export(&app, &coordinator, &person(role));
        let items = out["cases"][0]["letterbox"].as_array().unwrap().clone();
        assert_eq!(items.len(), 1, "{role}");
        assert_eq!(items[0]["id"], item.as_str());
        assert_eq!(items[0]["side"], side, "{role}");
        assert_eq!(items[0]["direction"], "to_child");
        assert_eq!(items[0]["kind"], "letter");
        assert_eq!(items[0]["received_at"], "2026-11-20T09:30:00Z");
        absent(&out.to_string(), &["two-page", "Dad"]);
    }
}
