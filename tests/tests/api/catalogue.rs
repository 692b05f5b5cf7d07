//! Providers, centres, rooms and service offerings: public to read, written by org admins.

use ccm_tests::{json, TestApp};
use serde_json::Value;

const CL_ADMIN: &str = "orgadmin@cl.example.org";

fn new_centre(name: &str) -> Value {
    json!({
        "name": name,
        "address": {"line1": "3 Mill Lane", "town": "Hastings", "postcode": "tn34 1aa"},
        "opening_pattern": {"rules": [
            {"weekday": "saturday", "opens": "10:00", "closes": "12:00", "every_weeks": 2, "starting": "2026-01-03"}
        ]}
    })
}

#[test]
fn an_org_admin_opens_a_centre_and_a_parent_finds_it_without_an_account() {
    let app = TestApp::with_demo();
    let admin = app.token(CL_ADMIN);
    let r = app
        .post("/v1/centres")
        .token(&admin)
        .json(&new_centre("CL Hastings"));
    let centre = r.ok(201);
    let id = centre["id"].as_str().unwrap();
    assert_eq!(r.header("location").unwrap(), format!("/v1/centres/{id}"));
    assert_eq!(centre["address"]["postcode"], "TN34 1AA");
    assert_eq!(centre["time_zone"], "Europe/London");
    assert_eq!(
        centre["opening_pattern"]["description"],
        "alternate Saturdays 10:00-12:00"
    );
    assert_eq!(centre["provider_id"], app.provider_id("CL"));
    assert_eq!(centre["services"], json!([]));

    let found = app.get("/v1/centres?town=HASTINGS").send().ok(200);
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    assert_eq!(found["items"][0]["id"], id);
    let one = app.get(&format!("/v1/centres/{id}")).send();
    assert_eq!(one.ok(200)["name"], "CL Hastings");
    assert_eq!(one.header("etag"), Some("\"1\""));
}

#[test]
fn centres_are_found_by_town_service_and_provider() {
    let app = TestApp::with_demo();
    let names = |query: &str| -> Vec<String> {
        let r = app
            .get(&format!("/v1/centres?limit=200&{query}"))
            .send()
            .ok(200);
        r["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        names("town=maidstone"),
        ["CL Maidstone", "CL Maidstone Supervised"]
    );
    assert_eq!(
        names("service=indirect"),
        ["CL Chatham Supervised", "FA Sheffield"]
    );
    assert_eq!(names("service=supported").len(), 9 + 3);
    let fa = app.provider_id("FA");
    assert_eq!(
        names(&format!("provider={fa}&service=supported")),
        ["FA Barnsley", "FA Doncaster", "FA Sheffield"]
    );
    assert_eq!(names("town=Nowhere"), Vec::<String>::new());
    assert_eq!(names("town=").len(), 0, "an empty town is no town");
}

#[test]
fn a_list_is_walked_page_by_page_with_the_cursor() {
    let app = TestApp::with_demo();
    let mut seen = Vec::new();
    let mut path = "/v1/centres?limit=5".to_string();
    loop {
        let page = app.get(&path).send().ok(200);
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 5);
        seen.extend(items.iter().map(|c| c["id"].as_str().unwrap().to_string()));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/v1/centres?limit=5&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 19);
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, seen, "ordered by id, no repeats");
}

#[test]
fn a_duplicate_centre_name_within_a_provider_is_409_and_nothing_is_saved() {
    let app = TestApp::with_demo();
    let admin = app.token(CL_ADMIN);
    let before = app.snapshot();
    let body = app
        .post("/v1/centres")
        .token(&admin)
        .json(&new_centre("cl dover"))
        .problem(409);
    assert_eq!(body["type"], "urn:ccm:problem:duplicate-name");
    assert_eq!(app.snapshot(), before);
    // The same name at another provider is fine.
    let fa_admin = app.token("orgadmin@fa.example.org");
    app.post("/v1/centres")
        .token(&fa_admin)
        .json(&new_centre("CL Dover"))
        .ok(201);
}

