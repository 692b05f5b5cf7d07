//! A partner's retry with the same Idempotency-Key replays the first answer instead of
//! creating a second thing.

use ccm_tests::{json, TestApp};

const CL_ADMIN: &str = "orgadmin@cl.example.org";

fn centre(name: &str) -> serde_json::Value {
    json!({"name": name, "address": {"line1": "1 Quay", "town": "Rye", "postcode": "TN31 7AA"}})
}

#[test]
fn a_retried_create_returns_the_first_response_and_creates_once() {
    let app = TestApp::with_demo();
    let admin = app.token(CL_ADMIN);
    let post = || {
        app.post("/v1/centres")
            .token(&admin)
            .header("Idempotency-Key", "retry-1")
            .json(&centre("CL Rye"))
    };
    let first = post();
    let created = first.ok(201);
    let before = app.snapshot();
    let second = post();
    assert_eq!(second.ok(201), created);
    assert_eq!(second.header("location"), first.header("location"));
    assert_eq!(second.header("etag"), first.header("etag"));
    assert_eq!(second.header("idempotent-replayed"), Some("true"));
    assert_eq!(app.snapshot(), before, "the retry created nothing");
}

#[test]
fn the_same_key_with_another_body_is_refused_and_changes_nothing() {
    let app = TestApp::with_demo();
    let admin = app.token(CL_ADMIN);
    app.post("/v1/centres")
        .token(&admin)
        .header("Idempotency-Key", "k")
        .json(&centre("CL Rye"))
        .ok(201);
    let before = app.snapshot();
    let body = app
        .post("/v1/centres")
        .token(&admin)
        .header("Idempotency-Key", "k")
        .json(&centre("CL Winchelsea"))
        .problem(422);
    assert_eq!(body["type"], "urn:ccm:problem:idempotency-key-reused");
    assert_eq!(app.snapshot(), before);
}

#[test]
fn keys_belong_to_their_caller() {
    let app = TestApp::with_demo();
    let cl = app.token(CL_ADMIN);
    let fa = app.token("orgadmin@fa.example.org");
    let a = app
        .post("/v1/centres")
        .token(&cl)
        .header("Idempotency-Key", "same")
        .json(&centre("Rye A"))
        .ok(201);
    let b = app
        .post("/v1/centres")
        .token(&fa)
        .header("Idempotency-Key", "same")
        .json(&centre("Rye A"))
        .ok(201);
    assert_ne!(a["id"], b["id"]);
    assert_ne!(a["provider_id"], b["provider_id"]);
}

#[test]
fn a_refused_request_is_replayed_as_refused() {
    let app = TestApp::with_demo();
    let admin = app.token(CL_ADMIN);
    let dup = || {
        app.post("/v1/centres")
            .token(&admin)
            .header("Idempotency-Key", "dup")
            .json(&centre("CL Dover"))
    };
    dup().problem(409);
    let again = dup();
    again.problem(409);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
}

#[test]
fn a_malformed_key_is_400() {
    let app = TestApp::with_demo();
    let admin = app.token(CL_ADMIN);
    let long = "k".repeat(201);
    let body = app
        .post("/v1/centres")
        .token(&admin)
        .header("Idempotency-Key", &long)
        .json(&centre("CL Rye"))
        .problem(400);
    assert_eq!(body["errors"][0]["field"], "Idempotency-Key");
}

#[test]
fn without_a_key_every_post_is_a_new_request() {
    let app = TestApp::with_demo();
    let admin = app.token(CL_ADMIN);
    app.post("/v1/centres")
        .token(&admin)
        .json(&centre("CL Rye"))
        .ok(201);
    app.post("/v1/centres")
        .token(&admin)
        .json(&centre("CL Rye"))
        .problem(409);
}

/// Creates a referral (holding both parents' contact details) with `key` as `token`.
fn keyed_referral(
    app: &TestApp,
    token: &str,
    key: &str,
    body: &serde_json::Value,
) -> ccm_tests::Response {
    app.post("/v1/referrals")
        .token(token)
        .header("Idempotency-Key", key)
        .json(body)
}

/// Changes an account as its org admin, with the `If-Match` it asks for.
fn change_account(app: &TestApp, user_id: &str, change: serde_json::Value) {
    let admin = app.token(CL_ADMIN);
    let path = format!("/v1/users/{user_id}");
    let etag = app
        .get(&path)
        .token(&admin)
        .send()
        .header("etag")
        .unwrap()
        .to_string();
    app.patch(&path)
        .token(&admin)
        .header("If-Match", &etag)
        .json(&change)
        .ok(200);
}

fn refused_without_the_stored_body(r: &ccm_tests::Response, status: u16) {
    r.problem(status);
    assert!(!r.text.contains("bob@example.org"), "{}", r.text);
    assert_eq!(r.header("idempotent-replayed"), None);
}

#[test]
fn a_replay_for_a_deactivated_account_is_refused_not_replayed() {
    let app = TestApp::with_demo();
    let signed_in = app
        .post("/v1/auth/token")
        .json(&json!({"email": crate::support::COORDINATOR, "password": ccm_tests::DEMO_PASSWORD}))
        .ok(200);
    let token = signed_in["access_token"].as_str().unwrap();
    let body = crate::support::referral(&app.centre_id("CL Dover"), "supported");
    keyed_referral(&app, token, "r-1", &body).ok(201);
    change_account(
        &app,
        signed_in["user_id"].as_str().unwrap(),
        json!({"active": false}),
    );
    let before = app.snapshot();
    refused_without_the_stored_body(&keyed_referral(&app, token, "r-1", &body), 401);
    assert_eq!(app.snapshot(), before);
}

#[test]
fn a_replay_for_a_demoted_account_is_refused_not_replayed() {
    let app = TestApp::with_demo();
    let signed_in = app
        .post("/v1/auth/token")
        .json(&json!({"email": crate::support::COORDINATOR, "password": ccm_tests::DEMO_PASSWORD}))
        .ok(200);
    let token = signed_in["access_token"].as_str().unwrap();
    let body = crate::support::referral(&app.centre_id("CL Dover"), "supported");
    let first = keyed_referral(&app, token, "r-1", &body);
    first.ok(201);
    // The replay is still answered while nothing has changed...
    assert_eq!(
        keyed_referral(&app, token, "r-1", &body).header("idempotent-replayed"),
        Some("true")
    );
    change_account(
        &app,
        signed_in["user_id"].as_str().unwrap(),
        json!({"role": "volunteer"}),
    );
    let before = app.snapshot();
    // ...and not once the role no longer allows creating referrals.
    refused_without_the_stored_body(&keyed_referral(&app, token, "r-1", &body), 403);
    assert_eq!(app.snapshot(), before);
}

#[test]
fn a_replay_for_a_revoked_api_client_is_refused_not_replayed() {
    let app = TestApp::with_demo();
    let (id, secret) = crate::clients::register(&app, &crate::clients::ALL_SCOPES);
    let token = crate::clients::client_token(&app, &id, &secret);
    let body = crate::clients::cafcass_referral(&app.centre_id("CL Dover"), "supported");
    keyed_referral(&app, &token, "r-1", &body).ok(201);
    app.post(&format!("/v1/api-clients/{id}/revoke"))
        .token(&app.token(CL_ADMIN))
        .json(&json!({}))
        .ok(200);
    let before = app.snapshot();
    refused_without_the_stored_body(&keyed_referral(&app, &token, "r-1", &body), 401);
    assert_eq!(app.snapshot(), before);
}
