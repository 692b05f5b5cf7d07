//! The parent's eye: a supervised case and a handover case, each walked from booking to
//! attendance and cancellation, while each parent reads every GET of the contract their
//! account can reach (found in the served OpenAPI document, path parameters filled with their
//! case's ids) and their calendar feed. Nothing the other parent is due or did in time, nor
//! their name or contact details, may appear in any of it.

use std::collections::BTreeSet;

use ccm_tests::{json, TestApp};
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use crate::sessions::{activate, room_id, user_id};

mod walk;
use crate::support::*;
use walk::walk;

const SUPERVISOR: &str = "supervisor@cl.example.org";
const PASSWORD: &str = "a-long-parent-password";

/// One adult of a case: who they are and how to find them.
struct Adult {
    role: &'static str,
    given: &'static str,
    family: &'static str,
    email: &'static str,
    phone: &'static str,
    line1: &'static str,
    postcode: &'static str,
    account: &'static str,
}

impl Adult {
    fn body(&self, account_id: &str) -> Value {
        json!({"given_name": self.given, "family_name": self.family, "account_id": account_id,
            "relationship": if self.role == "resident_parent" { "mother" } else { "father" },
            "contact": {"email": self.email, "phone": self.phone,
                "address": {"line1": self.line1, "town": "Faversham", "postcode": self.postcode}}})
    }

    fn identity(&self) -> Vec<String> {
        [
            self.given,
            self.family,
            self.email,
            self.phone,
            self.line1,
            self.postcode,
            self.account,
        ]
        .map(str::to_string)
        .to_vec()
    }
}

/// A case seen from both sides, with everything a walk needs to fill the contract's paths.
struct Case {
    id: String,
    centre: String,
    parents: [(Adult, String, String); 2],
    sessions: Vec<String>,
    reports: Vec<String>,
    document: String,
}

fn rfc(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap()
}

fn instant(v: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(v.as_str().unwrap(), &Rfc3339).unwrap()
}

