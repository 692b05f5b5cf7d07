//! Logging in, refreshing, logging out, and what a token must be to be accepted.

use base64::Engine;
use ccm_api::config::DEV_JWT_SECRET;
use ccm_tests::{json, TestApp, DEMO_PASSWORD};
use serde_json::Value;

const COORDINATOR: &str = "coordinator@cl.example.org";

fn login(app: &TestApp, email: &str, password: &str) -> ccm_tests::Response {
    app.post("/v1/auth/token")
        .json(&json!({"email": email, "password": password}))
}

#[test]
fn a_coordinator_logs_in_and_sees_who_they_are() {
    let app = TestApp::with_demo();
    let tokens = login(&app, COORDINATOR, DEMO_PASSWORD).ok(200);
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 900);
    assert_eq!(tokens["role"], "coordinator");
    let me = app
        .get("/v1/me")
        .token(tokens["access_token"].as_str().unwrap())
        .send()
        .ok(200);
    assert_eq!(me["email"], COORDINATOR);
    assert_eq!(me["role"], "coordinator");
    assert_eq!(me["provider_name"], "CL Child Contact Centres");
    assert!(me["last_login_at"].is_string());
    assert!(me.get("password_hash").is_none());
}

#[test]
fn e_mail_addresses_match_in_any_case() {
    let app = TestApp::with_demo();
    login(&app, "Coordinator@CL.Example.org", DEMO_PASSWORD).ok(200);
}

#[test]
fn a_wrong_password_and_an_unknown_address_get_the_same_answer() {
    let app = TestApp::with_demo();
    let wrong = login(&app, COORDINATOR, "not-the-password").problem(401);
    let unknown = login(&app, "nobody@example.org", "not-the-password").problem(401);
    assert_eq!(wrong["detail"], unknown["detail"]);
}

#[test]
fn five_wrong_passwords_lock_the_address_without_revealing_whether_it_exists() {
    let app = TestApp::with_demo();
    for email in [COORDINATOR, "nobody@example.org"] {
        for _ in 0..4 {
            login(&app, email, "guess").problem(401);
        }
        // The fifth wrong password locks the address; even the right one is refused now.
        login(&app, email, "guess").problem(429);
        let r = login(&app, email, DEMO_PASSWORD);
        let body = r.problem(429);
        assert_eq!(body["type"], "urn:ccm:problem:too-many-requests");
        let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=900).contains(&retry), "{retry}");
    }
    // Another address is not affected.
    login(&app, "supervisor@cl.example.org", DEMO_PASSWORD).ok(200);
}

#[test]
fn a_successful_login_resets_the_count() {
    let app = TestApp::with_demo();
    for _ in 0..4 {
        login(&app, COORDINATOR, "guess").problem(401);
    }
    login(&app, COORDINATOR, DEMO_PASSWORD).ok(200);
    for _ in 0..4 {
        login(&app, COORDINATOR, "guess").problem(401);
    }
    login(&app, COORDINATOR, DEMO_PASSWORD).ok(200);
}

#[test]
fn a_refresh_token_works_once_and_its_reuse_revokes_the_login() {
    let app = TestApp::with_demo();
    let first = login(&app, COORDINATOR, DEMO_PASSWORD).ok(200);
    let refresh = |token: &Value| {
        app.post("/v1/auth/refresh")
            .json(&json!({"refresh_token": token}))
    };
    let second = refresh(&first["refresh_token"]).ok(200);
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    app.get("/v1/me")
        .token(second["access_token"].as_str().unwrap())
        .send()
        .ok(200);
    // The first token again: someone kept a copy. Both it and its successor stop working.
    let body = refresh(&first["refresh_token"]).problem(401);
    assert!(
        body["detail"].as_str().unwrap().contains("already used"),
        "{body}"
    );
    refresh(&second["refresh_token"]).problem(401);
}

