//! Accounts belong to a provider: an address may have an account at each provider, each with
//! its own password, role and deactivation. Creating one never reveals another provider's
//! accounts, and signing in picks the account the password opens.

use ccm_api::accounts::{create_platform_admin, Created};
use ccm_persistence::users::{self, User};
use ccm_persistence::{new_id, now, StoreError};
use ccm_tests::{json, TestApp, DEMO_PASSWORD};
use serde_json::Value;

use crate::support::{CL_ADMIN, COORDINATOR};

const FA_ADMIN: &str = "orgadmin@fa.example.org";
const PLATFORM: &str = "admin@example.org";

fn new_user(email: &str, role: &str, password: &str) -> Value {
    json!({"email": email, "display_name": "New Person", "role": role, "password": password})
}

fn login(app: &TestApp, body: Value) -> ccm_tests::Response {
    app.post("/v1/auth/token").json(&body)
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

/// The keys of a JSON object, sorted: the shape of an answer.
fn keys(v: &Value) -> Vec<String> {
    let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

/// What the trail says about an account's creation, without its ids and time.
fn creation_audit(app: &TestApp, admin: &str, user_id: &str) -> Vec<Value> {
    let trail = app
        .get(&format!("/v1/audit?entity_type=user&entity_id={user_id}"))
        .token(admin)
        .send()
        .ok(200);
    trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| json!([e["action"], e["kind"], e["actor_id"], e["fields"]]))
        .collect()
}

#[test]
fn an_address_known_at_another_provider_gets_a_new_separate_account_as_a_fresh_one_does() {
    let app = TestApp::with_demo();
    let (cl_admin, fa_admin) = (app.token(CL_ADMIN), app.token(FA_ADMIN));
    let fa_account = app.get("/v1/me").token(&fa_admin).send().ok(200);
    let fa_path = format!("/v1/users/{}", id(&fa_account));
    let fa_before = app.get(&fa_path).token(&fa_admin).send().ok(200);
    let users_before = app.snapshot()["users"];

    let create = |email: &str| {
        let r = app.post("/v1/users").token(&cl_admin).json(&new_user(
            email,
            "volunteer",
            "a-long-first-password",
        ));
        let body = r.ok(201);
        assert_eq!(r.header("etag"), Some("\"1\""));
        assert_eq!(
            r.header("location"),
            Some(format!("/v1/users/{}", id(&body)).as_str())
        );
        body
    };
    let shared = create("OrgAdmin@FA.example.org");
    let fresh = create("fresh.volunteer@example.org");
    assert_eq!(keys(&shared), keys(&fresh));
    for (account, email) in [
        (&shared, "orgadmin@fa.example.org"),
        (&fresh, "fresh.volunteer@example.org"),
    ] {
        assert_eq!(account["email"], email);
        assert_eq!(account["provider_id"], app.provider_id("CL"));
        assert_eq!(account["role"], "volunteer");
        assert_eq!(account["version"], 1);
    }
    assert_ne!(id(&shared), id(&fa_account));
    assert_eq!(app.snapshot()["users"], users_before + 2);
    assert_eq!(
        creation_audit(&app, &cl_admin, &id(&shared)),
        creation_audit(&app, &cl_admin, &id(&fresh))
    );

    // FA's account is untouched: the same record, and its own password still opens it.
    assert_eq!(app.get(&fa_path).token(&fa_admin).send().ok(200), fa_before);
    let as_fa = login(&app, json!({"email": FA_ADMIN, "password": DEMO_PASSWORD})).ok(200);
    assert_eq!(as_fa["user_id"], fa_account["id"]);
    assert_eq!(as_fa["role"], "org_admin");
    // The new account has its own password, role and provider.
    let as_cl = login(
        &app,
        json!({"email": FA_ADMIN, "password": "a-long-first-password"}),
    )
    .ok(200);
    assert_eq!(as_cl["user_id"], shared["id"]);
    assert_eq!(as_cl["role"], "volunteer");
    let me = app
        .get("/v1/me")
        .token(as_cl["access_token"].as_str().unwrap())
        .send()
        .ok(200);
    assert_eq!(me["provider_name"], "CL Child Contact Centres");
}

#[test]
fn a_taken_address_at_the_same_provider_or_among_platform_admins_is_409_and_changes_nothing() {
    let app = TestApp::with_demo();
    let (fa_admin, cl_admin) = (app.token(FA_ADMIN), app.token(CL_ADMIN));
    let platform = app.token(PLATFORM);
    let body = new_user(COORDINATOR, "coordinator", "a-long-first-password");
    app.post("/v1/users").token(&fa_admin).json(&body).ok(201);
    // A platform admin's account belongs to no provider: one per address among them.
    let boss = new_user(COORDINATOR, "platform_admin", "a-long-first-password");
    app.post("/v1/users").token(&platform).json(&boss).ok(201);

    let before = app.snapshot();
    for (token, body) in [
        (
            &fa_admin,
            new_user(
                "Coordinator@cl.example.org",
                "volunteer",
                "another-long-password",
            ),
        ),
        (
            &cl_admin,
            new_user(COORDINATOR, "finance", "another-long-password"),
        ),
        (
            &platform,
            new_user(PLATFORM, "platform_admin", "another-long-password"),
        ),
        (
            &platform,
            new_user(COORDINATOR, "platform_admin", "another-long-password"),
        ),
    ] {
        let problem = app.post("/v1/users").token(token).json(&body).problem(409);
        assert_eq!(problem["type"], "urn:ccm:problem:duplicate-email");
    }
    assert_eq!(app.snapshot(), before);
}

#[test]
fn the_database_keeps_an_address_unique_per_provider_and_among_platform_admins() {
    let app = TestApp::with_demo();
    let (cl, fa) = (app.provider_id("CL"), app.provider_id("FA"));
    let account = |email: &str, role: &str, provider: Option<&str>| User {
        id: new_id(),
        email: email.into(),
        display_name: "Someone".into(),
        password_hash: "!".into(),
        role: role.into(),
        provider_id: provider.map(str::to_string),
        active: true,
        version: 1,
        last_login_at: None,
        created_at: now(),
        updated_at: now(),
    };
    let insert = |user: User| app.db.write(move |conn| users::insert(conn, &user));
    insert(account("twice@example.org", "volunteer", Some(&cl))).unwrap();
    insert(account("twice@example.org", "volunteer", Some(&fa))).unwrap();
    insert(account("twice@example.org", "platform_admin", None)).unwrap();
    for again in [
        account("twice@example.org", "finance", Some(&cl)),
        account("twice@example.org", "platform_admin", None),
    ] {
        assert!(
            matches!(insert(again), Err(StoreError::Duplicate(_))),
            "a second account for the address was stored"
        );
    }
}

#[test]
fn signing_in_picks_the_account_whose_password_matches() {
    let app = TestApp::with_demo();
    let fa_admin = app.token(FA_ADMIN);
    let fa_coordinator = app
        .post("/v1/users")
        .token(&fa_admin)
        .json(&new_user(COORDINATOR, "supervisor", "fa-own-password-2026"))
        .ok(201);
    let cl_coordinator = login(
        &app,
        json!({"email": COORDINATOR, "password": DEMO_PASSWORD}),
    )
    .ok(200);
    assert_eq!(cl_coordinator["role"], "coordinator");
    assert_ne!(cl_coordinator["user_id"], fa_coordinator["id"]);
    let at_fa = login(
        &app,
        json!({"email": COORDINATOR, "password": "fa-own-password-2026"}),
    )
    .ok(200);
    assert_eq!(at_fa["user_id"], fa_coordinator["id"]);
    assert_eq!(at_fa["role"], "supervisor");
    // The refresh token stays with the account it was issued to.
    let refreshed = app
        .post("/v1/auth/refresh")
        .json(&json!({"refresh_token": at_fa["refresh_token"]}))
        .ok(200);
    assert_eq!(refreshed["user_id"], fa_coordinator["id"]);
    // Naming the other provider tries only its account.
    let cl = app.provider_id("CL");
    let wrong = login(
        &app,
        json!({"email": COORDINATOR, "password": "fa-own-password-2026", "provider_id": cl}),
    )
    .problem(401);
    let unknown = login(
        &app,
        json!({"email": "nobody@example.org", "password": "fa-own-password-2026"}),
    )
    .problem(401);
    assert_eq!(wrong["detail"], unknown["detail"]);
}

#[test]
fn the_same_password_at_two_providers_needs_provider_id() {
    let app = TestApp::with_demo();
    let (cl, fa) = (app.provider_id("CL"), app.provider_id("FA"));
    let fa_admin = app.token(FA_ADMIN);
    let fa_coordinator = app
        .post("/v1/users")
        .token(&fa_admin)
        .json(&new_user(COORDINATOR, "coordinator", DEMO_PASSWORD))
        .ok(201);
    let before = app.snapshot();
    // More than the lockout allows: a proven password is not a wrong one.
    for _ in 0..6 {
        let problem = login(
            &app,
            json!({"email": COORDINATOR, "password": DEMO_PASSWORD}),
        )
        .problem(400);
        assert_eq!(problem["type"], "urn:ccm:problem:invalid-request");
        assert_eq!(problem["errors"][0]["field"], "provider_id");
        let mut providers = problem["providers"].as_array().unwrap().clone();
        providers.sort_by_key(|p| p["name"].as_str().unwrap().to_string());
        assert_eq!(
            providers,
            vec![
                json!({"id": cl, "name": "CL Child Contact Centres"}),
                json!({"id": fa, "name": "FA Family Contact"}),
            ]
        );
        assert!(problem.get("access_token").is_none());
    }
    let after = app.snapshot();
    assert_eq!(after["refresh_tokens"], before["refresh_tokens"]);

    let at_fa = login(
        &app,
        json!({"email": COORDINATOR, "password": DEMO_PASSWORD, "provider_id": fa}),
    )
    .ok(200);
    assert_eq!(at_fa["user_id"], fa_coordinator["id"]);
    // As an OAuth2 form, too.
    let form = format!(
        "grant_type=password&email=coordinator%40cl.example.org&password={DEMO_PASSWORD}&provider_id={cl}"
    );
    let at_cl = app
        .post("/v1/auth/token")
        .raw("application/x-www-form-urlencoded", &form)
        .ok(200);
    let me = app
        .get("/v1/me")
        .token(at_cl["access_token"].as_str().unwrap())
        .send()
        .ok(200);
    assert_eq!(me["provider_name"], "CL Child Contact Centres");
    assert_ne!(at_cl["user_id"], fa_coordinator["id"]);

    // Once FA deactivates its account, the password opens only CL's.
    app.patch(&format!("/v1/users/{}", id(&fa_coordinator)))
        .token(&fa_admin)
        .json(&json!({"active": false}))
        .ok(200);
    let only = login(
        &app,
        json!({"email": COORDINATOR, "password": DEMO_PASSWORD}),
    )
    .ok(200);
    assert_eq!(only["user_id"], at_cl["user_id"]);
}

#[test]
fn a_platform_admin_account_with_a_staff_address_is_chosen_with_an_empty_provider_id() {
    let app = TestApp::with_demo();
    let platform = app.token(PLATFORM);
    let boss = app
        .post("/v1/users")
        .token(&platform)
        .json(&new_user(COORDINATOR, "platform_admin", DEMO_PASSWORD))
        .ok(201);
    let problem = login(
        &app,
        json!({"email": COORDINATOR, "password": DEMO_PASSWORD}),
    )
    .problem(400);
    let providers = problem["providers"].as_array().unwrap();
    assert!(
        providers.contains(&json!({"id": null, "name": null})),
        "{problem}"
    );
    assert_eq!(providers.len(), 2, "{problem}");
    let as_boss = login(
        &app,
        json!({"email": COORDINATOR, "password": DEMO_PASSWORD, "provider_id": ""}),
    )
    .ok(200);
    assert_eq!(as_boss["user_id"], boss["id"]);
    assert_eq!(as_boss["role"], "platform_admin");
}

#[test]
fn create_admin_makes_a_platform_admin_for_an_address_a_provider_already_uses() {
    let app = TestApp::with_demo();
    let make =
        || create_platform_admin(&app.db, COORDINATOR, "a-long-admin-password", "Boss").unwrap();
    let Created::New(boss) = make() else {
        panic!("the provider's account was taken for a platform admin");
    };
    assert_eq!(make(), Created::AlreadyExists(boss.clone()));
    let as_boss = login(
        &app,
        json!({"email": COORDINATOR, "password": "a-long-admin-password"}),
    )
    .ok(200);
    assert_eq!(as_boss["user_id"], boss);
    assert_eq!(as_boss["role"], "platform_admin");
    let staff = login(
        &app,
        json!({"email": COORDINATOR, "password": DEMO_PASSWORD}),
    )
    .ok(200);
    assert_eq!(staff["role"], "coordinator");
}