#[test]
fn invalid_centre_details_are_422_naming_each_field() {
    let app = TestApp::with_demo();
    let admin = app.token(CL_ADMIN);
    let before = app.snapshot();
    let mut bad = new_centre("CL Rye");
    bad["address"]["postcode"] = json!("NOT A CODE");
    app.post("/v1/centres")
        .token(&admin)
        .json(&bad)
        .invalid("address.postcode");
    let mut bad = new_centre("CL Rye");
    bad["address"]["town"] = json!("");
    app.post("/v1/centres")
        .token(&admin)
        .json(&bad)
        .invalid("address.town");
    let mut bad = new_centre("CL Rye");
    bad["time_zone"] = json!("America/New_York");
    app.post("/v1/centres")
        .token(&admin)
        .json(&bad)
        .invalid("time_zone");
    let mut bad = new_centre("CL Rye");
    bad["opening_pattern"]["rules"][0]["closes"] = json!("09:00");
    app.post("/v1/centres")
        .token(&admin)
        .json(&bad)
        .invalid("opening_pattern.rules[0].closes");
    let mut bad = new_centre("CL Rye");
    bad["opening_pattern"]["rules"][0]["opens"] = json!("10am");
    app.post("/v1/centres")
        .token(&admin)
        .json(&bad)
        .invalid("opening_pattern.rules[0].opens");
    let mut bad = new_centre("CL Rye");
    bad["colour"] = json!("blue");
    app.post("/v1/centres")
        .token(&admin)
        .json(&bad)
        .invalid("colour");
    app.post("/v1/centres")
        .token(&admin)
        .json(&json!({"name": "CL Rye"}))
        .invalid("address");
    assert_eq!(app.snapshot(), before);
}

#[test]
fn only_an_org_admin_of_the_provider_writes_its_catalogue() {
    let app = TestApp::with_demo();
    let tokens: Vec<String> = [
        "coordinator",
        "supervisor",
        "volunteer",
        "finance",
        "referrer",
        "parent",
    ]
    .iter()
    .map(|role| app.token(&format!("{role}@cl.example.org")))
    .collect();
    let before = app.snapshot();
    app.post("/v1/centres")
        .json(&new_centre("CL Rye"))
        .problem(401);
    for token in &tokens {
        app.post("/v1/centres")
            .token(token)
            .json(&new_centre("CL Rye"))
            .problem(403);
    }
    assert_eq!(app.snapshot(), before);
}

#[test]
fn another_providers_centre_is_404_to_update() {
    let app = TestApp::with_demo();
    let fa_admin = app.token("orgadmin@fa.example.org");
    let dover = app.centre_id("CL Dover");
    let before = app.snapshot();
    app.patch(&format!("/v1/centres/{dover}"))
        .token(&fa_admin)
        .json(&json!({"name": "Taken over"}))
        .problem(404);
    app.post(&format!("/v1/centres/{dover}/rooms"))
        .token(&fa_admin)
        .json(&json!({"name": "Annex", "kind": "private"}))
        .problem(404);
    assert_eq!(app.snapshot(), before);
    assert_eq!(
        app.get(&format!("/v1/centres/{dover}")).send().ok(200)["name"],
        "CL Dover"
    );
}

#[test]
fn a_stale_if_match_is_412_and_leaves_the_centre_alone() {
    let app = TestApp::with_demo();
    let admin = app.token(CL_ADMIN);
    let dover = app.centre_id("CL Dover");
    let path = format!("/v1/centres/{dover}");
    let r = app
        .patch(&path)
        .token(&admin)
        .header("If-Match", "\"1\"")
        .json(&json!({"phone": "01304 000000", "address": {"line2": "Rear entrance"}}));
    let updated = r.ok(200);
    assert_eq!(updated["version"], 2);
    assert_eq!(updated["address"]["line2"], "Rear entrance");
    assert_eq!(updated["address"]["line1"], "1 High Street");
    app.patch(&path)
        .token(&admin)
        .header("If-Match", "\"1\"")
        .json(&json!({"active": false}))
        .problem(412);
    let now = app.get(&path).send().ok(200);
    assert_eq!(
        (now["active"].as_bool(), now["version"].as_i64()),
        (Some(true), Some(2))
    );
    // null clears an optional field.
    let cleared = app
        .patch(&path)
        .token(&admin)
        .json(&json!({"phone": null}))
        .ok(200);
    assert_eq!(cleared["phone"], Value::Null);
}

