//! What many requests at once must not break: the login lockout, refresh-token reuse
//! detection and If-Match. On PostgreSQL these are real races between connections.

use std::sync::Barrier;

use ccm_tests::{json, TestApp, DEMO_PASSWORD};

const COORDINATOR: &str = "coordinator@cl.example.org";

/// Runs `n` copies of `f` at the same moment and collects their statuses.
fn at_once(n: usize, f: impl Fn(usize) -> u16 + Sync) -> Vec<u16> {
    let barrier = Barrier::new(n);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let (barrier, f) = (&barrier, &f);
                s.spawn(move || {
                    barrier.wait();
                    f(i)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("request thread"))
            .collect()
    })
}

fn count(statuses: &[u16], status: u16) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

#[test]
fn parallel_guesses_check_no_more_passwords_than_the_lockout_allows() {
    let app = TestApp::with_demo();
    let statuses = at_once(20, |i| {
        app.post("/v1/auth/token")
            .json(&json!({"email": COORDINATOR, "password": format!("guess-{i}")}))
            .status
    });
    assert_eq!(
        count(&statuses, 401) + count(&statuses, 429),
        20,
        "{statuses:?}"
    );
    // Four wrong passwords are answered as wrong; the fifth locks; the rest never get checked.
    assert!(count(&statuses, 401) <= 4, "{statuses:?}");
    let locked = app
        .post("/v1/auth/token")
        .json(&json!({"email": COORDINATOR, "password": DEMO_PASSWORD}));
    locked.problem(429);
}

#[test]
fn a_refresh_token_presented_twice_at_once_works_at_most_once_and_ends_the_login() {
    let app = TestApp::with_demo();
    let tokens = app
        .post("/v1/auth/token")
        .json(&json!({"email": COORDINATOR, "password": DEMO_PASSWORD}))
        .ok(200);
    let refresh = json!({"refresh_token": tokens["refresh_token"]});
    let replies = std::sync::Mutex::new(Vec::new());
    let statuses = at_once(8, |_| {
        let r = app.post("/v1/auth/refresh").json(&refresh);
        if r.status == 200 {
            replies
                .lock()
                .unwrap()
                .push(r.json()["refresh_token"].clone());
        }
        r.status
    });
    assert!(count(&statuses, 200) <= 1, "{statuses:?}");
    assert_eq!(
        count(&statuses, 200) + count(&statuses, 401),
        8,
        "{statuses:?}"
    );
    // The reuse revoked the whole login, including whatever the winner was given.
    for token in replies.into_inner().unwrap() {
        app.post("/v1/auth/refresh")
            .json(&json!({"refresh_token": token}))
            .problem(401);
    }
}

#[test]
fn of_parallel_updates_with_the_same_if_match_exactly_one_wins() {
    let app = TestApp::spawn_with(|c| {
        c.database.pool_size = 16;
        c.workers = Some(4);
    });
    ccm_api::seed::seed_demo(&app.db).expect("demo data");
    let admin = app.token("orgadmin@cl.example.org");
    let dover = app.centre_id("CL Dover");
    let path = format!("/v1/centres/{dover}");
    let statuses = at_once(24, |i| {
        app.patch(&path)
            .token(&admin)
            .header("If-Match", "\"1\"")
            .json(&json!({"phone": format!("01304 00000{i}")}))
            .status
    });
    assert_eq!(count(&statuses, 200), 1, "{statuses:?}");
    assert_eq!(count(&statuses, 412), 23, "{statuses:?}");
    assert_eq!(app.get(&path).send().ok(200)["version"], 2);
}

