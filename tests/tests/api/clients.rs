//! Partner API clients: registered by an org admin, signing in with the client-credentials
//! grant, seeing only their own referrals, held to their scopes, rotated and revoked.

use ccm_tests::{json, TestApp};
use serde_json::Value;

use crate::support::*;

pub(crate) const ALL_SCOPES: [&str; 4] = [
    "referrals:write",
    "referrals:read",
    "reports:read",
    "webhooks:manage",
];

/// Registers a Cafcass client with `scopes`; its id and secret.
pub(crate) fn register(app: &TestApp, scopes: &[&str]) -> (String, String) {
    let made = app
        .post("/v1/api-clients")
        .token(&app.token(CL_ADMIN))
        .json(&json!({"name": "Cafcass South East case system", "organisation_kind": "cafcass", "scopes": scopes}))
        .ok(201);
    (
        made["client"]["id"].as_str().unwrap().to_string(),
        made["client_secret"].as_str().unwrap().to_string(),
    )
}

/// A token for the client, asked for as an OAuth2 library does (a form).
pub(crate) fn client_token(app: &TestApp, id: &str, secret: &str) -> String {
    let body = format!("grant_type=client_credentials&client_id={id}&client_secret={secret}");
    app.post("/v1/auth/token")
        .raw("application/x-www-form-urlencoded", &body)
        .ok(200)["access_token"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A referral as Cafcass's system sends it.
pub(crate) fn cafcass_referral(centre: &str, service: &str) -> Value {
    let mut body = referral(centre, service);
    body["referrer"] = json!({"kind": "cafcass", "name": "Pat Officer", "organisation": "Cafcass South East", "email": "pat@cafcass.example"});
    body
}

#[test]
fn an_org_admin_registers_a_client_whose_secret_is_shown_once_and_works_as_a_token() {
    let app = TestApp::with_demo();
    let admin = app.token(CL_ADMIN);
    let made = app
        .post("/v1/api-clients")
        .token(&admin)
        .json(&json!({"name": "Medway Council children's services", "organisation_kind": "local_authority",
            "scopes": ["referrals:read", "referrals:write"]}))
        .ok(201);
    let id = made["client"]["id"].as_str().unwrap();
    let secret = made["client_secret"].as_str().unwrap();
    assert!(secret.starts_with("ccmc_") && secret.len() > 40, "{secret}");
    assert_eq!(
        made["client"]["scopes"],
        json!(["referrals:write", "referrals:read"])
    );
    // Read back: the hint, never the secret.
    let read = app
        .get(&format!("/v1/api-clients/{id}"))
        .token(&admin)
        .send()
        .ok(200);
    assert_eq!(read["secret_hint"], &secret[..9]);
    assert!(!read.to_string().contains(secret));
    let stored = stored_hash(&app, id);
    assert!(!stored.contains(secret) && stored.len() == 64);

    // HTTP Basic credentials, as many OAuth2 libraries send them, work too.
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
    app.post("/v1/auth/token")
        .header("Authorization", &format!("Basic {basic}"))
        .raw(
            "application/x-www-form-urlencoded",
            "grant_type=client_credentials",
        )
        .ok(200);
    // JSON works as well as a form; the answer carries the scopes and no refresh token.
    let issued = app
        .post("/v1/auth/token")
        .json(
            &json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret}),
        )
        .ok(200);
    assert_eq!(issued["scope"], "referrals:write referrals:read");
    assert_eq!(issued["role"], "referrer");
    assert!(issued.get("refresh_token").is_none());
    let token = issued["access_token"].as_str().unwrap();
    app.get("/v1/me").token(token).send().ok(200);

    // Coordinators do not register clients; a wrong secret or a missing one is refused.
    let before = app.snapshot();
    app.post("/v1/api-clients")
        .token(&app.token(COORDINATOR))
        .json(&json!({"name": "X", "organisation_kind": "cafcass", "scopes": ["referrals:read"]}))
        .problem(403);
    let before_wrong = app.snapshot();
    app.post("/v1/auth/token")
        .json(&json!({"grant_type": "client_credentials", "client_id": id, "client_secret": "ccmc_wrong"}))
        .problem(401);
    app.post("/v1/auth/token")
        .json(&json!({"grant_type": "client_credentials", "client_id": id}))
        .invalid("client_secret");
    assert_eq!(app.snapshot(), before_wrong);
    app.post("/v1/api-clients")
        .token(&admin)
        .json(&json!({"name": "Parent", "organisation_kind": "self", "scopes": ["referrals:read"]}))
        .invalid("organisation_kind");
    app.post("/v1/api-clients")
        .token(&admin)
        .json(&json!({"name": "Nothing", "organisation_kind": "cafcass", "scopes": []}))
        .invalid("scopes");
    app.post("/v1/api-clients")
        .token(&admin)
        .json(&json!({"name": "Odd", "organisation_kind": "cafcass", "scopes": ["admin:all"]}))
        .invalid("scopes[0]");
    // The coordinator's and admin's logins wrote rows; the refused requests wrote none.
    let after = app.snapshot();
    assert_eq!(after["api_clients"], before["api_clients"]);
    assert_eq!(after["users"], before["users"]);
}

