//! Attendance: an FA six-session supervised programme booked, paid, attended, cancelled by the
//! father and missed once; handover timekeeping flagging a case that is then ended.

use ccm_tests::{json, TestApp};
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use crate::sessions::{activate, new_case, user_id};
use crate::support::*;

const FA_ADMIN: &str = "orgadmin@fa.example.org";

fn instant(v: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(v.as_str().unwrap(), &Rfc3339).unwrap()
}

fn text(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap()
}

/// FA publishes its price for supervised contact that Cafcass does not fund (it is quoted
/// on application): £30 an hour, the parent who cancels pays the session's charge.
fn fa_publishes_a_supervised_price(app: &TestApp, fa: &str) {
    let provider = app.provider_id("FA");
    let list = app
        .get(&format!(
            "/v1/tariffs?provider={provider}&service=supervised"
        ))
        .send()
        .ok(200);
    let tariff = list["items"][0]["id"].as_str().unwrap();
    let tomorrow = OffsetDateTime::now_utc().date() + Duration::days(1);
    app.post(&format!("/v1/tariffs/{tariff}/versions"))
        .token(fa)
        .json(&json!({"effective_from": tomorrow.to_string(), "fees": {
            "session_fee": {"basis": "per_hour", "amount": "30.00"},
            "cancellation": {"rule": "session_charge"},
            "waivers": [{"funder": "cafcass", "referred_by": "cafcass", "court_ordered_only": true}]}}))
        .ok(201);
    // As if it had been published a while ago: it is the price today.
    let tariff = tariff.to_string();
    app.db
        .write(|conn| {
            use ccm_persistence::schema::tariff_versions as v;
            use diesel::prelude::*;
            diesel::update(
                v::table
                    .filter(v::tariff_id.eq(&tariff))
                    .filter(v::effective_from.eq(tomorrow)),
            )
            .set(v::effective_from.eq(tomorrow - Duration::days(2)))
            .execute(conn)
            .map_err(ccm_persistence::StoreError::from)
        })
        .unwrap();
}