#[test]
fn logout_revokes_the_refresh_token() {
    let app = TestApp::with_demo();
    let tokens = login(&app, COORDINATOR, DEMO_PASSWORD).ok(200);
    let body = json!({"refresh_token": tokens["refresh_token"]});
    assert_eq!(app.post("/v1/auth/logout").json(&body).status, 204);
    app.post("/v1/auth/refresh").json(&body).problem(401);
    // Logging out twice, or with a made-up token, reveals nothing.
    assert_eq!(app.post("/v1/auth/logout").json(&body).status, 204);
    assert_eq!(
        app.post("/v1/auth/logout")
            .json(&json!({"refresh_token": "made-up"}))
            .status,
        204
    );
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn signed(claims: &Value, secret: &str) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

fn claims_for(app: &TestApp, exp_offset: i64) -> Value {
    let tokens = login(app, COORDINATOR, DEMO_PASSWORD).ok(200);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    json!({
        "sub": tokens["user_id"], "role": "coordinator", "iss": "ccm", "aud": "ccm-api",
        "iat": now - 3600, "exp": now + exp_offset
    })
}

#[test]
fn missing_expired_tampered_and_unsigned_tokens_are_401() {
    let app = TestApp::with_demo();
    let r = app.get("/v1/me").send();
    r.problem(401);
    assert!(r
        .header("www-authenticate")
        .is_some_and(|v| v.starts_with("Bearer")));
    app.get("/v1/me")
        .header("Authorization", "Basic abc")
        .send()
        .problem(401);
    app.get("/v1/me").token("not.a.jwt").send().problem(401);

    // Properly signed but expired a minute ago.
    let expired = signed(&claims_for(&app, -60), DEV_JWT_SECRET);
    let body = app.get("/v1/me").token(&expired).send().problem(401);
    assert!(
        body["detail"].as_str().unwrap().contains("expired"),
        "{body}"
    );

    // Signed with another key.
    let forged = signed(&claims_for(&app, 600), "someone-elses-secret-someone-elses");
    app.get("/v1/me").token(&forged).send().problem(401);

    // A valid token whose payload was edited to claim platform admin.
    let valid = signed(&claims_for(&app, 600), DEV_JWT_SECRET);
    app.get("/v1/me").token(&valid).send().ok(200);
    let mut parts: Vec<String> = valid.split('.').map(str::to_string).collect();
    let mut payload = claims_for(&app, 600);
    payload["role"] = json!("platform_admin");
    parts[1] = b64(payload.to_string().as_bytes());
    app.get("/v1/me")
        .token(&parts.join("."))
        .send()
        .problem(401);

    // `alg: none` with no signature at all.
    let header = b64(br#"{"alg":"none","typ":"JWT"}"#);
    let unsigned = format!(
        "{header}.{}.",
        b64(claims_for(&app, 600).to_string().as_bytes())
    );
    app.get("/v1/me").token(&unsigned).send().problem(401);
}

#[test]
fn changing_your_password_ends_your_other_logins() {
    let app = TestApp::with_demo();
    let tokens = login(&app, COORDINATOR, DEMO_PASSWORD).ok(200);
    let access = tokens["access_token"].as_str().unwrap();
    let change = |current: &str, new: &str| {
        app.post("/v1/me/password")
            .token(access)
            .json(&json!({"current_password": current, "new_password": new}))
    };
    change("wrong", "a-brand-new-password").invalid("current_password");
    change(DEMO_PASSWORD, "short").invalid("new_password");
    assert_eq!(change(DEMO_PASSWORD, "a-brand-new-password").status, 204);
    app.post("/v1/auth/refresh")
        .json(&json!({"refresh_token": tokens["refresh_token"]}))
        .problem(401);
    login(&app, COORDINATOR, DEMO_PASSWORD).problem(401);
    login(&app, COORDINATOR, "a-brand-new-password").ok(200);
}

#[test]
fn a_deactivated_or_demoted_account_loses_its_access_at_once() {
    let app = TestApp::with_demo();
    let admin = app.token("orgadmin@cl.example.org");
    let platform = app.token("admin@example.org");
    let me = app.get("/v1/me").token(&admin).send().ok(200);
    let path = format!("/v1/users/{}", me["id"].as_str().unwrap());
    // Demoted to coordinator: the still-valid access token can no longer write the catalogue.
    app.patch(&path)
        .token(&platform)
        .json(&json!({"role": "coordinator"}))
        .ok(200);
    let centre = json!({"name": "CL Rye", "address": {"line1": "1 Quay", "town": "Rye", "postcode": "TN31 7AA"}});
    app.post("/v1/centres")
        .token(&admin)
        .json(&centre)
        .problem(403);
    // Deactivated: the token is refused outright.
    app.patch(&path)
        .token(&platform)
        .json(&json!({"active": false}))
        .ok(200);
    app.get("/v1/me").token(&admin).send().problem(401);
}

#[test]
fn guessing_the_current_password_counts_towards_the_lockout() {
    let app = TestApp::with_demo();
    let token = app.token(COORDINATOR);
    for _ in 0..4 {
        app.post("/v1/me/password")
            .token(&token)
            .json(&json!({"current_password": "guess", "new_password": "a-brand-new-password"}))
            .invalid("current_password");
    }
    app.post("/v1/me/password")
        .token(&token)
        .json(&json!({"current_password": "guess", "new_password": "a-brand-new-password"}))
        .problem(429);
    login(&app, COORDINATOR, DEMO_PASSWORD).problem(429);
}
