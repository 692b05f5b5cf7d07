//! No existence oracles: for every operation that takes an id, a caller with no access to a
//! real resource gets the same answer (status and problem type) as for an id that does not
//! exist, so another provider's ids cannot be probed.

use ccm_tests::{json, TestApp};
use serde_json::Value;

use crate::support::*;

mod bodies;
mod fixture;

const UNKNOWN: &str = "0193a2c4-1f00-7abc-8def-0123456789ab";

/// Every documented operation with a path parameter, as (method, path pattern).
fn operations(app: &TestApp) -> Vec<(String, String)> {
    let doc = app.get("/openapi.json").send().ok(200);
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["get", "post", "put", "patch", "delete"] {
            if path.contains('{') && item.get(method).is_some() {
                out.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    out
}

/// The path with its first parameter replaced by `id`, if it names a kind we have.
fn with_id(path: &str, kinds: &[(&str, String)], unknown: bool) -> Option<String> {
    let segments: Vec<&str> = path.split('/').collect();
    let at = segments.iter().position(|s| s.starts_with('{'))?;
    if segments[at + 1..].iter().any(|s| s.starts_with('{')) {
        return None;
    }
    let (_, id) = kinds.iter().find(|(k, _)| *k == segments[at - 1])?;
    let mut out: Vec<String> = segments.iter().map(|s| s.to_string()).collect();
    out[at] = if unknown { UNKNOWN.into() } else { id.clone() };
    Some(out.join("/"))
}

/// What the caller learns (status and problem type) from a well-formed request.
fn answer(app: &TestApp, method: &str, pattern: &str, path: &str, token: &str) -> (u16, Value) {
    let r = if method == "POST" && pattern.ends_with("/documents") {
        app.post(&format!("{path}?kind=court_order&filename=order.pdf"))
            .token(token)
            .bytes("application/pdf", b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\nan order")
    } else {
        let method: &'static str = match method {
            "GET" => "GET",
            "POST" => "POST",
            "PUT" => "PUT",
            "PATCH" => "PATCH",
            _ => "DELETE",
        };
        app.call(method, path)
            .token(token)
            .json(&bodies::well_formed(method, pattern))
    };
    let body: Value = serde_json::from_str(&r.text).unwrap_or_default();
    (r.status, body["type"].clone())
}

/// A parent account that is party to a CL case of its own, and to none of the fixture's.
fn other_cases_parent(app: &TestApp) -> (String, String) {
    let (account, token) = parent_account(app, "other.parent@example.org");
    let mut body = referral(&app.centre_id("CL Dover"), "supported");
    body["resident_parent"]["account_id"] = json!(account);
    let case = app
        .post("/v1/referrals")
        .token(&app.token(COORDINATOR))
        .json(&body)
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    (case, token)
}

#[test]
fn another_providers_ids_answer_as_unknown_ids_on_every_operation() {
    let app = TestApp::with_demo();
    let kinds = fixture::cl_resources(&app);
    let (_, other_parent) = other_cases_parent(&app);
    let callers = [
        ("FA's org admin", app.token("orgadmin@fa.example.org")),
        (
            "a referrer who did not refer",
            app.token("referrer@cl.example.org"),
        ),
        ("a parent of another case", other_parent),
    ];
    let mut differences = Vec::new();
    let mut compared = 0;
    for (method, pattern) in operations(&app) {
        let (Some(real), Some(unknown)) = (
            with_id(&pattern, &kinds, false),
            with_id(&pattern, &kinds, true),
        ) else {
            continue;
        };
        for (who, token) in &callers {
            let before = app.snapshot();
            let (a, b) = (
                answer(&app, &method, &pattern, &real, token),
                answer(&app, &method, &pattern, &unknown, token),
            );
            compared += 1;
            if a != b {
                differences.push(format!(
                    "{method} {pattern} as {who}: real {a:?}, unknown {b:?}"
                ));
            }
            // A validation error would answer alike whoever asks: the body must get past it.
            assert_ne!(
                b.0, 422,
                "{method} {pattern}: body refused, access never checked"
            );
            assert!(a.0 >= 400, "{method} {pattern} as {who} was allowed: {a:?}");
            assert_eq!(app.snapshot(), before, "{method} {pattern} as {who}");
        }
    }
    // 97 operations with an id of a private kind, three callers each.
    assert!(compared >= 291, "only {compared} comparisons");
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

/// What a caller learns from an answer: its status, problem type and field errors.
fn seen(r: &ccm_tests::Response) -> (u16, Value, Value) {
    let body: Value = serde_json::from_str(&r.text).unwrap_or_default();
    (r.status, body["type"].clone(), body["errors"].clone())
}

#[test]
fn linking_another_providers_parent_account_answers_as_an_unknown_account() {
    let app = TestApp::with_demo();
    let fa_parent = app
        .post("/v1/users")
        .token(&app.token("orgadmin@fa.example.org"))
        .json(&json!({"email": "fa.parent@example.org", "display_name": "A Parent", "role": "parent", "password": "a-long-parent-password"}))
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let coordinator = app.token(COORDINATOR);
    let dover = app.centre_id("CL Dover");
    let before = app.snapshot();
    let refer = |account: &str| {
        let mut body = referral(&dover, "supported");
        body["resident_parent"]["account_id"] = json!(account);
        let r = app.post("/v1/referrals").token(&coordinator).json(&body);
        r.invalid("resident_parent.account_id");
        seen(&r)
    };
    assert_eq!(refer(&fa_parent), refer(UNKNOWN));
    assert_eq!(app.snapshot(), before);
}

#[test]
fn redelivering_someone_elses_webhook_answers_as_an_unknown_delivery() {
    let app = TestApp::with_demo();
    let receiver = ccm_tests::receiver::Receiver::start();
    let (client_id, secret) = crate::clients::register(&app, &crate::clients::ALL_SCOPES);
    let client = crate::clients::client_token(&app, &client_id, &secret);
    let subscription = app
        .post("/v1/webhook-subscriptions")
        .token(&client)
        .json(&json!({"url": receiver.url, "events": ["referral.submitted"]}))
        .ok(201)["subscription"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let centre = app.centre_id("CL Gravesend Supervised");
    app.post("/v1/referrals")
        .token(&client)
        .json(&crate::clients::cafcass_referral(&centre, "supervised"))
        .ok(201);
    let delivery = app
        .get(&format!(
            "/v1/webhook-subscriptions/{subscription}/deliveries"
        ))
        .token(&app.token(CL_ADMIN))
        .send()
        .ok(200)["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let callers = [
        COORDINATOR,
        "referrer@cl.example.org",
        "orgadmin@fa.example.org",
    ]
    .map(|who| (who, app.token(who)));
    let before = app.snapshot();
    for (who, token) in callers {
        let redeliver = |id: &str| {
            seen(
                &app.post(&format!("/v1/webhook-deliveries/{id}/redeliver"))
                    .token(&token)
                    .json(&json!({})),
            )
        };
        let (real, unknown) = (redeliver(&delivery), redeliver(UNKNOWN));
        assert_eq!(real, unknown, "{who}");
        assert!(real.0 == 403 || real.0 == 404, "{who}: {real:?}");
    }
    assert_eq!(app.snapshot(), before);
}

/// What creating an account tells its creator, without what differs by nature (the new id, the
/// address given, the time and the request id).
fn created_account(r: &ccm_tests::Response) -> (u16, Value, Vec<(String, Value)>) {
    let body: Value = serde_json::from_str(&r.text).unwrap_or_default();
    let fields = body
        .as_object()
        .map(|o| {
            o.iter()
                .filter(|(k, _)| {
                    !["id", "email", "created_at", "updated_at", "request_id"].contains(&k.as_str())
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    (r.status, body["type"].clone(), fields)
}

#[test]
fn creating_an_account_with_another_providers_address_answers_as_with_an_unknown_one() {
    let app = TestApp::with_demo();
    let admin = app.token(CL_ADMIN);
    let create = |email: &str| {
        created_account(&app.post("/v1/users").token(&admin).json(&json!({
            "email": email, "display_name": "A Volunteer", "role": "volunteer",
            "password": "a-long-first-password"
        })))
    };
    let (known, unknown) = (
        create("orgadmin@fa.example.org"),
        create("nobody@example.org"),
    );
    assert_eq!(known, unknown);
    assert_eq!(known.0, 201);
    // Asked again, each is now this provider's own: the same refusal for both.
    let before = app.snapshot();
    let (known, unknown) = (
        create("orgadmin@fa.example.org"),
        create("nobody@example.org"),
    );
    assert_eq!(known, unknown);
    assert_eq!(known.0, 409);
    assert_eq!(app.snapshot(), before);
}
