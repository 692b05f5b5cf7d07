//! Round trips to the database, counted: each response says (in development) how many SQL
//! statements answering it took, and `/metrics` totals them per route. Counts do not depend on
//! the machine, so they are asserted as numbers.

use ccm_tests::{json, TestApp};
use serde_json::Value;

use crate::sessions::room_id;
use crate::shared_sessions::family_case;
use crate::support::*;

/// The total `ccm_db_statements_total` shows for a route, method and status.
fn metric(app: &TestApp, labels: &str) -> u64 {
    let text = app.get("/metrics").send().text;
    let prefix = format!("ccm_db_statements_total{{{labels}}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no {prefix} in\n{text}"))
        .parse()
        .unwrap()
}

#[test]
fn each_response_counts_its_statements_and_metrics_total_them() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let dover = app.centre_id("CL Dover");
    let created = app
        .post("/v1/referrals")
        .token(&coordinator)
        .json(&referral(&dover, "supported"));
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.json()["id"].as_str().unwrap().to_string();
    let reads: Vec<u64> = (0..2)
        .map(|_| {
            let r = app
                .get(&format!("/v1/referrals/{id}"))
                .token(&coordinator)
                .send();
            assert_eq!(r.status, 200);
            r.statements()
        })
        .collect();
    assert!(reads[0] > 0, "a read of a referral touches the database");
    assert_eq!(reads[0], reads[1], "the same read costs the same");
    let labels = r#"route="/v1/referrals/{id}",method="GET",status="200""#;
    assert_eq!(metric(&app, labels), reads[0] + reads[1]);
    assert_eq!(
        metric(&app, r#"route="/v1/referrals",method="POST",status="201""#),
        created.statements()
    );
    // Nothing but the process itself: no statement.
    assert_eq!(app.get("/healthz").send().statements(), 0);
}

/// A referral with two parents and a child is made in at most 12 statements (BEGIN and COMMIT
/// included): the centre with its offering and the tariff version read once, each table
/// written in one statement, nothing read back. What it wrote is all there.
#[test]
fn a_referral_with_two_parents_and_a_child_takes_at_most_twelve_statements() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let dover = app.centre_id("CL Dover");
    let body = referral(&dover, "supported");
    assert_eq!(body["children"].as_array().unwrap().len(), 1);
    let created = app.post("/v1/referrals").token(&coordinator).json(&body);
    assert_eq!(created.status, 201, "{}", created.text);
    assert!(
        created.statements() <= 12,
        "POST /v1/referrals took {} statements",
        created.statements()
    );
    let made = created.json();
    assert_eq!(made["status"], "awaiting_referral_fee");
    let id = made["id"].as_str().unwrap();
    let read = app
        .get(&format!("/v1/referrals/{id}"))
        .token(&coordinator)
        .send()
        .ok(200);
    // Built from what was written, the answer is what a read of the case shows.
    assert_eq!(read, made);
    assert_eq!(read["parties"].as_array().unwrap().len(), 3);
    let ledger = app
        .get(&format!("/v1/referrals/{id}/ledger"))
        .token(&app.token(FINANCE))
        .send()
        .ok(200);
    let charges = ledger["charges"].as_array().unwrap();
    assert_eq!(charges.len(), 1, "{ledger}");
    assert_eq!(charges[0]["kind"], "referral_fee");
    assert_eq!(charges[0]["amount"], "30.00");
    let history = app
        .get(&format!("/v1/referrals/{id}/history"))
        .token(&coordinator)
        .send()
        .ok(200);
    assert_eq!(history.as_array().unwrap().len(), 1, "{history}");
    assert_eq!(history[0]["from_status"], "submitted");
    assert_eq!(history[0]["to_status"], "awaiting_referral_fee");
    assert_eq!(history[0]["action"], "information_complete");
}