#[test]
fn parallel_new_tariff_versions_keep_their_dates_in_order() {
    let app = TestApp::with_demo();
    let admin = app.token("orgadmin@cl.example.org");
    let cl = app.provider_id("CL");
    let list = app
        .get(&format!("/v1/tariffs?provider={cl}&service=handover"))
        .send()
        .ok(200);
    let path = format!(
        "/v1/tariffs/{}/versions",
        list["items"][0]["id"].as_str().unwrap()
    );
    let fees = json!({"referral_fee": "60.00"});
    let statuses = at_once(6, |i| {
        let year = 2040 - i;
        app.post(&path)
            .token(&admin)
            .json(&json!({"effective_from": format!("{year}-01-01"), "fees": fees}))
            .status
    });
    assert!(count(&statuses, 201) >= 1, "{statuses:?}");
    assert_eq!(
        count(&statuses, 201) + count(&statuses, 422),
        6,
        "{statuses:?}"
    );
    let tariff = app.get(&path.replace("/versions", "")).send().ok(200);
    let dates: Vec<&str> = tariff["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["effective_from"].as_str().unwrap())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted);
    // Each accepted version was later than every version before it, in the order they landed.
    assert_eq!(
        tariff["versions"].as_array().unwrap().len(),
        1 + count(&statuses, 201)
    );
}

/// Holds a transaction open in one thread (after `first`, for `hold`), runs `second` in another
/// once `first` is done, and returns how long `second` waited and what it saw.
fn while_held<A: Send, B: Send>(
    db: &ccm_persistence::Db,
    first: impl FnOnce(&mut ccm_persistence::AnyConnection) -> Result<A, ccm_persistence::StoreError>
        + Send,
    then: impl FnOnce(&mut ccm_persistence::AnyConnection) -> Result<(), ccm_persistence::StoreError>
        + Send,
    second: impl FnOnce(&mut ccm_persistence::AnyConnection) -> Result<B, ccm_persistence::StoreError>
        + Send,
) -> (std::time::Duration, B) {
    let hold = std::time::Duration::from_millis(400);
    let (ready, go) = std::sync::mpsc::channel();
    std::thread::scope(|s| {
        s.spawn(move || {
            db.write(|c| {
                first(c)?;
                ready.send(()).expect("signal");
                std::thread::sleep(hold);
                then(c)
            })
            .expect("first transaction");
        });
        go.recv().expect("first transaction started");
        let started = std::time::Instant::now();
        let seen = db.write(second).expect("second transaction");
        (started.elapsed(), seen)
    })
}

#[test]
fn a_row_read_for_update_waits_for_the_transaction_that_locked_it() {
    use ccm_persistence::centres::{self, CentreChanges};
    let app = TestApp::with_demo();
    let dover = app.centre_id("CL Dover");
    let (waited, seen) = while_held(
        &app.db,
        |c| centres::find_locked(c, &dover),
        |c| {
            let changes = CentreChanges {
                phone: Some(Some("01304 111111".into())),
                ..Default::default()
            };
            centres::update(c, &dover, &changes, ccm_persistence::now()).map(|_| ())
        },
        |c| centres::find_locked(c, &dover),
    );
    assert!(
        waited >= std::time::Duration::from_millis(300),
        "did not wait: {waited:?}"
    );
    assert_eq!(seen.version, 2, "saw the first transaction's update");
}

#[test]
fn of_two_transactions_claiming_one_refresh_token_only_the_first_succeeds() {
    use ccm_persistence::tokens;
    let app = TestApp::with_demo();
    let tokens_json = app
        .post("/v1/auth/token")
        .json(&json!({"email": COORDINATOR, "password": DEMO_PASSWORD}))
        .ok(200);
    let hash = ccm_api::security::token_hash(tokens_json["refresh_token"].as_str().unwrap());
    let token = app
        .db
        .read(|c| tokens::find_refresh(c, &hash))
        .unwrap()
        .expect("stored");
    let (_, second) = while_held(
        &app.db,
        |c| tokens::claim_refresh(c, &token.id, ccm_persistence::now()),
        |_| Ok(()),
        |c| tokens::claim_refresh(c, &token.id, ccm_persistence::now()),
    );
    assert!(!second, "the second claim must see the first one's");
}

#[test]
fn concurrent_failed_logins_for_one_address_are_counted_one_after_another() {
    use ccm_persistence::tokens;
    let app = TestApp::spawn();
    let email = "someone@example.org";
    let (waited, seen) = while_held(
        &app.db,
        |c| tokens::lock_throttle(c, email, ccm_persistence::now()),
        |c| {
            let mut t = tokens::lock_throttle(c, email, ccm_persistence::now())?;
            t.failures += 1;
            tokens::save_throttle(c, &t)
        },
        |c| tokens::lock_throttle(c, email, ccm_persistence::now()),
    );
    assert!(
        waited >= std::time::Duration::from_millis(300),
        "did not wait: {waited:?}"
    );
    assert_eq!(seen.failures, 1);
}

/// 64 bookings of one supervisor and room at one time, from four families, half through each
/// of two servers on the same database: exactly one is granted; every other is told which
/// session holds the slot, and only one session is stored.
#[test]
fn sixty_four_bookings_of_one_slot_through_two_servers_grant_exactly_one() {
    use crate::sessions::{activate, new_case, room_id, user_id};
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let admin = app.token("orgadmin@cl.example.org");
    let centre = app.centre_id("CL Gravesend Supervised");
    let room = room_id(&app, &centre, "Family Room 1");
    let supervisor = user_id(&app, &admin, "supervisor@cl.example.org");
    crate::support::set_places(&app, &admin, &centre, "supervised", json!(10));
    let cases: Vec<String> = (0..4)
        .map(|_| {
            let id = new_case(&app, &coordinator, &centre, "supervised");
            activate(&app, &coordinator, &id, json!({"outcome": "suitable"}));
            id
        })
        .collect();
    let second = app.second_instance();
    let body = json!({"starts_at": "2027-03-20T10:00:00Z", "ends_at": "2027-03-20T12:00:00Z",
        "room_id": room, "supervisor_id": supervisor});
    let replies = std::sync::Mutex::new(Vec::new());
    let statuses = at_once(64, |i| {
        let server = if i % 2 == 0 { &app } else { &second };
        let r = server
            .post(&format!("/v1/referrals/{}/sessions", cases[i % 4]))
            .token(&coordinator)
            .json(&body);
        replies.lock().unwrap().push((r.status, r.json()));
        r.status
    });
    assert_eq!(count(&statuses, 201), 1, "{statuses:?}");
    assert_eq!(count(&statuses, 409), 63, "{statuses:?}");
    let replies = replies.into_inner().unwrap();
    let granted = replies
        .iter()
        .find(|(s, _)| *s == 201)
        .map(|(_, b)| b[0]["id"].clone())
        .unwrap();
    for (status, body) in &replies {
        if *status == 409 {
            assert_eq!(body["type"], "urn:ccm:problem:booking-clash", "{body}");
            assert_eq!(body["clashing_session_id"], granted, "{body}");
        }
    }
    drop(second);
    let stored = app.snapshot()["sessions"];
    assert_eq!(stored, 1);
}

/// Two servers started together on a new database both find it empty; the demo data is
/// loaded once, and neither fails.
#[test]
fn two_processes_seeding_a_new_database_at_once_load_the_demo_data_once() {
    let app = TestApp::spawn();
    let other = app.db.clone();
    let racer = std::thread::spawn(move || ccm_api::seed::seed_demo(&other));
    let here = ccm_api::seed::seed_demo(&app.db).expect("seeds or finds it seeded");
    let there = racer.join().unwrap().expect("seeds or finds it seeded");
    assert_eq!(
        u8::from(here.is_some()) + u8::from(there.is_some()),
        1,
        "exactly one loads the data"
    );
    let providers = app.get("/v1/providers").send().ok(200);
    assert_eq!(providers["items"].as_array().unwrap().len(), 2);
}