#[test]
fn a_client_sees_only_the_referrals_it_created_and_only_what_its_scopes_allow() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let centre = app.centre_id("CL Gravesend Supervised");
    let (id, secret) = register(&app, &["referrals:write", "referrals:read"]);
    let client = client_token(&app, &id, &secret);
    let own = app
        .post("/v1/referrals")
        .token(&client)
        .json(&cafcass_referral(&centre, "supervised"))
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let others = app
        .post("/v1/referrals")
        .token(&coordinator)
        .json(&referral(&centre, "supervised"))
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.get(&format!("/v1/referrals/{own}"))
        .token(&client)
        .send()
        .ok(200);
    let listed = app.get("/v1/referrals").token(&client).send().ok(200);
    let ids: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [own.as_str()]);

    // Another's referral does not exist for it; staff work and unscoped reads are refused.
    let before = app.snapshot();
    app.get(&format!("/v1/referrals/{others}"))
        .token(&client)
        .send()
        .problem(404);
    app.post(&format!("/v1/referrals/{others}/withdraw"))
        .token(&client)
        .json(&json!({"notes": "not ours"}))
        .problem(404);
    let staff_only = app.get("/v1/users").token(&client).send().problem(403);
    assert!(staff_only["detail"]
        .as_str()
        .unwrap()
        .contains("API clients"));
    app.get(&format!("/v1/referrals/{own}/sessions"))
        .token(&client)
        .send()
        .problem(403);
    let unscoped = app
        .get(&format!("/v1/referrals/{own}/released-reports"))
        .token(&client)
        .send()
        .problem(403);
    assert!(unscoped["detail"]
        .as_str()
        .unwrap()
        .contains("reports:read"));
    // It refers as the kind of body it was registered for.
    app.post("/v1/referrals")
        .token(&client)
        .json(&referral(&centre, "supervised"))
        .invalid("referrer.kind");
    assert_eq!(app.snapshot(), before);

    // A client that may only read cannot refer.
    let (reader, reader_secret) = register(&app, &["referrals:read"]);
    let reader = client_token(&app, &reader, &reader_secret);
    let before = app.snapshot();
    let refused = app
        .post("/v1/referrals")
        .token(&reader)
        .json(&cafcass_referral(&centre, "supervised"))
        .problem(403);
    assert!(refused["detail"]
        .as_str()
        .unwrap()
        .contains("referrals:write"));
    assert_eq!(app.snapshot(), before);
}

