//! Casework while contact goes on: reviews falling due, the six-month rule, suspension and
//! resumption, withdrawal, and the records staff read back.

use ccm_tests::{json, TestApp};
use serde_json::Value;

use crate::support::*;

fn history(app: &TestApp, token: &str, id: &str) -> Vec<Value> {
    app.get(&format!("/v1/referrals/{id}/history"))
        .token(token)
        .send()
        .ok(200)
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn reviews_fall_due_and_contact_past_six_months_needs_a_recorded_reason() {
    let app = TestApp::with_demo();
    let (fa, id) = active_fa_case(&app);
    let review = |body: Value| {
        app.post(&format!("/v1/referrals/{id}/reviews"))
            .token(&fa)
            .json(&body)
    };
    let reviewed = review(json!({"notes": "settling in"})).ok(200);
    assert_eq!(reviewed["status"], "active");
    let next = reviewed["next_review_on"].as_str().unwrap().to_string();

    // About three months on, the sweep marks the review due.
    let later = time::OffsetDateTime::now_utc() + time::Duration::days(100);
    let report = ccm_api::cases::sweep::sweep(&app.db, 14, later).unwrap();
    assert_eq!(report.reviews_due, 1);
    assert_eq!(status(&app, &fa, &id), "review_due");
    let again = ccm_api::cases::sweep::sweep(&app.db, 14, later).unwrap();
    assert_eq!(again.reviews_due, 0, "once only");

    // Contact started seven months ago: continuing needs a reason, and nothing is saved without.
    backdate_activation(&app, &id, 214);
    let before = app.snapshot();
    review(json!({"notes": "still going"})).invalid("continue_reason");
    review(json!({"continue_reason": "   "})).invalid("continue_reason");
    assert_eq!(app.snapshot(), before);
    assert_eq!(status(&app, &fa, &id), "review_due");
    let continued =
        review(json!({"notes": "still going", "continue_reason": "final hearing in March"}))
            .ok(200);
    assert_eq!(continued["status"], "active");
    assert!(continued["next_review_on"].as_str().unwrap() >= next.as_str());

    let reviews = app
        .get(&format!("/v1/referrals/{id}/reviews"))
        .token(&fa)
        .send()
        .ok(200);
    let reasons: Vec<&Value> = reviews
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["continue_reason"])
        .collect();
    assert_eq!(reasons, [&Value::Null, &json!("final hearing in March")]);
    let steps = history(&app, &fa, &id);
    let due = steps
        .iter()
        .find(|e| e["to_status"] == "review_due")
        .unwrap();
    assert_eq!(
        due["actor_user_id"],
        Value::Null,
        "the system marked it due"
    );
    let last = steps.last().unwrap();
    assert_eq!(
        (
            last["action"].as_str(),
            last["reason"].as_str(),
            last["actor_role"].as_str()
        ),
        (
            Some("record_review"),
            Some("final hearing in March"),
            Some("org_admin")
        )
    );
    // Another provider's staff do not know the case exists.
    let cl = app.token(COORDINATOR);
    app.get(&format!("/v1/referrals/{id}/reviews"))
        .token(&cl)
        .send()
        .problem(404);
}

