//! iCalendar feeds: a parent's feed has their own sessions and arrival times only, a staff
//! member's their work; London wall-clock times across clock changes; revocable tokens.

use ccm_tests::{json, TestApp};
use serde_json::Value;

use crate::sessions::{activate, new_case, room_id, user_id};
use crate::support::*;

const SUPERVISOR: &str = "supervisor@cl.example.org";

/// A supervised case at CL Gravesend whose parents have accounts, taken to `active`.
/// Returns (referral id, Ann's token (resident), Bob's token (non-resident)).
fn case_with_parents(app: &TestApp, coordinator: &str) -> (String, String, String) {
    let (ann_id, ann) = parent_account(app, "ann.parent@example.org");
    let (bob_id, bob) = parent_account(app, "bob.parent@example.org");
    let centre = app.centre_id("CL Gravesend Supervised");
    let mut body = referral(&centre, "supervised");
    body["resident_parent"]["account_id"] = json!(ann_id);
    body["non_resident_parent"]["account_id"] = json!(bob_id);
    let id = app
        .post("/v1/referrals")
        .token(coordinator)
        .json(&body)
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    activate(app, coordinator, &id, json!({"outcome": "suitable"}));
    (id, ann, bob)
}

/// Books sessions of a case with the demo supervisor in Family Room 1; returns them.
fn book(app: &TestApp, coordinator: &str, id: &str, mut body: Value) -> Vec<Value> {
    let admin = app.token(CL_ADMIN);
    let centre = app.centre_id("CL Gravesend Supervised");
    body["room_id"] = json!(room_id(app, &centre, "Family Room 1"));
    body["supervisor_id"] = json!(user_id(app, &admin, SUPERVISOR));
    app.post(&format!("/v1/referrals/{id}/sessions"))
        .token(coordinator)
        .json(&body)
        .ok(201)
        .as_array()
        .unwrap()
        .clone()
}

fn one(app: &TestApp, coordinator: &str, id: &str, starts: &str, ends: &str) -> Value {
    book(
        app,
        coordinator,
        id,
        json!({"starts_at": starts, "ends_at": ends}),
    )
    .remove(0)
}

/// A party's (arrival, departure) as the staff view of a session shows them, in UTC.
fn times(session: &Value, party: &str) -> (String, String) {
    let p = session["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["party"] == party)
        .unwrap();
    (
        p["expected_arrival"].as_str().unwrap().to_string(),
        p["expected_departure"].as_str().unwrap().to_string(),
    )
}

/// A UTC instant ("2027-06-12T09:15:00Z") as an iCalendar London time, `plus` hours ahead.
fn london(utc: &str, plus: u32) -> String {
    let (date, time) = utc.trim_end_matches('Z').split_once('T').unwrap();
    let hour: u32 = time[..2].parse().unwrap();
    format!(
        "TZID=Europe/London:{}T{:02}{}{}",
        date.replace('-', ""),
        hour + plus,
        &time[3..5],
        &time[6..8]
    )
}

/// Fetches a feed by the URL it was issued with; returns the body after checking the framing.
fn fetch(app: &TestApp, feed: &Value) -> String {
    let url = feed["url"].as_str().unwrap();
    let path = url
        .strip_prefix(&app.url)
        .expect("the URL is this server's");
    assert_eq!(
        path,
        format!("/v1/calendar/{}", feed["token"].as_str().unwrap())
    );
    let response = app.get(path).send();
    assert_eq!(response.status, 200, "{}", response.text);
    assert_eq!(
        response.header("content-type"),
        Some("text/calendar; charset=utf-8")
    );
    let text = response.text;
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n") && text.ends_with("END:VCALENDAR\r\n"));
    assert!(!text.replace("\r\n", "").contains('\n'), "bare LF: {text}");
    assert!(text.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/London\r\n"));
    text
}

/// The VEVENT with this UID.
fn event<'a>(text: &'a str, uid: &str) -> &'a str {
    text.split("BEGIN:VEVENT")
        .find(|e| e.contains(&format!("UID:{uid}\r\n")))
        .unwrap_or_else(|| panic!("no event {uid} in {text}"))
}

