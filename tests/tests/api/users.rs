//! Accounts: an org admin manages its own provider's users only.

use ccm_tests::{json, TestApp};

const CL_ADMIN: &str = "orgadmin@cl.example.org";
const FA_ADMIN: &str = "orgadmin@fa.example.org";

fn new_user(email: &str, role: &str) -> serde_json::Value {
    json!({"email": email, "display_name": "New Person", "role": role, "password": "a-long-first-password"})
}

#[test]
fn an_org_admin_adds_a_volunteer_who_can_then_log_in() {
    let app = TestApp::with_demo();
    let admin = app.token(CL_ADMIN);
    let r = app
        .post("/v1/users")
        .token(&admin)
        .json(&new_user("Robin@CL.example.org", "volunteer"));
    let user = r.ok(201);
    assert_eq!(user["email"], "robin@cl.example.org");
    assert_eq!(user["provider_id"], app.provider_id("CL"));
    assert_eq!(
        r.header("location").unwrap(),
        format!("/v1/users/{}", user["id"].as_str().unwrap())
    );
    assert_eq!(r.header("etag"), Some("\"1\""));
    let token = app.login("robin@cl.example.org", "a-long-first-password");
    assert_eq!(
        app.get("/v1/me").token(&token).send().ok(200)["role"],
        "volunteer"
    );
}

#[test]
fn an_org_admin_cannot_touch_another_providers_accounts() {
    let app = TestApp::with_demo();
    let cl_admin = app.token(CL_ADMIN);
    let fa = app.provider_id("FA");
    let before = app.snapshot();
    let mut body = new_user("x@fa.example.org", "coordinator");
    body["provider_id"] = json!(fa);
    app.post("/v1/users")
        .token(&cl_admin)
        .json(&body)
        .problem(404);
    assert_eq!(app.snapshot(), before);

    let fa_admin = app.token(FA_ADMIN);
    let fa_me = app.get("/v1/me").token(&fa_admin).send().ok(200);
    let fa_admin_id = fa_me["id"].as_str().unwrap();
    app.get(&format!("/v1/users/{fa_admin_id}"))
        .token(&cl_admin)
        .send()
        .problem(404);
    app.patch(&format!("/v1/users/{fa_admin_id}"))
        .token(&cl_admin)
        .json(&json!({"active": false}))
        .problem(404);
    // Listing shows only the own provider's accounts.
    let list = app
        .get("/v1/users?limit=200")
        .token(&cl_admin)
        .send()
        .ok(200);
    let emails: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert!(
        emails.iter().all(|e| e.ends_with("@cl.example.org")),
        "{emails:?}"
    );
    assert_eq!(emails.len(), 7);
    let other = app
        .get(&format!("/v1/users?provider={fa}"))
        .token(&cl_admin)
        .send()
        .ok(200);
    assert_eq!(other["items"].as_array().unwrap().len(), 0);
}

#[test]
fn an_org_admin_cannot_make_a_platform_admin_and_a_coordinator_manages_no_one() {
    let app = TestApp::with_demo();
    let admin = app.token(CL_ADMIN);
    let coordinator = app.token("coordinator@cl.example.org");
    let before = app.snapshot();
    app.post("/v1/users")
        .token(&admin)
        .json(&new_user("boss@example.org", "platform_admin"))
        .problem(403);
    app.post("/v1/users")
        .token(&coordinator)
        .json(&new_user("v@cl.example.org", "volunteer"))
        .problem(403);
    app.get("/v1/users").token(&coordinator).send().problem(403);
    assert_eq!(app.snapshot(), before);
}

#[test]
fn a_platform_admin_creates_the_first_org_admin_of_a_new_provider() {
    let app = TestApp::with_demo();
    let platform = app.token("admin@example.org");
    let provider = app
        .post("/v1/providers")
        .token(&platform)
        .json(&json!({"name": "Northern Contact Centres", "charity_number": "1100001"}))
        .ok(201);
    let mut body = new_user("lead@north.example.org", "org_admin");
    body["provider_id"] = provider["id"].clone();
    app.post("/v1/users").token(&platform).json(&body).ok(201);
    // A platform admin must name the provider for any other role, and may not give one to a
    // platform admin.
    app.post("/v1/users")
        .token(&platform)
        .json(&new_user("x@north.example.org", "coordinator"))
        .invalid("provider_id");
    let mut wrong = new_user("y@example.org", "platform_admin");
    wrong["provider_id"] = provider["id"].clone();
    app.post("/v1/users")
        .token(&platform)
        .json(&wrong)
        .invalid("provider_id");
    let mut missing = new_user("z@north.example.org", "coordinator");
    missing["provider_id"] = json!("0190d6f0-0000-7000-8000-000000000000");
    app.post("/v1/users")
        .token(&platform)
        .json(&missing)
        .invalid("provider_id");
}