/// Booking one session into a shared hall where other families are already booked: the case,
/// the centre (with its policy, tariff and the room), the webhook audience and the families
/// the hall may be shared with are read before the room is locked; under the lock, one read of
/// the sessions that can clash or share, one insert of the session, one write of every
/// family's planned times, the audit event and the commit.
#[test]
fn booking_into_a_shared_hall_takes_twelve_statements_six_under_the_room_lock() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let centre = app.centre_id("CL Ashford");
    let hall = room_id(&app, &centre, "Main Hall");
    let ids: Vec<String> = ["Smith", "Jones", "Patel"]
        .iter()
        .map(|f| family_case(&app, &coordinator, &centre, f, None))
        .collect();
    let mut figures = Vec::new();
    for id in &ids {
        let booked = app
            .post(&format!("/v1/referrals/{id}/sessions"))
            .token(&coordinator)
            .json(&json!({"starts_at": "2027-06-05T10:00:00+01:00", "ends_at": "2027-06-05T12:00:00+01:00", "room_id": hall}));
        assert_eq!(booked.status, 201, "{}", booked.text);
        figures.push((booked.statements(), booked.statements_locked()));
    }
    for (i, (all, locked)) in figures.iter().enumerate() {
        assert!(*all <= 12, "booking {i}: {all} statements in all");
        assert!(
            *locked <= 6,
            "booking {i}: {locked} statements under the room's lock"
        );
        assert!(*locked > 0, "booking {i} takes the room's lock");
    }
    // The third family's booking re-planned the two already there, in the same statements.
    let first = app
        .get(&format!("/v1/referrals/{}/sessions", ids[0]))
        .token(&coordinator)
        .send();
    let parties = first.json()[0]["parties"].as_array().unwrap().clone();
    assert_eq!(parties.len(), 2, "{}", first.text);
    let list = app.get("/v1/referrals?limit=50").token(&coordinator).send();
    assert_eq!(list.status, 200);
    assert_eq!(list.statements_locked(), 0, "a read takes no room lock");
}

/// Pence from a money string ("110.00").
fn pence(amount: &Value) -> i64 {
    let (pounds, pence) = amount.as_str().unwrap().split_once('.').unwrap();
    pounds.parse::<i64>().unwrap() * 100 + pence.parse::<i64>().unwrap()
}

/// The org admin's read events for a referral or a request's actor.
fn read_events(app: &TestApp, admin: &str, query: &str) -> Vec<Value> {
    app.get(&format!("/v1/audit?kind=read&limit=200&{query}"))
        .token(admin)
        .send()
        .ok(200)["items"]
        .as_array()
        .unwrap()
        .clone()
}