#[test]
fn rooms_hold_families_by_kind() {
    let app = TestApp::with_demo();
    let admin = app.token(CL_ADMIN);
    let dover = app.centre_id("CL Dover");
    let rooms = format!("/v1/centres/{dover}/rooms");
    let shared = app
        .post(&rooms)
        .token(&admin)
        .json(&json!({"name": "Garden Room", "kind": "shared", "capacity": 6}))
        .ok(201);
    assert_eq!(shared["capacity"], 6);
    let private = app
        .post(&rooms)
        .token(&admin)
        .json(&json!({"name": "Quiet Room", "kind": "private"}))
        .ok(201);
    assert_eq!(private["capacity"], 1);
    let before = app.snapshot();
    app.post(&rooms)
        .token(&admin)
        .json(&json!({"name": "Hall 2", "kind": "shared"}))
        .invalid("capacity");
    app.post(&rooms)
        .token(&admin)
        .json(&json!({"name": "Hall 3", "kind": "private", "capacity": 4}))
        .invalid("capacity");
    app.post(&rooms)
        .token(&admin)
        .json(&json!({"name": "Hall 4", "kind": "shared", "capacity": 51}))
        .invalid("capacity");
    app.post(&rooms)
        .token(&admin)
        .json(&json!({"name": "garden room", "kind": "private"}))
        .problem(409);
    assert_eq!(app.snapshot(), before);
    let listed = app.get(&rooms).send().ok(200);
    assert_eq!(
        listed["items"].as_array().unwrap().len(),
        3,
        "Main Hall from the demo plus two"
    );
    // Making the shared room private makes it hold one family.
    let path = format!("/v1/rooms/{}", shared["id"].as_str().unwrap());
    let changed = app
        .patch(&path)
        .token(&admin)
        .json(&json!({"kind": "private"}))
        .ok(200);
    assert_eq!(changed["capacity"], 1);
}

