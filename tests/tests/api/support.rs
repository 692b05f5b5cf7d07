//! Helpers for the case stories: request bodies and the steps a coordinator repeats.

use ccm_tests::{json, TestApp};
use serde_json::Value;

pub const COORDINATOR: &str = "coordinator@cl.example.org";
pub const CL_ADMIN: &str = "orgadmin@cl.example.org";
pub const FINANCE: &str = "finance@cl.example.org";

pub fn adult(given: &str, family: &str, email: &str) -> Value {
    // A phone number of its own for every address, so two adults never share one by accident.
    let number = email
        .bytes()
        .fold(7u32, |n, b| (n * 31 + u32::from(b)) % 100_000);
    json!({"given_name": given, "family_name": family, "contact": {"email": email, "phone": format!("07700 9{number:05}")}})
}

pub fn child(given: &str, dob: &str) -> Value {
    json!({"given_name": given, "family_name": "Smith", "date_of_birth": dob})
}

/// A complete referral a coordinator enters from a solicitor's form.
pub fn referral(centre_id: &str, service: &str) -> Value {
    json!({
        "centre_id": centre_id,
        "service_type": service,
        "referrer": {"kind": "solicitor", "name": "Jo Brief", "organisation": "Brief & Co", "email": "jo@brief.example"},
        "external_ref": "BC-1",
        "resident_parent": adult("Ann", "Smith", "ann@example.org"),
        "non_resident_parent": {"given_name": "Bob", "family_name": "Jones", "relationship": "father",
            "contact": {"address": {"line1": "2 Quay St", "town": "Dover", "postcode": "ct16 1ab"}, "email": "bob@example.org"}},
        "children": [child("Cal", "2019-04-01")],
        "risk": {"domestic_abuse": "none"}
    })
}