/// A referral between two adults with accounts and a child, entered by the coordinator.
fn open_case(app: &TestApp, centre: &str, service: &str, adults: [Adult; 2]) -> Case {
    let (coordinator, admin) = (app.token(COORDINATOR), app.token(CL_ADMIN));
    let mut tokens = Vec::new();
    let mut body = json!({
        "centre_id": centre, "service_type": service,
        "referrer": {"kind": "solicitor", "name": "Jo Brief", "organisation": "Brief & Co", "email": "jo@brief.example"},
        "children": [{"given_name": "Kit", "family_name": "Marlowe", "date_of_birth": "2019-04-01"}],
        "risk": {"domestic_abuse": "none"},
        "court_ordered": true,
        "court": {"court": "Family Court at Medway", "case_number": "ME27P00077", "order_date": "2026-11-01",
            "report_recipients": ["resident_parent", "non_resident_parent"]}
    });
    for a in &adults {
        let user = app
            .post("/v1/users")
            .token(&admin)
            .json(
                &json!({"email": a.account, "display_name": format!("{} {}", a.given, a.family),
                "role": "parent", "password": PASSWORD}),
            )
            .ok(201);
        body[a.role] = a.body(user["id"].as_str().unwrap());
        tokens.push(app.login(a.account, PASSWORD));
    }
    let id = app
        .post("/v1/referrals")
        .token(&coordinator)
        .json(&body)
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut assessment = json!({"outcome": "suitable"});
    if service == "handover" {
        assessment["unsupervised_contact_appropriate"] = json!(true);
    }
    activate(app, &coordinator, &id, assessment);
    let [first, second] = adults;
    let persons: Vec<String> = [first.role, second.role]
        .iter()
        .map(|role| party_id(app, &coordinator, &id, role))
        .collect();
    let document = app
        .post(&format!(
            "/v1/referrals/{id}/documents?kind=court_order&filename=order.png"
        ))
        .token(&coordinator)
        .bytes("image/png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut tokens = tokens.into_iter();
    let mut persons = persons.into_iter();
    Case {
        id,
        centre: centre.to_string(),
        parents: [
            (first, tokens.next().unwrap(), persons.next().unwrap()),
            (second, tokens.next().unwrap(), persons.next().unwrap()),
        ],
        sessions: Vec::new(),
        reports: Vec::new(),
        document,
    }
}

/// Books a session, pays its charge and moves the case's sessions back so that this one
/// started `ago`; returns the session as staff see it.
fn book_paid(app: &TestApp, case: &mut Case, body: Value, ago: Duration) -> Value {
    let (coordinator, finance) = (app.token(COORDINATOR), app.token(FINANCE));
    let id = case.id.clone();
    let booked = app
        .post(&format!("/v1/referrals/{id}/sessions"))
        .token(&coordinator)
        .json(&body)
        .ok(201);
    let session = booked[0]["id"].as_str().unwrap().to_string();
    if let Some(charge) = booked[0]["charge_id"].as_str() {
        let ledger = app
            .get(&format!("/v1/referrals/{id}/ledger"))
            .token(&finance)
            .send()
            .ok(200);
        let amount = ledger["charges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == charge)
            .unwrap()["outstanding"]
            .clone();
        app.post(&format!("/v1/referrals/{id}/payments"))
            .token(&finance)
            .json(&json!({"charge_id": charge, "amount": amount, "method": "card"}))
            .ok(201);
    }
    let starts = instant(&booked[0]["starts_at"]);
    shift_sessions_back(app, &id, starts - (OffsetDateTime::now_utc() - ago));
    case.sessions.push(session.clone());
    app.get(&format!("/v1/sessions/{session}"))
        .token(&coordinator)
        .send()
        .ok(200)
}

/// A session held two days ago: both parents checked in (two minutes after they were due)
/// and out (a minute before).
fn hold(app: &TestApp, case: &mut Case, body: Value) {
    let s = book_paid(app, case, body, Duration::days(2));
    let id = s["id"].as_str().unwrap();
    for party in ["resident_parent", "non_resident_parent"] {
        let arrive = instant(&party_time(&s, party, "expected_arrival"));
        let depart = instant(&party_time(&s, party, "expected_departure"));
        for (step, at) in [
            ("check-in", arrive + Duration::minutes(2)),
            ("check-out", depart - Duration::minutes(1)),
        ] {
            app.post(&format!("/v1/sessions/{id}/{step}"))
                .token(&app.token(COORDINATOR))
                .json(&json!({"party": party, "at": rfc(at)}))
                .ok(200);
        }
    }
}

/// A session under way: the first parent due is checked in as they arrive, now (so the
/// session changes at the very time of their arrival).
fn under_way(app: &TestApp, case: &mut Case, body: Value, first: &str) {
    let s = book_paid(app, case, body, Duration::minutes(5));
    app.post(&format!(
        "/v1/sessions/{}/check-in",
        s["id"].as_str().unwrap()
    ))
    .token(&app.token(COORDINATOR))
    .json(&json!({"party": first}))
    .ok(200);
    // A feed is stamped with when it is read: read in the same second, it would show that
    // second whatever the server did, so the walk starts in a later one.
    std::thread::sleep(std::time::Duration::from_millis(1100));
}

/// Books a session still to come; the parent in `canceller` (if any) cancels it themselves.
fn book(app: &TestApp, case: &mut Case, body: Value, canceller: Option<usize>) {
    let booked = app
        .post(&format!("/v1/referrals/{}/sessions", case.id))
        .token(&app.token(COORDINATOR))
        .json(&body)
        .ok(201);
    let session = booked[0]["id"].as_str().unwrap().to_string();
    if let Some(i) = canceller {
        let (adult, token, _) = &case.parents[i];
        let cancelled = app
            .post(&format!("/v1/sessions/{session}/cancel"))
            .token(token)
            .json(&json!({"cancelled_by": adult.role, "reason": "unwell"}))
            .ok(200);
        assert_eq!(cancelled["status"], "cancelled");
    }
    case.sessions.push(session);
}

/// A report on a held supervised session, released to both parents.
fn release_report(app: &TestApp, case: &mut Case, session: &str) {
    let (coordinator, admin, supervisor) = (
        app.token(COORDINATOR),
        app.token(CL_ADMIN),
        app.token(SUPERVISOR),
    );
    let report = app
        .call("PUT", &format!("/v1/sessions/{session}/report"))
        .token(&supervisor)
        .json(&json!({"arrival": "Settled in well.", "activities": "Drawing and a board game."}))
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
            json!({"recipients": ["resident_parent", "non_resident_parent"]}),
        ),
    ] {
        app.post(&format!("/v1/reports/{report}/{action}"))
            .token(token)
            .json(&body)
            .ok(200);
    }
    case.reports.push(report);
}

/// What every parent's walk must at least have read, so the walk cannot pass by reading
/// nothing.
const MUST_READ: &[&str] = &[
    "GET /v1/me",
    "GET /v1/referrals",
    "GET /v1/referrals/{id}",
    "GET /v1/referrals/{id}/sessions",
    "GET /v1/sessions/{id}",
    "GET /v1/calendar/{token}",
    "GET /v1/referrals/{id}/calendar-feeds",
    "GET /v1/calendar-feeds/{id}",
    "GET /v1/referrals/{id}/pre-visits",
    "GET /v1/people/{id}",
];