#[test]
fn an_fa_six_session_programme_is_booked_attended_cancelled_by_the_father_and_missed_once() {
    let app = TestApp::with_demo();
    let fa = app.token(FA_ADMIN);
    let centre = app.centre_id("FA Rotherham");
    // FA's first supervisor account, made by its org admin.
    app.post("/v1/users")
        .token(&fa)
        .json(&json!({"email": "supervisor@fa.example.org", "display_name": "Sam Super", "role": "supervisor", "password": "a-long-supervisor-password"}))
        .ok(201);
    let supervisor = user_id(&app, &fa, "supervisor@fa.example.org");
    let room = crate::sessions::room_id(&app, &centre, "Family Room 1");
    let id = new_case(&app, &fa, &centre, "supervised");
    activate_fa(&app, &fa, &id);
    // The tariff in force when the sessions are booked prices them.
    fa_publishes_a_supervised_price(&app, &fa);

    // Six 2-hour sessions on alternate Saturdays at 10:00.
    let booked = app
        .post(&format!("/v1/referrals/{id}/sessions"))
        .token(&fa)
        .json(&json!({"series": {"first_date": "2027-01-09", "starts": "10:00", "minutes": 120, "every_weeks": 2, "count": 6},
            "room_id": room, "supervisor_id": supervisor}))
        .ok(201);
    let sessions: Vec<Value> = booked.as_array().unwrap().clone();
    assert_eq!(sessions.len(), 6);
    let dates: Vec<&str> = sessions
        .iter()
        .map(|s| s["starts_at"].as_str().unwrap())
        .collect();
    assert_eq!(
        dates,
        [
            "2027-01-09T10:00:00Z",
            "2027-01-23T10:00:00Z",
            "2027-02-06T10:00:00Z",
            "2027-02-20T10:00:00Z",
            "2027-03-06T10:00:00Z",
            "2027-03-20T10:00:00Z"
        ]
    );
    assert!(sessions.iter().all(|s| s["status"] == "awaiting_payment"));
    let sid = |n: usize| sessions[n]["id"].as_str().unwrap().to_string();
    let charge_of = |n: usize| sessions[n]["charge_id"].as_str().unwrap().to_string();
    // The father pays for the first three: each is confirmed when paid.
    for n in 0..3 {
        app.post(&format!("/v1/referrals/{id}/payments"))
            .token(&fa)
            .json(&json!({"charge_id": charge_of(n), "amount": "60.00", "method": "card", "payer": "non_resident_parent"}))
            .ok(201);
    }

    // The father cancels the fourth: he pays its £60 charge as the cancellation fee.
    let cancelled = app
        .post(&format!("/v1/sessions/{}/cancel", sid(3)))
        .token(&fa)
        .json(&json!({"cancelled_by": "non_resident_parent", "reason": "working that weekend"}))
        .ok(200);
    assert_eq!(cancelled["status"], "cancelled");
    assert!(
        cancelled["cancellation"]["notice_minutes"]
            .as_i64()
            .unwrap()
            > 0
    );
    let fee = cancelled["cancellation"]["charge_id"].as_str().unwrap();
    let ledger = app
        .get(&format!("/v1/referrals/{id}/ledger"))
        .token(&fa)
        .send()
        .ok(200);
    let fee = ledger["charges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == fee)
        .unwrap();
    assert_eq!(
        (&fee["kind"], &fee["amount"], &fee["payer"]),
        (
            &json!("cancellation"),
            &json!("60.00"),
            &json!("non_resident_parent")
        )
    );

    // Time passes: the third session ended an hour ago.
    let third = instant(&sessions[2]["starts_at"]);
    let now = OffsetDateTime::now_utc();
    let by = third - (now - Duration::hours(3));
    shift_sessions_back(&app, &id, by);
    let session = |n: usize| {
        app.get(&format!("/v1/sessions/{}", sid(n)))
            .token(&fa)
            .send()
            .ok(200)
    };
    let step = |n: usize, what: &str, body: Value| {
        app.post(&format!("/v1/sessions/{}/{what}", sid(n)))
            .token(&fa)
            .json(&body)
    };
    for n in 0..2 {
        let s = session(n);
        let nrp_due = instant(&party_time(&s, "non_resident_parent", "expected_arrival"));
        let rp_due = instant(&party_time(&s, "resident_parent", "expected_arrival"));
        step(
            n,
            "check-in",
            json!({"party": "non_resident_parent", "at": text(nrp_due - Duration::minutes(2))}),
        )
        .ok(200);
        let s = step(
            n,
            "check-in",
            json!({"party": "resident_parent", "at": text(rp_due + Duration::minutes(7))}),
        )
        .ok(200);
        assert_eq!(party_time(&s, "resident_parent", "late_minutes"), 7);
        assert_eq!(party_time(&s, "non_resident_parent", "late_minutes"), 0);
        assert_eq!(s["status"], "confirmed");
        let end = instant(&s["ends_at"]);
        step(
            n,
            "check-out",
            json!({"party": "resident_parent", "at": text(end)}),
        )
        .ok(200);
        let s = step(
            n,
            "check-out",
            json!({"party": "non_resident_parent", "at": text(end + Duration::minutes(15))}),
        )
        .ok(200);
        assert_eq!(s["status"], "completed", "everyone has left");
    }

    // The third: the mother brings the child, the father does not come.
    let s = session(2);
    let rp_due = instant(&party_time(&s, "resident_parent", "expected_arrival"));
    step(
        2,
        "check-in",
        json!({"party": "resident_parent", "at": text(rp_due)}),
    )
    .ok(200);
    let before = app.snapshot();
    // Bad input changes nothing: a cancelled session, a time without an offset, a second
    // check-in, a check-out before the check-in, someone who is not a parent.
    let refused = step(3, "check-in", json!({"party": "resident_parent"})).problem(409);
    assert_eq!(refused["current_status"], "cancelled");
    step(
        2,
        "check-in",
        json!({"party": "non_resident_parent", "at": "2027-01-09T10:00:00"}),
    )
    .invalid("at");
    step(
        2,
        "check-in",
        json!({"party": "resident_parent", "at": text(rp_due)}),
    )
    .problem(409);
    step(2, "check-out", json!({"party": "non_resident_parent"})).problem(409);
    step(2, "check-in", json!({"party": "child"})).invalid("party");
    step(4, "end-early", json!({"reason": "  "})).invalid("reason");
    step(4, "end-early", json!({"reason": "unwell"})).problem(409);
    assert_eq!(app.snapshot(), before);
    let s = step(2, "no-show", json!({"party": "non_resident_parent"})).ok(200);
    assert_eq!(party_time(&s, "non_resident_parent", "no_show"), true);
    step(2, "check-in", json!({"party": "non_resident_parent"})).problem(409);
    let end = instant(&s["ends_at"]);
    let s = step(
        2,
        "check-out",
        json!({"party": "resident_parent", "at": text(end - Duration::minutes(90))}),
    )
    .ok(200);
    assert_eq!(s["status"], "completed");

    // Another provider's staff cannot see the session at all.
    app.post(&format!("/v1/sessions/{}/check-in", sid(4)))
        .token(&app.token(COORDINATOR))
        .json(&json!({"party": "resident_parent"}))
        .problem(404);
    let all = app
        .get(&format!("/v1/referrals/{id}/sessions"))
        .token(&fa)
        .send()
        .ok(200);
    let statuses: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        [
            "completed",
            "completed",
            "completed",
            "cancelled",
            "awaiting_payment",
            "awaiting_payment"
        ]
    );
}

/// An FA solicitor-referred supervised case taken to `active` by FA's org admin.
fn activate_fa(app: &TestApp, fa: &str, id: &str) {
    assess(app, fa, id, json!({"outcome": "suitable"}));
    act(app, fa, id, "accept", json!({})).ok(200);
    if status(app, fa, id) == "waitlisted" {
        act(app, fa, id, "offer", json!({})).ok(200);
    }
    act(app, fa, id, "accept-offer", json!({})).ok(200);
    for (party, start) in [
        ("resident_parent", "2027-01-02T10:00:00Z"),
        ("non_resident_parent", "2027-01-02T11:00:00Z"),
    ] {
        let end = start.replace(":00:00Z", ":30:00Z");
        let visit = app
            .post(&format!("/v1/referrals/{id}/pre-visits"))
            .token(fa)
            .json(&json!({"party": party, "starts_at": start, "ends_at": end}))
            .ok(201);
        pre_visit_attended(app, fa, id, &visit);
    }
    assert_eq!(
        act(app, fa, id, "activate", json!({})).ok(200)["status"],
        "active"
    );
}