#[test]
fn a_parents_feed_shows_their_own_sessions_at_their_own_times_only() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let (id, ann, bob) = case_with_parents(&app, &coordinator);
    let winter = one(
        &app,
        &coordinator,
        &id,
        "2027-01-16T10:00:00Z",
        "2027-01-16T12:00:00Z",
    );
    let summer = one(
        &app,
        &coordinator,
        &id,
        "2027-06-12T09:00:00Z",
        "2027-06-12T11:00:00Z",
    );
    // Another family's session at the same centre is in nobody's feed but theirs.
    let other = new_case(
        &app,
        &coordinator,
        &app.centre_id("CL Gravesend Supervised"),
        "supervised",
    );
    activate(&app, &coordinator, &other, json!({"outcome": "suitable"}));
    let elsewhere = one(
        &app,
        &coordinator,
        &other,
        "2027-01-23T10:00:00Z",
        "2027-01-23T12:00:00Z",
    );

    let feeds = format!("/v1/referrals/{id}/calendar-feeds");
    let make = |token: &str, party: &str| {
        app.post(&feeds)
            .token(token)
            .json(&json!({"party": party}))
            .ok(201)
    };
    let ann_feed = make(&ann, "resident_parent");
    let bob_feed = make(&bob, "non_resident_parent");
    assert!(ann_feed["token"].as_str().unwrap().starts_with("ccmc_"));
    assert_ne!(ann_feed["token"], bob_feed["token"]);
    assert_eq!(ann_feed["party"], "resident_parent");

    for (feed, me, them) in [
        (&ann_feed, "resident_parent", "non_resident_parent"),
        (&bob_feed, "non_resident_parent", "resident_parent"),
    ] {
        let text = fetch(&app, feed);
        assert_eq!(text.matches("BEGIN:VEVENT").count(), 2, "{text}");
        assert!(!text.contains(elsewhere["id"].as_str().unwrap()));
        for (session, plus) in [(&winter, 0), (&summer, 1)] {
            let uid = format!("{}-{me}@ccm", session["id"].as_str().unwrap());
            let ev = event(&text, &uid);
            let (arrive, leave) = times(session, me);
            let (their_arrival, their_departure) = times(session, them);
            assert_ne!(arrive, their_arrival, "the parents' times are staggered");
            assert!(ev.contains(&format!("DTSTART;{}\r\n", london(&arrive, plus))));
            assert!(ev.contains(&format!("DTEND;{}\r\n", london(&leave, plus))));
            assert!(!text.contains(&london(&their_arrival, plus)), "{text}");
            assert!(!text.contains(&london(&their_departure, plus)), "{text}");
            assert!(ev.contains("SUMMARY:Supervised contact at CL Gravesend Supervised\r\n"));
            assert!(ev.contains(&format!("SEQUENCE:{}\r\n", session["version"])));
            assert!(ev.contains("DTSTAMP:"));
        }
        // Nothing about anyone: names, addresses, contact details, risk.
        for secret in [
            "Ann", "Smith", "Bob", "Jones", "Quay", "CT16", "ct16", "07700", "example", "Brief",
            "domestic",
        ] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
    }
    // The parent who arrives first arrives when the session starts: 10:00 in London, winter
    // and summer alike, though June's is stored as 09:00 UTC.
    let bob_text = fetch(&app, &bob_feed);
    assert!(bob_text.contains("DTSTART;TZID=Europe/London:20270116T100000\r\n"));
    assert!(bob_text.contains("DTSTART;TZID=Europe/London:20270612T100000\r\n"));

    // A cancellation reaches the feed, with a higher sequence.
    let cancelled = app
        .post(&format!(
            "/v1/sessions/{}/cancel",
            summer["id"].as_str().unwrap()
        ))
        .token(&coordinator)
        .json(&json!({"cancelled_by": "centre", "reason": "room flooded"}))
        .ok(200);
    let text = fetch(&app, &ann_feed);
    let ev = event(
        &text,
        &format!("{}-resident_parent@ccm", summer["id"].as_str().unwrap()),
    );
    assert!(ev.contains("STATUS:CANCELLED\r\n"), "{ev}");
    assert!(ev.contains(&format!("SEQUENCE:{}\r\n", cancelled["version"])));
    assert!(cancelled["version"].as_i64() > summer["version"].as_i64());

    // Each parent lists only their own feed; staff see both, and no token anywhere.
    let listed = |token: &str| app.get(&feeds).token(token).send().ok(200);
    let mine = listed(&ann);
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    assert_eq!(mine["items"][0]["party"], "resident_parent");
    let all = listed(&coordinator);
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    assert!(all["items"][0].get("token").is_none() && all["items"][0].get("url").is_none());
    // Only the token's hash is stored.
    let stored = app
        .db
        .read(|conn| ccm_persistence::calendar::for_referral(conn, &id, None, None, 10))
        .unwrap();
    for row in &stored.items {
        assert_eq!(row.token_hash.len(), 64);
        assert!(![&ann_feed, &bob_feed]
            .iter()
            .any(|f| f["token"] == row.token_hash.as_str()));
    }
}