#[test]
fn suspension_pauses_contact_until_resumed_and_records_who_and_why() {
    let app = TestApp::with_demo();
    let (fa, id) = active_fa_case(&app);
    let before = app.snapshot();
    act(&app, &fa, &id, "suspend", json!({"reason": "tired"})).invalid("reason");
    act(&app, &fa, &id, "resume", json!({})).problem(409);
    assert_eq!(app.snapshot(), before);
    let suspended = act(
        &app,
        &fa,
        &id,
        "suspend",
        json!({"reason": "safeguarding_concern", "notes": "concern raised at handover"}),
    )
    .ok(200);
    assert_eq!(suspended["status"], "suspended");
    let refused = app
        .post(&format!("/v1/referrals/{id}/reviews"))
        .token(&fa)
        .json(&json!({"notes": "x"}))
        .problem(409);
    assert_eq!(refused["current_status"], "suspended");
    let allowed: Vec<&str> = refused["allowed_actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(allowed.contains(&"resume"), "{allowed:?}");
    let resumed = act(&app, &fa, &id, "resume", json!({"notes": "lead agreed"})).ok(200);
    assert_eq!(resumed["status"], "active");
    let steps = history(&app, &fa, &id);
    let n = steps.len();
    assert_eq!(
        (
            steps[n - 2]["to_status"].as_str(),
            steps[n - 1]["to_status"].as_str()
        ),
        (Some("suspended"), Some("active"))
    );
    assert!(steps[n - 2]["reason"]
        .as_str()
        .unwrap()
        .contains("safeguarding_concern"));
    assert_eq!(steps[n - 1]["reason"], "lead agreed");
    assert!(steps[n - 1]["actor_user_id"].is_string());
}

#[test]
fn a_referrer_withdraws_its_own_referral_and_nobody_elses() {
    let app = TestApp::with_demo();
    let admin = app.token(CL_ADMIN);
    let referrer = app.token("referrer@cl.example.org");
    let dover = app.centre_id("CL Dover");
    let id = app
        .post("/v1/referrals")
        .token(&referrer)
        .json(&referral(&dover, "supported"))
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.post("/v1/users")
        .token(&admin)
        .json(&json!({"email": "other@law.example", "display_name": "Other", "role": "referrer", "password": "a-long-referrer-password"}))
        .ok(201);
    let other = app.login("other@law.example", "a-long-referrer-password");
    act(&app, &other, &id, "withdraw", json!({})).problem(404);
    act(&app, &referrer, &id, "accept", json!({})).problem(403);
    let withdrawn = act(
        &app,
        &referrer,
        &id,
        "withdraw",
        json!({"notes": "family reconciled"}),
    )
    .ok(200);
    assert_eq!(
        (
            withdrawn["status"].as_str(),
            withdrawn["closure"]["reason"].as_str()
        ),
        (Some("closed"), Some("withdrawn"))
    );
    let body = act(&app, &referrer, &id, "withdraw", json!({})).problem(409);
    assert_eq!(body["current_status"], "closed");
    assert_eq!(body["allowed_actions"], json!([]));
}

#[test]
fn a_next_steps_meeting_is_for_court_ordered_cases_once_and_staff_read_it_back() {
    let app = TestApp::with_demo();
    let (fa, id) = active_fa_case(&app);
    let url = format!("/v1/referrals/{id}/next-steps-meeting");
    app.get(&url).token(&fa).send().problem(404);
    let meeting = json!({"held_on": "2027-04-02", "attendees": "both parents, Cafcass officer", "outcome": "contact to continue in the community"});
    app.post(&url)
        .token(&fa)
        .json(&json!({"held_on": "2027-04-02", "attendees": " ", "outcome": "x"}))
        .invalid("attendees");
    app.post(&url).token(&fa).json(&meeting).ok(200);
    let again = app.post(&url).token(&fa).json(&meeting).problem(409);
    assert_eq!(again["type"], "urn:ccm:problem:meeting-recorded");
    let read = app.get(&url).token(&fa).send().ok(200);
    assert_eq!(
        (read["held_on"].as_str(), read["attendees"].as_str()),
        (Some("2027-04-02"), Some("both parents, Cafcass officer"))
    );
    // A case that is not court-ordered has no next-steps meeting.
    let coordinator = app.token(COORDINATOR);
    let dover = app.centre_id("CL Dover");
    let cl = app
        .post("/v1/referrals")
        .token(&coordinator)
        .json(&referral(&dover, "supported"))
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let body = app
        .post(&format!("/v1/referrals/{cl}/next-steps-meeting"))
        .token(&coordinator)
        .json(&meeting)
        .problem(422);
    assert_eq!(body["type"], "urn:ccm:problem:not-court-ordered");
}

#[test]
fn a_case_suspended_before_contact_started_resumes_at_its_pre_visits() {
    let app = TestApp::with_demo();
    let fa = app.token("orgadmin@fa.example.org");
    let centre = app.centre_id("FA Rotherham");
    let id = app
        .post("/v1/referrals")
        .token(&fa)
        .json(&referral(&centre, "supervised"))
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    assess(&app, &fa, &id, json!({"outcome": "suitable"}));
    act(&app, &fa, &id, "accept", json!({})).ok(200);
    act(&app, &fa, &id, "accept-offer", json!({})).ok(200);
    assert_eq!(status(&app, &fa, &id), "pre_visits");
    act(&app, &fa, &id, "suspend", json!({"reason": "breach"})).ok(200);
    let resumed = act(&app, &fa, &id, "resume", json!({})).ok(200);
    assert_eq!(resumed["status"], "pre_visits", "contact never started");
    assert!(resumed["activated_on"].is_null());
}