pub fn offering_id(app: &TestApp, centre_id: &str, service: &str) -> String {
    let offerings = app
        .get(&format!("/v1/centres/{centre_id}/offerings"))
        .send()
        .ok(200);
    offerings["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["service_type"] == service)
        .unwrap_or_else(|| panic!("no {service} offering"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Sets how many families a service takes at once (null: places offered by hand).
pub fn set_places(app: &TestApp, admin: &str, centre_id: &str, service: &str, places: Value) {
    let id = offering_id(app, centre_id, service);
    app.patch(&format!("/v1/offerings/{id}"))
        .token(admin)
        .json(&json!({"places": places}))
        .ok(200);
}

pub fn charge_id(app: &TestApp, token: &str, referral_id: &str, kind: &str) -> String {
    let ledger = app
        .get(&format!("/v1/referrals/{referral_id}/ledger"))
        .token(token)
        .send()
        .ok(200);
    ledger["charges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} charge: {ledger}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

pub fn pay(app: &TestApp, token: &str, referral_id: &str, kind: &str, amount: &str) -> Value {
    let charge = charge_id(app, token, referral_id, kind);
    app.post(&format!("/v1/referrals/{referral_id}/payments"))
        .token(token)
        .json(
            &json!({"charge_id": charge, "amount": amount, "method": "card", "reference": "TX-1"}),
        )
        .ok(201)
}

pub fn assess(app: &TestApp, token: &str, referral_id: &str, body: Value) {
    app.post(&format!("/v1/referrals/{referral_id}/assessment"))
        .token(token)
        .json(&body)
        .ok(201);
}

pub fn act(
    app: &TestApp,
    token: &str,
    referral_id: &str,
    action: &str,
    body: Value,
) -> ccm_tests::Response {
    app.post(&format!("/v1/referrals/{referral_id}/{action}"))
        .token(token)
        .json(&body)
}

pub fn status(app: &TestApp, token: &str, referral_id: &str) -> String {
    app.get(&format!("/v1/referrals/{referral_id}"))
        .token(token)
        .send()
        .ok(200)["status"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Makes a parent account at CL and returns (id, token).
pub fn parent_account(app: &TestApp, email: &str) -> (String, String) {
    let admin = app.token(CL_ADMIN);
    let user = app
        .post("/v1/users")
        .token(&admin)
        .json(&json!({"email": email, "display_name": "A Parent", "role": "parent", "password": "a-long-parent-password"}))
        .ok(201);
    (
        user["id"].as_str().unwrap().to_string(),
        app.login(email, "a-long-parent-password"),
    )
}

/// A Cafcass court-ordered supervised case at FA Rotherham, taken to `active` (nothing to
/// pay). Returns (FA org admin's token, referral id).
pub fn active_fa_case(app: &TestApp) -> (String, String) {
    let fa = app.token("orgadmin@fa.example.org");
    let centre = app.centre_id("FA Rotherham");
    let mut body = referral(&centre, "supervised");
    body["referrer"] = json!({"kind": "cafcass", "name": "Officer Kay", "organisation": "Cafcass"});
    body["court_ordered"] = json!(true);
    body["court"] = json!({"court": "Family Court at Sheffield", "case_number": "SH26P00042", "order_date": "2026-10-01",
        "frequency": "fortnightly, 2 hours", "report_recipients": ["cafcass"]});
    let id = app.post("/v1/referrals").token(&fa).json(&body).ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    assess(app, &fa, &id, json!({"outcome": "suitable"}));
    act(app, &fa, &id, "accept", json!({})).ok(200);
    act(app, &fa, &id, "accept-offer", json!({})).ok(200);
    for (party, start, end) in [
        (
            "resident_parent",
            "2027-01-09T10:00:00Z",
            "2027-01-09T10:30:00Z",
        ),
        (
            "non_resident_parent",
            "2027-01-09T11:00:00Z",
            "2027-01-09T11:30:00Z",
        ),
    ] {
        let visit = app
            .post(&format!("/v1/referrals/{id}/pre-visits"))
            .token(&fa)
            .json(&json!({"party": party, "starts_at": start, "ends_at": end}))
            .ok(201);
        pre_visit_attended(app, &fa, &id, &visit);
    }
    assert_eq!(
        act(app, &fa, &id, "activate", json!({})).ok(200)["status"],
        "active"
    );
    (fa, id)
}

/// Marks a booked pre-visit attended, first moving it back three years as if its day had
/// come (a pre-visit is booked ahead and marked attended only once it has started).
pub fn pre_visit_attended(app: &TestApp, token: &str, referral_id: &str, visit: &Value) {
    use ccm_persistence::schema::pre_visits as pv;
    use diesel::prelude::*;
    let visit_id = visit["id"].as_str().unwrap().to_string();
    let by = time::Duration::days(3 * 365);
    app.db
        .write(|conn| {
            let (start, end): (time::PrimitiveDateTime, time::PrimitiveDateTime) = pv::table
                .find(&visit_id)
                .select((pv::starts_at, pv::ends_at))
                .first(conn)?;
            diesel::update(pv::table.find(&visit_id))
                .set((pv::starts_at.eq(start - by), pv::ends_at.eq(end - by)))
                .execute(conn)?;
            Ok::<_, ccm_persistence::StoreError>(())
        })
        .unwrap();
    app.post(&format!(
        "/v1/referrals/{referral_id}/pre-visits/{visit_id}/attended"
    ))
    .token(token)
    .send()
    .ok(200);
}

/// Moves the day contact started back by `days`, as if time had passed.
pub fn backdate_activation(app: &TestApp, referral_id: &str, days: i64) {
    let id = referral_id.to_string();
    app.db
        .write(|conn| {
            use diesel::prelude::*;
            let on = time::OffsetDateTime::now_utc().date() - time::Duration::days(days);
            diesel::update(ccm_persistence::schema::referrals::table.find(&id))
                .set(ccm_persistence::schema::referrals::activated_on.eq(Some(on)))
                .execute(conn)
                .map_err(ccm_persistence::StoreError::from)
        })
        .unwrap();
}

/// Moves every session of the case, and its parents' planned times, earlier by `by`: the
/// sessions have happened (booking refuses dates in the past, attendance needs them).
pub fn shift_sessions_back(app: &TestApp, referral_id: &str, by: time::Duration) {
    use ccm_persistence::schema::{session_parties as sp, sessions as s};
    use diesel::prelude::*;
    let id = referral_id.to_string();
    app.db
        .write(|conn| {
            let rows: Vec<(String, time::PrimitiveDateTime, time::PrimitiveDateTime)> = s::table
                .filter(s::referral_id.eq(&id))
                .select((s::id, s::starts_at, s::ends_at))
                .load(conn)?;
            for (sid, start, end) in rows {
                diesel::update(s::table.find(&sid))
                    .set((s::starts_at.eq(start - by), s::ends_at.eq(end - by)))
                    .execute(conn)?;
                let parties: Vec<(String, time::PrimitiveDateTime, time::PrimitiveDateTime)> =
                    sp::table
                        .filter(sp::session_id.eq(&sid))
                        .select((sp::party, sp::expected_arrival, sp::expected_departure))
                        .load(conn)?;
                for (party, arrive, depart) in parties {
                    diesel::update(sp::table.find((&sid, &party)))
                        .set((
                            sp::expected_arrival.eq(arrive - by),
                            sp::expected_departure.eq(depart - by),
                        ))
                        .execute(conn)?;
                }
            }
            Ok::<_, ccm_persistence::StoreError>(())
        })
        .unwrap();
}

/// One field of a parent's times in a session view.
pub fn party_time(session: &Value, party: &str, field: &str) -> Value {
    session["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["party"] == party)
        .unwrap_or_else(|| panic!("no {party} in {session}"))[field]
        .clone()
}

/// The person id of the party in `role` of a case, as staff see it.
pub fn party_id(app: &TestApp, token: &str, referral_id: &str, role: &str) -> String {
    let case = app
        .get(&format!("/v1/referrals/{referral_id}"))
        .token(token)
        .send()
        .ok(200);
    case["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["role"] == role)
        .unwrap_or_else(|| panic!("no {role} in {case}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}