#[test]
fn bad_account_details_are_422_naming_the_field_and_a_taken_address_is_409() {
    let app = TestApp::with_demo();
    let admin = app.token(CL_ADMIN);
    let before = app.snapshot();
    app.post("/v1/users")
        .token(&admin)
        .json(&new_user("not-an-email", "volunteer"))
        .invalid("email");
    let mut short = new_user("s@cl.example.org", "volunteer");
    short["password"] = json!("short");
    app.post("/v1/users")
        .token(&admin)
        .json(&short)
        .invalid("password");
    app.post("/v1/users")
        .token(&admin)
        .json(&new_user("r@cl.example.org", "wizard"))
        .invalid("role");
    let body = app
        .post("/v1/users")
        .token(&admin)
        .json(&new_user("COORDINATOR@cl.example.org", "volunteer"))
        .problem(409);
    assert_eq!(body["type"], "urn:ccm:problem:duplicate-email");
    assert_eq!(app.snapshot(), before);
}

#[test]
fn deactivating_an_account_ends_its_logins_and_a_stale_etag_is_412() {
    let app = TestApp::with_demo();
    let admin = app.token(CL_ADMIN);
    let volunteer = app
        .post("/v1/auth/token")
        .json(&json!({"email": "volunteer@cl.example.org", "password": ccm_tests::DEMO_PASSWORD}))
        .ok(200);
    let id = volunteer["user_id"].as_str().unwrap();
    let path = format!("/v1/users/{id}");
    let read = app.get(&path).token(&admin).send();
    assert_eq!(read.header("etag"), Some("\"1\""));
    let r = app
        .patch(&path)
        .token(&admin)
        .header("If-Match", "\"1\"")
        .json(&json!({"display_name": "Vic V."}));
    assert_eq!(r.ok(200)["version"], 2);
    assert_eq!(r.header("etag"), Some("\"2\""));
    // Someone still holding version 1 is refused and nothing changes.
    app.patch(&path)
        .token(&admin)
        .header("If-Match", "\"1\"")
        .json(&json!({"active": false}))
        .problem(412);
    assert_eq!(app.get(&path).token(&admin).send().ok(200)["active"], true);
    app.patch(&path)
        .token(&admin)
        .header("If-Match", "\"2\"")
        .json(&json!({"active": false}))
        .ok(200);
    app.post("/v1/auth/refresh")
        .json(&json!({"refresh_token": volunteer["refresh_token"]}))
        .problem(401);
    app.post("/v1/auth/token")
        .json(&json!({"email": "volunteer@cl.example.org", "password": ccm_tests::DEMO_PASSWORD}))
        .problem(401);
}

#[test]
fn an_admin_cannot_deactivate_or_demote_themselves() {
    let app = TestApp::with_demo();
    let admin = app.token(CL_ADMIN);
    let me = app.get("/v1/me").token(&admin).send().ok(200);
    let path = format!("/v1/users/{}", me["id"].as_str().unwrap());
    let body = app
        .patch(&path)
        .token(&admin)
        .json(&json!({"active": false}))
        .problem(422);
    assert_eq!(body["type"], "urn:ccm:problem:own-account");
    app.patch(&path)
        .token(&admin)
        .json(&json!({"role": "coordinator"}))
        .problem(422);
    app.patch(&path)
        .token(&admin)
        .json(&json!({"display_name": "Still me"}))
        .ok(200);
}

#[test]
fn the_bootstrap_admin_from_the_environment_is_created_once() {
    let app = TestApp::spawn();
    let mut config = ccm_api::config::Config::development("sqlite://unused.db");
    config.bootstrap_admin = Some(("Root@Example.org".into(), "a-long-admin-password".into()));
    let created = ccm_api::accounts::bootstrap(&app.db, &config).unwrap();
    assert_eq!(created.as_deref(), Some("Root@Example.org"));
    assert_eq!(
        ccm_api::accounts::bootstrap(&app.db, &config).unwrap(),
        None
    );
    let token = app.login("root@example.org", "a-long-admin-password");
    let me = app.get("/v1/me").token(&token).send().ok(200);
    assert_eq!(me["role"], "platform_admin");
    assert_eq!(me["provider_id"], serde_json::Value::Null);
}

#[test]
fn a_bad_cursor_is_refused_even_when_the_filter_leaves_nothing_to_list() {
    let app = TestApp::with_demo();
    let admin = app.token(CL_ADMIN);
    let fa = app.provider_id("FA");
    let body = app
        .get(&format!("/v1/users?provider={fa}&cursor=nope"))
        .token(&admin)
        .send()
        .problem(400);
    assert_eq!(body["errors"][0]["field"], "cursor");
}
