//! Tariffs: fees as decimal strings, checked field by field, versioned by effective date.

use ccm_tests::{json, TestApp};
use serde_json::Value;

const CL_ADMIN: &str = "orgadmin@cl.example.org";

fn handover_tariff(fees: Value) -> Value {
    json!({"name": "Handover 2027", "service_type": "handover", "effective_from": "2027-01-01", "fees": fees})
}

#[test]
fn money_must_be_a_decimal_string_with_at_most_two_places_and_not_negative() {
    let app = TestApp::with_demo();
    let admin = app.token(CL_ADMIN);
    let before = app.snapshot();
    let cases = [
        (
            json!({"referral_fee": "55.001"}),
            "fees.referral_fee",
            "two decimal places",
        ),
        (
            json!({"referral_fee": "-5.00"}),
            "fees.referral_fee",
            "negative",
        ),
        (
            json!({"referral_fee": 55}),
            "fees.referral_fee",
            "invalid type",
        ),
        (
            json!({"referral_fee": 55.5}),
            "fees.referral_fee",
            "invalid type",
        ),
        (
            json!({"referral_fee": "1e3"}),
            "fees.referral_fee",
            "decimal string",
        ),
        (
            json!({"session_fee": {"basis": "per_session", "amount": "16.555"}}),
            "fees.session_fee.amount",
            "two decimal places",
        ),
        (json!({"item_fee": "-1"}), "fees.item_fee", "negative"),
        (json!({"balance": "99999999.99"}), "fees.balance", "at most"),
    ];
    for (fees, field, says) in cases {
        let body = app
            .post("/v1/tariffs")
            .token(&admin)
            .json(&handover_tariff(fees.clone()))
            .invalid(field);
        assert!(
            body["detail"].as_str().unwrap().contains(says),
            "{fees}: {body}"
        );
    }
    assert_eq!(app.snapshot(), before);
}

#[test]
fn an_unknown_service_type_is_422() {
    let app = TestApp::with_demo();
    let admin = app.token(CL_ADMIN);
    let mut body = handover_tariff(json!({}));
    body["service_type"] = json!("letterbox");
    app.post("/v1/tariffs")
        .token(&admin)
        .json(&body)
        .invalid("service_type");
}

#[test]
fn an_incoherent_tariff_is_422_naming_the_rule() {
    let app = TestApp::with_demo();
    let admin = app.token(CL_ADMIN);
    app.post("/v1/tariffs")
        .token(&admin)
        .json(&handover_tariff(
            json!({"cancellation": {"rule": "session_charge"}}),
        ))
        .invalid("fees.cancellation.rule");
    app.post("/v1/tariffs")
        .token(&admin)
        .json(&handover_tariff(json!({"cancellation": {"rule": "fixed"}})))
        .invalid("fees.cancellation.amount");
    app.post("/v1/tariffs")
        .token(&admin)
        .json(&handover_tariff(
            json!({"referral_fee": "5.00", "price_on_application": true}),
        ))
        .invalid("fees.price_on_application");
    app.post("/v1/tariffs")
        .token(&admin)
        .json(&json!({"name": "Both", "service_type": "handover", "preset": "cl_handover", "fees": {}}))
        .invalid("fees");
    app.post("/v1/tariffs")
        .token(&admin)
        .json(
            &json!({"name": "Wrong preset", "service_type": "handover", "preset": "cl_supervised"}),
        )
        .invalid("preset");
}

#[test]
fn a_tariff_from_fees_reads_back_exactly_and_prices_a_quote() {
    let app = TestApp::with_demo();
    let admin = app.token(CL_ADMIN);
    let fees = json!({
        "referral_fee": "60", "session_fee": {"basis": "per_session", "amount": "17.5"},
        "cancellation": {"rule": "fixed", "amount": "10.00"}
    });
    let created = app
        .post("/v1/tariffs")
        .token(&admin)
        .json(&json!({"name": "Handover 2027", "service_type": "handover", "effective_from": "2026-01-01", "fees": fees}))
        .ok(201);
    let current = &created["current"]["fees"];
    assert_eq!(current["referral_fee"], "60.00");
    assert_eq!(
        current["session_fee"],
        json!({"basis": "per_session", "amount": "17.50"})
    );
    assert_eq!(
        current["cancellation"],
        json!({"rule": "fixed", "amount": "10.00"})
    );
    let q = app
        .post("/v1/quotes")
        .json(&json!({"tariff_id": created["id"], "sessions": 2}))
        .ok(200);
    assert_eq!(q["total"], "95.00");
    assert_eq!(q["cancellation"]["charge"], "10.00");
}