#[test]
fn a_supervisors_feed_keeps_london_wall_clock_times_across_the_clock_change() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let centre = app.centre_id("CL Gravesend Supervised");
    let id = new_case(&app, &coordinator, &centre, "supervised");
    activate(&app, &coordinator, &id, json!({"outcome": "suitable"}));
    // Saturday 27 March 2027 is GMT; the clocks go forward on Sunday 28th; 3 April is BST.
    let series = book(
        &app,
        &coordinator,
        &id,
        json!({"series": {"first_date": "2027-03-27", "starts": "10:00", "minutes": 120, "every_weeks": 1, "count": 2}}),
    );
    assert_eq!(series[0]["starts_at"], "2027-03-27T10:00:00Z");
    assert_eq!(series[1]["starts_at"], "2027-04-03T09:00:00Z");
    let winter = one(
        &app,
        &coordinator,
        &id,
        "2027-01-16T10:00:00Z",
        "2027-01-16T12:00:00Z",
    );

    let supervisor = app.token(SUPERVISOR);
    let feed = app
        .post("/v1/me/calendar-feeds")
        .token(&supervisor)
        .send()
        .ok(201);
    assert_eq!(feed["party"], Value::Null);
    assert!(feed["user_id"].is_string());
    let text = fetch(&app, &feed);
    assert_eq!(text.matches("BEGIN:VEVENT").count(), 3, "{text}");
    for (session, day) in [
        (&series[0], "20270327"),
        (&series[1], "20270403"),
        (&winter, "20270116"),
    ] {
        let ev = event(&text, &format!("{}@ccm", session["id"].as_str().unwrap()));
        assert!(
            ev.contains(&format!("DTSTART;TZID=Europe/London:{day}T100000\r\n")),
            "{ev}"
        );
        assert!(ev.contains(&format!("DTEND;TZID=Europe/London:{day}T120000\r\n")));
        assert!(
            ev.contains("STATUS:TENTATIVE\r\n"),
            "awaiting payment: {ev}"
        );
        assert!(ev.contains("You are supervising."));
        assert!(ev.contains("LOCATION:CL Gravesend Supervised\\, Gravesend\r\n"));
    }
    assert!(!text.contains("Smith") && !text.contains("example"));
    assert_eq!(
        app.get("/v1/me/calendar-feeds")
            .token(&supervisor)
            .send()
            .ok(200)["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // A coordinator's own feed has every session at the provider's centres.
    let mine = app
        .post("/v1/me/calendar-feeds")
        .token(&coordinator)
        .send()
        .ok(201);
    assert_eq!(fetch(&app, &mine).matches("BEGIN:VEVENT").count(), 3);

    // Parents have no staff feed; another provider cannot see or revoke this one; the
    // supervisor's own org admin can.
    let (_, parent) = parent_account(&app, "pat.parent@example.org");
    app.post("/v1/me/calendar-feeds")
        .token(&parent)
        .send()
        .problem(403);
    let revoke = format!("/v1/calendar-feeds/{}/revoke", feed["id"].as_str().unwrap());
    let fa = app.token("orgadmin@fa.example.org");
    app.post(&revoke).token(&fa).send().problem(404);
    let revoked = app.post(&revoke).token(&app.token(CL_ADMIN)).send().ok(200);
    assert!(revoked["revoked_at"].is_string());
    let path = format!("/v1/calendar/{}", feed["token"].as_str().unwrap());
    app.get(&path).send().problem(404);
}

#[test]
fn only_the_case_s_deciding_staff_and_each_parent_for_themselves_make_feeds() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let (id, ann, _bob) = case_with_parents(&app, &coordinator);
    let feeds = format!("/v1/referrals/{id}/calendar-feeds");
    let post = |token: &str, body: Value| app.post(&feeds).token(token).json(&body);

    // Logins write refresh tokens: all done before the snapshot.
    let supervisor = app.token(SUPERVISOR);
    let fa = app.token("orgadmin@fa.example.org");
    let before = app.snapshot();
    for bad in [
        json!({"party": "grandparent"}),
        json!({"party": "child"}),
        json!({"party": 1}),
        json!({}),
    ] {
        post(&coordinator, bad).invalid("party");
    }
    post(
        &coordinator,
        json!({"party": "resident_parent", "extra": 1}),
    )
    .problem(422);
    // A parent asking for the other parent's feed: 403, as every case has both parents'
    // roles, so the refusal reveals nothing.
    post(&ann, json!({"party": "non_resident_parent"})).problem(403);
    // A supervisor of the provider sees the case but does not hand out feeds.
    post(&supervisor, json!({"party": "resident_parent"})).problem(403);
    // Another provider's staff: no such case.
    post(&fa, json!({"party": "resident_parent"})).problem(404);
    app.post(&feeds)
        .json(&json!({"party": "resident_parent"}))
        .problem(401);
    assert_eq!(app.snapshot(), before);

    // The referrer of a case sees it, but not its parents' calendars.
    let referrer = app.token("referrer@cl.example.org");
    let dover = app.centre_id("CL Dover");
    let theirs = app
        .post("/v1/referrals")
        .token(&referrer)
        .json(&referral(&dover, "supported"))
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let their_feeds = format!("/v1/referrals/{theirs}/calendar-feeds");
    app.post(&their_feeds)
        .token(&referrer)
        .json(&json!({"party": "resident_parent"}))
        .problem(404);
    app.get(&their_feeds).token(&referrer).send().problem(404);
    let made = app
        .post(&their_feeds)
        .token(&coordinator)
        .json(&json!({"party": "resident_parent"}))
        .ok(201);
    assert_eq!(made["created_by"].as_str().map(str::len), Some(36));
    let text = fetch(&app, &made);
    assert!(text.contains("X-WR-CALNAME:Contact sessions\r\n"));
    assert_eq!(text.matches("BEGIN:VEVENT").count(), 0);
}