/// A case read by its staff takes the account, the case with its parties and what it owes,
/// and the read's audit event: three statements, and the same answer as before.
#[test]
fn a_case_is_read_in_three_statements_and_its_read_is_on_the_trail() {
    let app = TestApp::with_demo();
    let (coordinator, admin, finance) = (
        app.token(COORDINATOR),
        app.token(CL_ADMIN),
        app.token(FINANCE),
    );
    let dover = app.centre_id("CL Dover");
    let created = app
        .post("/v1/referrals")
        .token(&coordinator)
        .json(&referral(&dover, "supported"))
        .ok(201);
    let id = created["id"].as_str().unwrap();
    // Part of the fee paid, so the case's money has a charge and an entry to add up.
    let charge = charge_id(&app, &finance, id, "referral_fee");
    app.post(&format!("/v1/referrals/{id}/payments"))
        .token(&finance)
        .json(&json!({"charge_id": charge, "amount": "10.00", "method": "card"}))
        .ok(201);
    let read = app
        .get(&format!("/v1/referrals/{id}"))
        .token(&coordinator)
        .send();
    assert_eq!(read.status, 200, "{}", read.text);
    assert!(read.statements() <= 3, "{} statements", read.statements());
    let body = read.json();
    let ledger = app
        .get(&format!("/v1/referrals/{id}/ledger"))
        .token(&finance)
        .send()
        .ok(200);
    let owed: i64 = ledger["charges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| pence(&c["outstanding"]))
        .sum();
    assert_eq!(pence(&body["fees"]["outstanding"]), owed);
    assert_eq!(owed, pence(&created["fees"]["outstanding"]) - 1000);
    assert_eq!(body["parties"], created["parties"]);
    assert!(body["parties"][0]["contact"].is_object());
    let events: Vec<Value> = read_events(&app, &admin, &format!("referral_id={id}"))
        .into_iter()
        .filter(|e| e["action"] == "GET /v1/referrals/{id}")
        .collect();
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(events[0]["fields"]
        .as_array()
        .unwrap()
        .contains(&json!("parties[].contact")));
}

/// A page of fifty cases: the account, the page, its parties, and one INSERT for the fifty
/// read events.
#[test]
fn a_page_of_fifty_cases_is_read_in_four_statements_with_an_event_for_each() {
    let app = TestApp::with_demo();
    let (coordinator, admin) = (app.token(COORDINATOR), app.token(CL_ADMIN));
    let coordinator_id = app.get("/v1/me").token(&coordinator).send().ok(200)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let dover = app.centre_id("CL Dover");
    for _ in 0..50 {
        app.post("/v1/referrals")
            .token(&coordinator)
            .json(&referral(&dover, "supported"))
            .ok(201);
    }
    let list = app.get("/v1/referrals?limit=50").token(&coordinator).send();
    assert_eq!(list.status, 200, "{}", list.text);
    assert!(list.statements() <= 4, "{} statements", list.statements());
    let mut listed: Vec<String> = list.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed.len(), 50);
    let events = read_events(&app, &admin, &format!("actor_id={coordinator_id}"));
    let mut recorded: Vec<String> = events
        .iter()
        .filter(|e| e["action"] == "GET /v1/referrals")
        .map(|e| e["entity_id"].as_str().unwrap().to_string())
        .collect();
    listed.sort();
    recorded.sort();
    assert_eq!(recorded, listed);
}

/// Today's figures for the requests issue 14 names, printed for the record.
#[test]
fn the_counted_requests_print_their_figures() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let centre = app.centre_id("CL Ashford");
    let hall = room_id(&app, &centre, "Main Hall");
    let dover = app.centre_id("CL Dover");
    let mut body = referral(&dover, "supported");
    body["children"] = json!([child("Mia", "2019-04-01")]);
    let created = app.post("/v1/referrals").token(&coordinator).json(&body);
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.json()["id"].as_str().unwrap().to_string();
    let read = app
        .get(&format!("/v1/referrals/{id}"))
        .token(&coordinator)
        .send();
    let ids: Vec<String> = ["Smith", "Jones", "Patel"]
        .iter()
        .map(|f| family_case(&app, &coordinator, &centre, f, None))
        .collect();
    let mut bookings = Vec::new();
    let mut session_id = String::new();
    for id in &ids {
        let booked = app
            .post(&format!("/v1/referrals/{id}/sessions"))
            .token(&coordinator)
            .json(&json!({"starts_at": "2027-06-05T10:00:00+01:00", "ends_at": "2027-06-05T12:00:00+01:00", "room_id": hall}));
        assert_eq!(booked.status, 201, "{}", booked.text);
        bookings.push((booked.statements(), booked.statements_locked()));
        session_id = booked.json()[0]["id"].as_str().unwrap().to_string();
    }
    let list = app.get("/v1/referrals?limit=50").token(&coordinator).send();
    assert_eq!(list.status, 200, "{}", list.text);
    let me = app.get("/v1/me").token(&coordinator).send();
    assert_eq!(me.status, 200);
    let session = app
        .get(&format!("/v1/sessions/{}", session_id))
        .token(&coordinator)
        .send();
    assert_eq!(session.status, 200, "{}", session.text);
    // Reads other than a case's are no worse for the one-statement account check and audit.
    assert!(me.statements() <= 2, "GET /v1/me: {}", me.statements());
    assert!(
        session.statements() <= 4,
        "GET /v1/sessions/{{id}}: {}",
        session.statements()
    );
    eprintln!(
        "statements: create referral {}, read referral {}, bookings (all, under the room lock) {:?}, list {}, me {}, session {}",
        created.statements(),
        read.statements(),
        bookings,
        list.statements(),
        me.statements(),
        session.statements()
    );
}