#[test]
fn late_handovers_flag_the_case_by_the_centres_rule_and_closing_it_cancels_what_is_booked() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let finance = app.token(FINANCE);
    let admin = app.token(CL_ADMIN);
    let centre = app.centre_id("CL Ashford");
    let id = new_case(&app, &coordinator, &centre, "handover");
    activate(
        &app,
        &coordinator,
        &id,
        json!({"outcome": "suitable", "unsupervised_contact_appropriate": true}),
    );
    let mut ids = Vec::new();
    for date in ["2027-05-01", "2027-05-08", "2027-05-15"] {
        let s = app
            .post(&format!("/v1/referrals/{id}/sessions"))
            .token(&coordinator)
            .json(&json!({"handover": {"date": date, "slot": "morning"}}))
            .ok(201);
        app.post(&format!("/v1/referrals/{id}/payments"))
            .token(&finance)
            .json(&json!({"charge_id": s[0]["charge_id"], "amount": "16.00", "method": "cash"}))
            .ok(201);
        ids.push(s[0]["id"].as_str().unwrap().to_string());
    }
    // The last handover was yesterday.
    let last = instant(
        &app.get(&format!("/v1/sessions/{}", ids[2]))
            .token(&coordinator)
            .send()
            .ok(200)["starts_at"],
    );
    shift_sessions_back(
        &app,
        &id,
        last - (OffsetDateTime::now_utc() - Duration::days(1)),
    );
    // The father is 20 minutes late each time: three strikes in the last five.
    for sid in &ids {
        let s = app
            .get(&format!("/v1/sessions/{sid}"))
            .token(&coordinator)
            .send()
            .ok(200);
        let due = instant(&party_time(&s, "non_resident_parent", "expected_arrival"));
        app.post(&format!("/v1/sessions/{sid}/check-in"))
            .token(&coordinator)
            .json(&json!({"party": "non_resident_parent", "at": text(due + Duration::minutes(20))}))
            .ok(200);
    }
    let keeping = app
        .get(&format!("/v1/referrals/{id}/timekeeping"))
        .token(&coordinator)
        .send()
        .ok(200);
    assert_eq!(keeping["flagged"], true, "{keeping}");
    let father = keeping["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["party"] == "non_resident_parent")
        .unwrap();
    assert_eq!(father["strikes"], 3);
    assert_eq!(father["recent"][0]["late_minutes"], 20);

    // Ashford's own rule allows four strikes: not flagged under it.
    let path = format!("/v1/centres/{centre}/scheduling-policy");
    let policy = json!({"arrival_order": "non_resident_first", "arrival_offset_minutes": 15,
        "lateness_threshold_minutes": 10, "lateness_strikes": 4, "lateness_window": 5});
    let before = app.snapshot();
    let put = |token: &str, body: &Value| app.call("PUT", &path).token(token).json(body);
    put(
        &admin,
        &json!({"arrival_order": "non_resident_first", "arrival_offset_minutes": 15,
        "lateness_threshold_minutes": 10, "lateness_strikes": 6, "lateness_window": 5}),
    )
    .invalid("lateness_strikes");
    put(&coordinator, &policy).problem(403);
    assert_eq!(app.snapshot(), before);
    assert_eq!(put(&admin, &policy).ok(200)["customised"], true);
    let keeping = app
        .get(&format!("/v1/referrals/{id}/timekeeping"))
        .token(&coordinator)
        .send()
        .ok(200);
    assert_eq!(keeping["flagged"], false);

    // The coordinator ends the service; the handover still booked is cancelled by the centre.
    let next = app
        .post(&format!("/v1/referrals/{id}/sessions"))
        .token(&coordinator)
        .json(&json!({"handover": {"date": "2027-07-03", "slot": "afternoon"}}))
        .ok(201);
    act(
        &app,
        &coordinator,
        &id,
        "close",
        json!({"reason": "terminated", "notes": "persistent lateness"}),
    )
    .ok(200);
    let after = app
        .get(&format!("/v1/sessions/{}", next[0]["id"].as_str().unwrap()))
        .token(&coordinator)
        .send()
        .ok(200);
    assert_eq!(after["status"], "cancelled");
    assert_eq!(after["cancellation"]["cancelled_by"], "centre");
    assert_eq!(after["cancellation"]["charge_id"], Value::Null);
    // Its £16 is no longer owed.
    let ledger = app
        .get(&format!("/v1/referrals/{id}/ledger"))
        .token(&finance)
        .send()
        .ok(200);
    let own = ledger["charges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == next[0]["charge_id"])
        .unwrap();
    assert_eq!(own["outstanding"], "0.00");
}
