//! Waiting lists: order with priority, free places offered automatically, offers that lapse.

use ccm_tests::{json, TestApp};

use crate::support::*;

#[test]
fn a_freed_place_goes_to_the_next_family_and_an_expired_offer_cannot_be_accepted() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let admin = app.token(CL_ADMIN);
    let dover = app.centre_id("CL Dover");
    set_places(&app, &admin, &dover, "supported", json!(1));
    let mut ids = Vec::new();
    for n in 0..3 {
        let mut body = referral(&dover, "supported");
        body["resident_parent"]["contact"]["email"] = json!(format!("ann{n}@example.org"));
        body["non_resident_parent"]["contact"]["email"] = json!(format!("bob{n}@example.org"));
        let id = app
            .post("/v1/referrals")
            .token(&coordinator)
            .json(&body)
            .ok(201)["id"]
            .as_str()
            .unwrap()
            .to_string();
        pay(&app, &coordinator, &id, "referral_fee", "30.00");
        assess(&app, &coordinator, &id, json!({"outcome": "suitable"}));
        act(&app, &coordinator, &id, "accept", json!({})).ok(200);
        ids.push(id);
    }
    assert_eq!(
        status(&app, &coordinator, &ids[0]),
        "place_offered",
        "the one place went to the first"
    );
    assert_eq!(status(&app, &coordinator, &ids[1]), "waitlisted");
    // The third family's priority is raised: it is next.
    act(
        &app,
        &coordinator,
        &ids[2],
        "priority",
        json!({"priority": 2, "reason": "court deadline"}),
    )
    .ok(200);
    let list = app
        .get(&format!(
            "/v1/waiting-lists?centre={dover}&service=supported"
        ))
        .token(&coordinator)
        .send()
        .ok(200);
    let order: Vec<&str> = list["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["referral_id"].as_str().unwrap())
        .collect();
    assert_eq!(order, [ids[2].as_str(), ids[1].as_str()]);
    assert_eq!(list["holding"], 1);
    // The first family lets its offer lapse: time passes, the sweep runs.
    let later = time::OffsetDateTime::now_utc() + time::Duration::days(15);
    let report = ccm_api::cases::sweep::sweep(&app.db, 14, later).unwrap();
    assert_eq!((report.offers_expired, report.places_offered), (1, 1));
    let lapsed = app
        .get(&format!("/v1/referrals/{}", ids[0]))
        .token(&coordinator)
        .send()
        .ok(200);
    assert_eq!(
        (
            lapsed["status"].as_str(),
            lapsed["closure"]["reason"].as_str()
        ),
        (Some("closed"), Some("offer_expired"))
    );
    assert_eq!(
        status(&app, &coordinator, &ids[2]),
        "place_offered",
        "the priority family is offered the freed place"
    );
    act(&app, &coordinator, &ids[0], "accept-offer", json!({})).problem(409);
}

#[test]
fn an_offer_accepted_after_it_expired_is_409_and_closes_the_case() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let dover = app.centre_id("CL Dover");
    let id = app
        .post("/v1/referrals")
        .token(&coordinator)
        .json(&referral(&dover, "supported"))
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    pay(&app, &coordinator, &id, "referral_fee", "30.00");
    assess(&app, &coordinator, &id, json!({"outcome": "suitable"}));
    assert_eq!(
        act(&app, &coordinator, &id, "accept", json!({})).ok(200)["status"],
        "place_offered"
    );
    // Time passes without a sweep: the offer's deadline is now behind us.
    app.db
        .write(|conn| {
            use diesel::prelude::*;
            let past = ccm_persistence::now() - time::Duration::days(1);
            diesel::update(ccm_persistence::schema::referrals::table.find(&id))
                .set(ccm_persistence::schema::referrals::offer_expires_at.eq(Some(past)))
                .execute(conn)
                .map_err(ccm_persistence::StoreError::from)
        })
        .unwrap();
    let body = act(&app, &coordinator, &id, "accept-offer", json!({})).problem(409);
    assert_eq!(body["type"], "urn:ccm:problem:offer-expired");
    assert_eq!(status(&app, &coordinator, &id), "closed");
}
