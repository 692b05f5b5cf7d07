//! What every endpoint shares: health, problem details, request ids, body limits, routing.

use ccm_tests::{json, TestApp};

#[test]
fn health_and_readiness_answer_on_a_migrated_database() {
    let app = TestApp::spawn();
    assert_eq!(app.get("/healthz").send().ok(200)["status"], "ok");
    let ready = app.get("/readyz").send().ok(200);
    assert_eq!(ready["status"], "ready");
    let expected = match app.backend() {
        ccm_persistence::Backend::Sqlite => "sqlite",
        ccm_persistence::Backend::Postgres => "postgres",
    };
    assert_eq!(ready["database"], expected);
}

#[test]
fn every_response_carries_a_request_id_and_problems_repeat_it() {
    let app = TestApp::spawn();
    let ok = app.get("/healthz").send();
    assert!(ok.header("x-request-id").is_some_and(|id| id.len() >= 32));
    let missing = app.get("/v1/centres/does-not-exist").send();
    let body = missing.problem(404);
    assert_eq!(body["instance"], "/v1/centres/does-not-exist");
    assert_eq!(
        Some(body["request_id"].as_str().unwrap()),
        missing.header("x-request-id")
    );
}

#[test]
fn an_unknown_route_is_a_404_problem() {
    let app = TestApp::spawn();
    let body = app.get("/v1/nothing-here").send().problem(404);
    assert_eq!(body["type"], "urn:ccm:problem:not-found");
}

#[test]
fn a_known_route_with_the_wrong_method_is_405_with_allow() {
    let app = TestApp::spawn();
    let r = app.call("DELETE", "/v1/centres").send();
    r.problem(405);
    assert_eq!(r.header("allow"), Some("GET, POST"));
    let r = app.call("PUT", "/v1/quotes").send();
    r.problem(405);
    assert_eq!(r.header("allow"), Some("POST"));
}

#[test]
fn malformed_json_is_400_and_changes_nothing() {
    let app = TestApp::with_demo();
    let token = app.token("orgadmin@cl.example.org");
    let before = app.snapshot();
    for body in [
        "{\"name\": ",
        "not json",
        "{\"name\": \"x\",}",
        "",
        "{\"centre_id\": 5",
    ] {
        let r = app
            .post("/v1/centres")
            .token(&token)
            .raw("application/json", body);
        let problem = r.problem(400);
        assert_eq!(problem["type"], "urn:ccm:problem:bad-request", "{body}");
    }
    assert_eq!(app.snapshot(), before);
}

#[test]
fn a_body_that_is_json_but_not_an_object_is_422_before_any_precondition() {
    let app = TestApp::with_demo();
    let token = app.token("orgadmin@cl.example.org");
    let provider = app.provider_id("CL");
    let before = app.snapshot();
    for body in ["[null, null]", "[]", "42", "\"x\""] {
        app.patch(&format!("/v1/providers/{provider}"))
            .token(&token)
            .header("If-Match", "\"999\"")
            .raw("application/json", body)
            .invalid("body");
    }
    assert_eq!(app.snapshot(), before);
}

#[test]
fn a_body_that_is_not_json_is_415() {
    let app = TestApp::spawn();
    app.post("/v1/quotes")
        .raw("text/plain", "hello")
        .problem(415);
    app.post("/v1/quotes")
        .raw("application/x-www-form-urlencoded", "a=b")
        .problem(415);
}

#[test]
fn a_body_over_the_limit_is_413() {
    let app = TestApp::spawn_with(|c| c.max_body_bytes = 1024);
    let big = json!({"referrer": "self", "centre_id": "x".repeat(4096)});
    app.post("/v1/quotes").json(&big).problem(413);
}

#[test]
fn a_wrong_query_value_is_400_naming_the_parameter() {
    let app = TestApp::spawn();
    let body = app.get("/v1/centres?limit=lots").send().problem(400);
    assert_eq!(body["errors"][0]["field"], "limit");
    let body = app.get("/v1/centres?limit=500").send().problem(400);
    assert_eq!(body["errors"][0]["field"], "limit");
    let body = app.get("/v1/centres?service=letterbox").send().problem(400);
    assert_eq!(body["errors"][0]["field"], "service");
    let body = app.get("/v1/centres?cursor=abc").send().problem(400);
    assert_eq!(body["errors"][0]["field"], "cursor");
    let body = app.get("/v1/centres?cursor=").send().problem(400);
    assert_eq!(body["errors"][0]["field"], "cursor");
    let body = app.get("/v1/centres?service=").send().problem(400);
    assert_eq!(body["errors"][0]["field"], "service");
    let body = app.get("/v1/centres?active=perhaps").send().problem(400);
    assert_eq!(body["errors"][0]["field"], "active");
}

#[test]
fn swagger_ui_is_served_without_any_cdn() {
    let app = TestApp::spawn();
    let page = app.get("/swagger-ui/").send();
    assert_eq!(page.status, 200);
    assert!(page.text.contains("swagger"), "{}", page.text);
    for cdn in ["unpkg.com", "cdn.", "jsdelivr", "googleapis"] {
        assert!(!page.text.contains(cdn), "Swagger UI refers to {cdn}");
    }
    let init = app.get("/swagger-ui/swagger-initializer.js").send();
    assert_eq!(init.status, 200);
    assert!(init.text.contains("/openapi.json"), "{}", init.text);
    let bundle = app.get("/swagger-ui/swagger-ui-bundle.js").send();
    assert_eq!(bundle.status, 200);
}

#[test]
fn a_configured_frontend_origin_may_call_from_a_browser() {
    let app = TestApp::spawn_with(|c| c.cors_origins = vec!["https://staff.example.org".into()]);
    let preflight = app
        .call("OPTIONS", "/v1/centres")
        .header("Origin", "https://staff.example.org")
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization, content-type, idempotency-key",
        )
        .send();
    assert_eq!(preflight.status, 200, "{preflight:?}");
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some("https://staff.example.org")
    );
    let get = app
        .get("/healthz")
        .header("Origin", "https://staff.example.org")
        .send();
    assert_eq!(
        get.header("access-control-allow-origin"),
        Some("https://staff.example.org")
    );
    assert!(get
        .header("access-control-expose-headers")
        .is_some_and(|h| h.to_lowercase().contains("etag")));
    let other = app
        .get("/healthz")
        .header("Origin", "https://evil.example.com")
        .send();
    assert_eq!(other.header("access-control-allow-origin"), None);
}

#[test]
fn without_configured_origins_no_browser_origin_is_allowed() {
    let app = TestApp::spawn();
    let get = app
        .get("/healthz")
        .header("Origin", "https://staff.example.org")
        .send();
    assert_eq!(get.status, 200);
    assert_eq!(get.header("access-control-allow-origin"), None);
}
