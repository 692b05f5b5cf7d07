//! The per-address limit on the auth endpoints: over it, 429 with `Retry-After`, and the
//! request does nothing at all.

use ccm_tests::{json, TestApp, DEMO_PASSWORD};

const COORDINATOR: &str = "coordinator@cl.example.org";

fn limited_app(per_minute: u32) -> TestApp {
    let app = TestApp::spawn_with(|c| c.auth_rate_per_minute = per_minute);
    ccm_api::seed::seed_demo(&app.db).expect("demo data loads");
    app
}

#[test]
fn the_auth_endpoints_share_one_allowance_per_address_and_refuse_beyond_it_doing_nothing() {
    let app = limited_app(3);
    let login = |email: &str, password: &str| {
        app.post("/v1/auth/token")
            .json(&json!({"email": email, "password": password}))
    };
    // Three requests, one to each endpoint, all served.
    let tokens = login(COORDINATOR, DEMO_PASSWORD).ok(200);
    let refreshed = app
        .post("/v1/auth/refresh")
        .json(&json!({"refresh_token": tokens["refresh_token"]}))
        .ok(200);
    let logout = app
        .post("/v1/auth/logout")
        .json(&json!({"refresh_token": refreshed["refresh_token"]}));
    assert_eq!(logout.status, 204, "{}", logout.text);

    // The fourth is refused before it is looked at: a wrong password for an unknown address
    // would count a failure, a right one would issue a token and an audit event.
    let before = app.snapshot();
    for (email, password) in [
        ("nobody@example.org", "guess"),
        (COORDINATOR, DEMO_PASSWORD),
    ] {
        let r = login(email, password);
        let body = r.problem(429);
        assert_eq!(body["type"], "urn:ccm:problem:too-many-requests");
        assert_eq!(body["instance"], "/v1/auth/token");
        assert!(body["request_id"].is_string(), "{body}");
        let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
        // One request comes back every 20 seconds at 3 a minute.
        assert!((1..=20).contains(&retry), "{retry}");
    }
    let r = app
        .post("/v1/auth/refresh")
        .header("Idempotency-Key", "refresh-1")
        .json(&json!({"refresh_token": tokens["refresh_token"]}));
    r.problem(429);
    app.post("/v1/auth/logout")
        .json(&json!({"refresh_token": tokens["refresh_token"]}))
        .problem(429);
    assert_eq!(
        app.snapshot(),
        before,
        "a refused request changed something"
    );

    // Only the auth endpoints are limited.
    app.get("/healthz").send().ok(200);
    app.get("/v1/centres").send().ok(200);
}