#[test]
fn a_rotated_secret_stops_working_and_a_revoked_clients_token_is_refused() {
    let app = TestApp::with_demo();
    let admin = app.token(CL_ADMIN);
    let (id, secret) = register(&app, &ALL_SCOPES);
    let token = client_token(&app, &id, &secret);
    let rotated = app
        .post(&format!("/v1/api-clients/{id}/rotate-secret"))
        .token(&admin)
        .json(&json!({}))
        .ok(200);
    let new_secret = rotated["client_secret"].as_str().unwrap();
    assert_ne!(new_secret, secret);
    app.post("/v1/auth/token")
        .json(
            &json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret}),
        )
        .problem(401);
    let token2 = client_token(&app, &id, new_secret);
    // A token issued before the rotation runs to its expiry.
    app.get("/v1/me").token(&token).send().ok(200);

    // Another provider's admin does not see the client.
    app.get(&format!("/v1/api-clients/{id}"))
        .token(&app.token("orgadmin@fa.example.org"))
        .send()
        .problem(404);

    let revoked = app
        .post(&format!("/v1/api-clients/{id}/revoke"))
        .token(&admin)
        .json(&json!({}))
        .ok(200);
    assert!(revoked["revoked_at"].is_string());
    let before = app.snapshot();
    for t in [&token, &token2] {
        let refused = app.get("/v1/referrals").token(t).send().problem(401);
        assert!(refused["detail"].as_str().unwrap().contains("revoked"));
    }
    app.post("/v1/auth/token")
        .json(&json!({"grant_type": "client_credentials", "client_id": id, "client_secret": new_secret}))
        .problem(401);
    app.post(&format!("/v1/api-clients/{id}/rotate-secret"))
        .token(&admin)
        .json(&json!({}))
        .problem(409);
    let after = app.snapshot();
    assert_eq!(after["api_clients"], before["api_clients"]);
    assert_eq!(after["referrals"], before["referrals"]);
    let listed = app.get("/v1/api-clients").token(&admin).send().ok(200);
    assert_eq!(listed["items"][0]["id"], id.as_str());
}

#[test]
fn a_clients_own_account_cannot_be_given_a_role_or_a_password() {
    let app = TestApp::with_demo();
    let admin = app.token(CL_ADMIN);
    let (id, secret) = register(&app, &["referrals:read"]);
    let token = client_token(&app, &id, &secret);
    let account = app.get("/v1/me").token(&token).send().ok(200)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let before = app.snapshot();
    for change in [
        json!({"role": "coordinator"}),
        json!({"password": "a-long-new-password-2026"}),
    ] {
        let refused = app
            .patch(&format!("/v1/users/{account}"))
            .token(&admin)
            .json(&change)
            .problem(409);
        assert!(refused["detail"]
            .as_str()
            .unwrap()
            .contains("/v1/api-clients"));
    }
    assert_eq!(app.snapshot(), before);
    let listed = app.get("/v1/referrals").token(&token).send().ok(200);
    assert_eq!(listed["items"], json!([]));
}

fn stored_hash(app: &TestApp, id: &str) -> String {
    use ccm_persistence::schema::api_clients as c;
    use diesel::prelude::*;
    let id = id.to_string();
    app.db
        .read(|conn| {
            c::table
                .find(&id)
                .select(c::secret_hash)
                .first::<String>(conn)
                .map_err(ccm_persistence::StoreError::from)
        })
        .unwrap()
}

#[test]
fn a_client_over_its_request_allowance_is_told_to_wait() {
    let app = TestApp::spawn_with(|c| c.client_rate_per_minute = 3);
    ccm_api::seed::seed_demo(&app.db).expect("demo data loads");
    let (id, secret) = register(&app, &ALL_SCOPES);
    let client = client_token(&app, &id, &secret);
    for _ in 0..3 {
        app.get("/v1/referrals").token(&client).send().ok(200);
    }
    let limited = app.get("/v1/referrals").token(&client).send();
    let retry: u64 = limited
        .header("Retry-After")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((1..=20).contains(&retry), "{retry}");
    limited.problem(429);
    // The allowance is the client's own: staff and other clients are not held back.
    app.get("/v1/referrals")
        .token(&app.token(COORDINATOR))
        .send()
        .ok(200);
    let (other, other_secret) = register(&app, &ALL_SCOPES);
    let other = client_token(&app, &other, &other_secret);
    app.get("/v1/referrals").token(&other).send().ok(200);
}
