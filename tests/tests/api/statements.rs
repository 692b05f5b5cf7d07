//! Round trips to the database, counted: each response says (in development) how many SQL
//! statements answering it took, and `/metrics` totals them per route. Counts do not depend on
//! the machine, so they are asserted as numbers.

use ccm_tests::{json, TestApp};

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
    for id in &ids {
        let booked = app
            .post(&format!("/v1/referrals/{id}/sessions"))
            .token(&coordinator)
            .json(&json!({"starts_at": "2027-06-05T10:00:00+01:00", "ends_at": "2027-06-05T12:00:00+01:00", "room_id": hall}));
        assert_eq!(booked.status, 201, "{}", booked.text);
        bookings.push((booked.statements(), booked.statements_locked()));
    }
    let list = app.get("/v1/referrals?limit=50").token(&coordinator).send();
    assert_eq!(list.status, 200, "{}", list.text);
    eprintln!(
        "statements: create referral {}, read referral {}, bookings (all, under the room lock) {:?}, list {}",
        created.statements(),
        read.statements(),
        bookings,
        list.statements()
    );
}
