//! The staff directory: a coordinator finds the supervisors and volunteers it books (ids,
//! names, roles), never an e-mail address nor another provider's people.

use ccm_tests::{json, TestApp};
use serde_json::Value;

use crate::support::*;

#[test]
fn a_coordinator_finds_its_providers_supervisors_by_name_role_and_id_only() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let fa_admin = app.token("orgadmin@fa.example.org");
    app.post("/v1/users")
        .token(&fa_admin)
        .json(&json!({"email": "sup@fa.example.org", "display_name": "Fay Supervisor", "role": "supervisor", "password": "a-long-supervisor-password"}))
        .ok(201);
    let page = app
        .get("/v1/staff?role=supervisor")
        .token(&coordinator)
        .send()
        .ok(200);
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "CL's one supervisor: {page}");
    assert_eq!(items[0]["display_name"], "Sam Supervisor");
    assert_eq!(items[0]["role"], "supervisor");
    let mut keys: Vec<&String> = items[0].as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["display_name", "id", "role"], "nothing more");

    let all = app.get("/v1/staff").token(&coordinator).send().ok(200);
    let text = all.to_string();
    assert!(!text.contains('@'), "no e-mail address: {text}");
    assert!(
        !text.contains("Fay Supervisor"),
        "no other provider's staff"
    );
    let roles: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["role"].as_str().unwrap())
        .collect();
    for not_staff in ["referrer", "parent", "platform_admin"] {
        assert!(!roles.contains(&not_staff), "{roles:?}");
    }
    assert!(
        roles.contains(&"volunteer") && roles.contains(&"org_admin"),
        "{roles:?}"
    );
}

#[test]
fn only_coordinators_and_org_admins_look_up_staff_and_only_staff_roles() {
    let app = TestApp::with_demo();
    let fa_admin = app.token("orgadmin@fa.example.org");
    let fa = app.get("/v1/staff").token(&fa_admin).send().ok(200);
    let names: Vec<&Value> = fa["items"].as_array().unwrap().iter().collect();
    assert_eq!(names.len(), 1, "FA's own admin only: {fa}");
    for who in [
        "supervisor@cl.example.org",
        "referrer@cl.example.org",
        FINANCE,
    ] {
        app.get("/v1/staff")
            .token(&app.token(who))
            .send()
            .problem(403);
    }
    app.get("/v1/staff").send().problem(401);
    // Only the staff roles the contract lists: a parent's or a platform admin's role is an
    // unknown value, named.
    for role in ["parent", "platform_admin"] {
        let problem = app
            .get(&format!("/v1/staff?role={role}"))
            .token(&app.token(COORDINATOR))
            .send()
            .problem(400);
        assert_eq!(problem["errors"][0]["field"], "role", "{problem}");
    }
    let doc = app.get("/openapi.json").send().ok(200);
    let schema = doc["paths"]["/v1/staff"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "role")
        .map(|p| p["schema"].to_string())
        .unwrap();
    assert!(
        schema.contains(r#"["org_admin","coordinator","supervisor","volunteer","finance"]"#),
        "{schema}"
    );
}