fn check_both_parents(app: &TestApp, case: &Case) -> BTreeSet<String> {
    let mut all = BTreeSet::new();
    for me in 0..2 {
        let covered = walk(app, case, me);
        for op in MUST_READ {
            assert!(covered.contains(*op), "{op} not read: {covered:?}");
        }
        // The parts of their own case a parent may not see are refused, not hidden.
        let (_, token, _) = &case.parents[me];
        for path in [
            format!("/v1/referrals/{}/documents", case.id),
            format!("/v1/documents/{}", case.document),
        ] {
            app.get(&path).token(token).send().problem(403);
        }
        all.extend(covered);
    }
    all
}

#[test]
fn neither_parent_reads_the_other_parents_times_or_details_anywhere() {
    let app = TestApp::with_demo();
    let admin = app.token(CL_ADMIN);

    // Supervised: the father is settled first (10:00), the mother brings the child at 10:15.
    let centre = app.centre_id("CL Gravesend Supervised");
    let mut supervised = open_case(
        &app,
        &centre,
        "supervised",
        [
            Adult {
                role: "resident_parent",
                given: "Morwenna",
                family: "Ashdown",
                email: "morwenna@home.example",
                phone: "07700 900111",
                line1: "11 Orchard Row",
                postcode: "ME13 7QQ",
                account: "morwenna.eye@example.org",
            },
            Adult {
                role: "non_resident_parent",
                given: "Thaddeus",
                family: "Brennan",
                email: "thaddeus@home.example",
                phone: "07700 900222",
                line1: "22 Mill Lane",
                postcode: "ME13 8ZZ",
                account: "thaddeus.eye@example.org",
            },
        ],
    );
    let room = room_id(&app, &centre, "Family Room 1");
    let supervisor = user_id(&app, &admin, SUPERVISOR);
    let at = |start: &str, end: &str| json!({"starts_at": start, "ends_at": end, "room_id": room, "supervisor_id": supervisor});
    hold(
        &app,
        &mut supervised,
        at("2027-03-20T10:00:00Z", "2027-03-20T12:00:00Z"),
    );
    let held = supervised.sessions[0].clone();
    release_report(&app, &mut supervised, &held);
    book(
        &app,
        &mut supervised,
        at("2027-03-27T10:00:00Z", "2027-03-27T12:00:00Z"),
        None,
    );
    book(
        &app,
        &mut supervised,
        at("2027-04-03T10:00:00Z", "2027-04-03T12:00:00Z"),
        Some(0),
    );
    under_way(
        &app,
        &mut supervised,
        at("2027-04-10T10:00:00Z", "2027-04-10T12:00:00Z"),
        "non_resident_parent",
    );
    let mut covered = check_both_parents(&app, &supervised);

    // Handover: the mother drops the child at 09:00 and collects at 12:30; the father has
    // the child from 09:15 to 12:15.
    let mut handover = open_case(
        &app,
        &app.centre_id("CL Ashford"),
        "handover",
        [
            Adult {
                role: "resident_parent",
                given: "Philippa",
                family: "Quennell",
                email: "philippa@home.example",
                phone: "07700 900333",
                line1: "33 Church Walk",
                postcode: "TN25 4XY",
                account: "philippa.eye@example.org",
            },
            Adult {
                role: "non_resident_parent",
                given: "Ambrose",
                family: "Ridley",
                email: "ambrose@home.example",
                phone: "07700 900444",
                line1: "44 Station Road",
                postcode: "TN26 5WV",
                account: "ambrose.eye@example.org",
            },
        ],
    );
    hold(
        &app,
        &mut handover,
        json!({"handover": {"date": "2027-06-05", "slot": "morning"}}),
    );
    book(
        &app,
        &mut handover,
        json!({"handover": {"date": "2027-06-12", "slot": "afternoon"}}),
        None,
    );
    book(
        &app,
        &mut handover,
        json!({"handover": {"date": "2027-06-19", "slot": "morning"}}),
        Some(1),
    );
    under_way(
        &app,
        &mut handover,
        json!({"handover": {"date": "2027-06-26", "slot": "morning"}}),
        "resident_parent",
    );
    covered.extend(check_both_parents(&app, &handover));

    // The closing note names these: every operation some parent read.
    eprintln!("parent-readable operations covered: {covered:#?}");
    for op in [
        "GET /v1/referrals/{id}/released-reports",
        "GET /v1/referrals/{id}/ledger",
    ] {
        assert!(covered.contains(op), "{op} not read: {covered:?}");
    }
}
