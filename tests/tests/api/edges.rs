//! The edge of the API: input a database would choke on, and query parameters an operation
//! does not take, are refused before anything reads them.

use ccm_tests::{json, TestApp};

const CL_ADMIN: &str = "orgadmin@cl.example.org";

fn named(body: &serde_json::Value, field: &str) {
    assert!(
        body["errors"]
            .as_array()
            .is_some_and(|e| e.iter().any(|f| f["field"] == field)),
        "expected an error naming {field}: {body}"
    );
}

#[test]
fn an_unknown_query_parameter_is_refused_naming_it() {
    let app = TestApp::with_demo();
    let body = app.get("/v1/centres?nmae=CL%20Dover").send().problem(400);
    named(&body, "nmae");
    let admin = app.token(CL_ADMIN);
    let body = app
        .get("/v1/users?limit=5&colour=red")
        .token(&admin)
        .send()
        .problem(400);
    named(&body, "colour");
    // Filters and paging together are still one operation's parameters.
    app.get("/v1/users?limit=5&role=coordinator")
        .token(&admin)
        .send()
        .ok(200);
}

#[test]
fn centres_are_found_by_their_exact_name_in_any_case() {
    let app = TestApp::with_demo();
    let dover = app.centre_id("CL Dover");
    for query in ["name=CL%20Dover", "name=cl%20%20dover"] {
        let items = app.get(&format!("/v1/centres?{query}")).send().ok(200)["items"].clone();
        let ids: Vec<&str> = items
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| c["id"].as_str())
            .collect();
        assert_eq!(ids, [dover.as_str()], "{query}");
    }
    let none = app.get("/v1/centres?name=CL").send().ok(200);
    assert_eq!(none["items"], json!([]), "a part of a name is not a match");
}

#[test]
fn a_nul_in_a_path_or_query_is_refused_naming_it() {
    let app = TestApp::with_demo();
    let admin = app.token(CL_ADMIN);
    let before = app.snapshot();
    named(&app.get("/v1/centres/ab%00cd").send().problem(400), "id");
    named(
        &app.get("/v1/centres?town=Dov%00er").send().problem(400),
        "town",
    );
    named(
        &app.patch("/v1/users/x%00y")
            .token(&admin)
            .json(&json!({"role": "coordinator"}))
            .problem(400),
        "id",
    );
    assert_eq!(app.snapshot(), before);
}

#[test]
fn a_nul_in_a_body_is_refused_naming_the_field_and_stores_nothing() {
    let app = TestApp::with_demo();
    let admin = app.token(CL_ADMIN);
    let before = app.snapshot();
    app.post("/v1/centres")
        .token(&admin)
        .json(&json!({"name": "CL R\u{0}ye",
            "address": {"line1": "1 Quay", "town": "Rye", "postcode": "TN31 7AA"}}))
        .invalid("name");
    app.post("/v1/centres")
        .token(&admin)
        .json(&json!({"name": "CL Rye",
            "address": {"line1": "1 Quay", "town": "R\u{0}ye", "postcode": "TN31 7AA"}}))
        .invalid("address.town");
    // The token endpoint, before any token exists: as JSON and as an OAuth2 form.
    app.post("/v1/auth/token")
        .json(&json!({"email": "orgadmin@cl.example.org\u{0}", "password": "x"}))
        .invalid("email");
    app.post("/v1/auth/token")
        .raw(
            "application/x-www-form-urlencoded",
            "grant_type=client_credentials&client_id=a%00b&client_secret=s",
        )
        .invalid("client_id");
    assert_eq!(app.snapshot(), before);
}

#[test]
fn an_instant_in_an_error_message_is_rfc_3339() {
    let app = TestApp::with_demo();
    let coordinator = app.token(crate::support::COORDINATOR);
    let centre = app.centre_id("CL Ashford");
    let hall = crate::sessions::room_id(&app, &centre, "Main Hall");
    let case = crate::sessions::new_case(&app, &coordinator, &centre, "supported");
    crate::sessions::activate(&app, &coordinator, &case, json!({"outcome": "suitable"}));
    // A Saturday the centre was open, long past.
    let body = app
        .post(&format!("/v1/referrals/{case}/sessions"))
        .token(&coordinator)
        .json(&json!({"starts_at": "2026-06-06T09:00:00Z", "ends_at": "2026-06-06T11:00:00Z", "room_id": hall}))
        .invalid("starts_at");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("the session at 2026-06-06T09:00:00Z has already started"),
        "{body}"
    );
}