#[test]
fn a_revoked_feed_answers_404_and_only_its_people_may_revoke_it() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let (id, ann, bob) = case_with_parents(&app, &coordinator);
    let feed = app
        .post(&format!("/v1/referrals/{id}/calendar-feeds"))
        .token(&ann)
        .json(&json!({"party": "resident_parent"}))
        .ok(201);
    let feed_id = feed["id"].as_str().unwrap();
    fetch(&app, &feed);
    let one = format!("/v1/calendar-feeds/{feed_id}");
    let revoke = format!("{one}/revoke");
    // The other parent is told it does not exist.
    app.get(&one).token(&bob).send().problem(404);
    app.post(&revoke).token(&bob).send().problem(404);
    let seen = app.get(&one).token(&coordinator).send().ok(200);
    assert_eq!(
        (seen["party"].as_str(), seen.get("token")),
        (Some("resident_parent"), None)
    );

    let revoked = app.post(&revoke).token(&ann).send().ok(200);
    assert!(revoked["revoked_at"].is_string());
    let path = format!("/v1/calendar/{}", feed["token"].as_str().unwrap());
    let gone = app.get(&path).send().problem(404);
    assert_eq!(gone["type"], "urn:ccm:problem:not-found");
    app.post(&revoke).token(&ann).send().problem(404);
    app.get(&one).token(&coordinator).send().problem(404);
    let listed = app
        .get(&format!("/v1/referrals/{id}/calendar-feeds"))
        .token(&ann)
        .send()
        .ok(200);
    assert_eq!(listed["items"], json!([]));
    // Tokens nobody was given.
    app.get("/v1/calendar/ccmc_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        .send()
        .problem(404);
    app.get("/v1/calendar/not-a-token").send().problem(404);
}