#[test]
fn new_fees_take_effect_from_their_date_and_old_quotes_stay_explainable() {
    let app = TestApp::with_demo();
    let admin = app.token(CL_ADMIN);
    let cl = app.provider_id("CL");
    let list = app
        .get(&format!("/v1/tariffs?provider={cl}&service=handover"))
        .send()
        .ok(200);
    let tariff = list["items"][0]["id"].as_str().unwrap().to_string();
    let path = format!("/v1/tariffs/{tariff}/versions");
    let fees = json!({"referral_fee": "60.00", "session_fee": {"basis": "per_session", "amount": "18.00"}});
    let fa_admin = app.token("orgadmin@fa.example.org");
    let before = app.snapshot();
    app.post(&path)
        .token(&admin)
        .json(&json!({"effective_from": "2025-06-01", "fees": fees}))
        .invalid("effective_from");
    app.post(&path)
        .token(&fa_admin)
        .json(&json!({"effective_from": "2030-01-01", "fees": fees}))
        .problem(404);
    assert_eq!(app.snapshot(), before);
    let updated = app
        .post(&path)
        .token(&admin)
        .json(&json!({"effective_from": "2030-01-01", "fees": fees}))
        .ok(201);
    assert_eq!(updated["versions"].as_array().unwrap().len(), 2);
    assert_eq!(
        updated["current"]["fees"]["referral_fee"], "55.00",
        "today is still the old price"
    );
    let quote = |as_of: &str| {
        app.post("/v1/quotes")
            .json(&json!({"tariff_id": tariff, "sessions": 1, "as_of": as_of}))
            .ok(200)["total"]
            .clone()
    };
    assert_eq!(quote("2029-12-31"), "71.00");
    assert_eq!(quote("2030-01-01"), "78.00");
    let body = app
        .post("/v1/quotes")
        .json(&json!({"tariff_id": tariff, "sessions": 1, "as_of": "2020-01-01"}))
        .problem(422);
    assert_eq!(body["type"], "urn:ccm:problem:no-tariff-in-force");
}

#[test]
fn tariffs_and_presets_are_public() {
    let app = TestApp::with_demo();
    let presets = app.get("/v1/tariff-presets").send().ok(200);
    let cl_supported = presets
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["key"] == "cl_supported")
        .unwrap();
    assert_eq!(cl_supported["fees"]["referral_fee"], "30.00");
    assert_eq!(cl_supported["fees"]["balance"], "110.00");
    assert_eq!(cl_supported["fees"]["covers"]["months"], 6);
    let all = app.get("/v1/tariffs?limit=200").send().ok(200);
    assert_eq!(all["items"].as_array().unwrap().len(), 8);
}

#[test]
fn a_tariff_is_renamed_with_if_match() {
    let app = TestApp::with_demo();
    let admin = app.token(CL_ADMIN);
    let created = app
        .post("/v1/tariffs")
        .token(&admin)
        .json(
            &json!({"name": "Indirect 2027", "service_type": "indirect", "preset": "cl_indirect"}),
        )
        .ok(201);
    let path = format!("/v1/tariffs/{}", created["id"].as_str().unwrap());
    app.patch(&path)
        .token(&admin)
        .header("If-Match", "\"7\"")
        .json(&json!({"name": "Renamed"}))
        .problem(412);
    let renamed = app
        .patch(&path)
        .token(&admin)
        .header("If-Match", "\"1\"")
        .json(&json!({"name": "Renamed"}))
        .ok(200);
    assert_eq!(renamed["name"], "Renamed");
    app.patch(&path)
        .token(&admin)
        .json(&json!({"name": "CL handover"}))
        .problem(409);
}

#[test]
fn past_prices_are_not_rewritten_and_a_new_version_changes_the_etag() {
    let app = TestApp::with_demo();
    let admin = app.token(CL_ADMIN);
    let cl = app.provider_id("CL");
    let list = app
        .get(&format!("/v1/tariffs?provider={cl}&service=supervised"))
        .send()
        .ok(200);
    let id = list["items"][0]["id"].as_str().unwrap().to_string();
    let before = app.get(&format!("/v1/tariffs/{id}")).send();
    let fees = json!({"referral_fee": "30.00", "balance": "100.00", "session_fee": {"basis": "per_hour", "amount": "120.00"}});
    let body = app
        .post(&format!("/v1/tariffs/{id}/versions"))
        .token(&admin)
        .json(&json!({"effective_from": "2026-02-01", "fees": fees}))
        .invalid("effective_from");
    assert!(
        body["detail"].as_str().unwrap().contains("before today"),
        "{body}"
    );
    let added = app
        .post(&format!("/v1/tariffs/{id}/versions"))
        .token(&admin)
        .json(&json!({"effective_from": "2031-02-01", "fees": fees}));
    added.ok(201);
    assert_ne!(added.header("etag"), before.header("etag"));
    app.patch(&format!("/v1/tariffs/{id}"))
        .token(&admin)
        .header("If-Match", before.header("etag").unwrap())
        .json(&json!({"name": "Renamed"}))
        .problem(412);
}

#[test]
fn a_tariff_and_a_service_type_that_disagree_are_422() {
    let app = TestApp::with_demo();
    let cl = app.provider_id("CL");
    let list = app
        .get(&format!("/v1/tariffs?provider={cl}&service=handover"))
        .send()
        .ok(200);
    app.post("/v1/quotes")
        .json(&json!({"tariff_id": list["items"][0]["id"], "service_type": "supervised"}))
        .invalid("service_type");
}