#[test]
fn a_service_offering_names_a_tariff_of_the_same_provider_and_service() {
    let app = TestApp::with_demo();
    let admin = app.token(CL_ADMIN);
    let dover = app.centre_id("CL Dover");
    let tariffs = app
        .get(&format!("/v1/tariffs?provider={}", app.provider_id("CL")))
        .send()
        .ok(200);
    let tariff = |service: &str| -> String {
        tariffs["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["service_type"] == service)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let path = format!("/v1/centres/{dover}/offerings");
    let before = app.snapshot();
    let offer = |body: Value| app.post(&path).token(&admin).json(&body);
    offer(json!({"service_type": "handover", "tariff_id": tariff("handover"), "default_session_minutes": 195, "days_offered": ["wednesday"]}))
        .invalid("days_offered");
    offer(json!({"service_type": "handover", "tariff_id": tariff("supervised"), "default_session_minutes": 195, "days_offered": ["saturday"]}))
        .invalid("tariff_id");
    offer(json!({"service_type": "handover", "tariff_id": tariff("handover"), "default_session_minutes": 100, "days_offered": ["saturday"]}))
        .invalid("default_session_minutes");
    let fa_tariffs = app
        .get(&format!(
            "/v1/tariffs?provider={}&service=handover",
            app.provider_id("FA")
        ))
        .send()
        .ok(200);
    offer(json!({"service_type": "handover", "tariff_id": fa_tariffs["items"][0]["id"], "default_session_minutes": 195, "days_offered": ["saturday"]}))
        .invalid("tariff_id");
    offer(json!({"service_type": "supported", "tariff_id": tariff("supported"), "default_session_minutes": 120, "days_offered": ["saturday"]}))
        .problem(409);
    assert_eq!(app.snapshot(), before);

    let created = offer(json!({"service_type": "handover", "tariff_id": tariff("handover"), "default_session_minutes": 195, "days_offered": ["saturday"]}))
        .ok(201);
    assert_eq!(created["days_offered"], json!(["saturday"]));
    let centre = app.get(&format!("/v1/centres/{dover}")).send().ok(200);
    assert_eq!(centre["services"], json!(["supported", "handover"]));
    // Closing the offering takes the centre out of handover searches.
    let offering = format!("/v1/offerings/{}", created["id"].as_str().unwrap());
    app.patch(&offering)
        .token(&admin)
        .json(&json!({"active": false}))
        .ok(200);
    let centre = app.get(&format!("/v1/centres/{dover}")).send().ok(200);
    assert_eq!(centre["services"], json!(["supported"]));
}

#[test]
fn providers_are_public_to_read_and_registered_by_a_platform_admin() {
    let app = TestApp::with_demo();
    let list = app.get("/v1/providers").send().ok(200);
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    let admin = app.token(CL_ADMIN);
    app.post("/v1/providers")
        .token(&admin)
        .json(&json!({"name": "Rogue"}))
        .problem(403);
    let platform = app.token("admin@example.org");
    app.post("/v1/providers")
        .token(&platform)
        .json(&json!({"name": "fa family contact"}))
        .problem(409);
    app.post("/v1/providers")
        .token(&platform)
        .json(&json!({"name": "New", "website": "not a url"}))
        .invalid("website");
    // An org admin keeps its own provider's details, not another's.
    let cl = app.provider_id("CL");
    let fa = app.provider_id("FA");
    let updated = app
        .patch(&format!("/v1/providers/{cl}"))
        .token(&admin)
        .json(&json!({"contact_email": "hello@cl.example.org"}))
        .ok(200);
    assert_eq!(updated["contact_email"], "hello@cl.example.org");
    app.patch(&format!("/v1/providers/{fa}"))
        .token(&admin)
        .json(&json!({"website": null}))
        .problem(404);
}

#[test]
fn names_and_towns_match_in_any_case_including_welsh_and_accented_letters() {
    let app = TestApp::with_demo();
    let admin = app.token(CL_ADMIN);
    let mut centre = new_centre("Canolfan Pontypŵl");
    centre["address"]["town"] = json!("Pontypŵl");
    app.post("/v1/centres").token(&admin).json(&centre).ok(201);
    let body = app
        .post("/v1/centres")
        .token(&admin)
        .json(&new_centre("CANOLFAN  PONTYPŴL"))
        .problem(409);
    assert_eq!(body["type"], "urn:ccm:problem:duplicate-name");
    let found = app.get("/v1/centres?town=PONTYP%C5%B4L").send().ok(200);
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
}

#[test]
fn a_trailing_slash_is_another_path() {
    let app = TestApp::spawn();
    app.get("/v1/centres/").send().problem(404);
}

#[test]
fn a_blank_name_or_town_is_422_even_in_unusual_whitespace() {
    let app = TestApp::with_demo();
    let admin = app.token(CL_ADMIN);
    let before = app.snapshot();
    let mut centre = new_centre("CL Blank");
    centre["address"]["town"] = json!("\u{85}");
    app.post("/v1/centres")
        .token(&admin)
        .json(&centre)
        .invalid("address.town");
    app.post("/v1/centres")
        .token(&admin)
        .json(&new_centre("   "))
        .invalid("name");
    let dover = app.centre_id("CL Dover");
    app.post(&format!("/v1/centres/{dover}/rooms"))
        .token(&admin)
        .json(&json!({"name": "\t", "kind": "private"}))
        .invalid("name");
    assert_eq!(app.snapshot(), before);
}
