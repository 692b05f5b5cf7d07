//! One real resource of every private kind at CL, for the oracle test to probe.

use ccm_tests::{json, TestApp};
use serde_json::Value;
use time::Duration;

use crate::sessions::{activate, new_case, room_id, user_id};
use crate::support::*;

const SUPERVISOR: &str = "supervisor@cl.example.org";

fn text(v: &Value) -> String {
    v.as_str().unwrap().to_string()
}

/// One real resource of every private kind at CL, by the path segment naming its collection.
pub(super) fn cl_resources(app: &TestApp) -> Vec<(&'static str, String)> {
    let mut kinds = case_work(app);
    kinds.extend(integrations(app));
    kinds.extend(supervised_work(app));
    kinds.push(("indirect-items", indirect_item(app)));
    kinds
}

/// A supported case with a series booked, a feed, a document and a legal hold.
fn case_work(app: &TestApp) -> Vec<(&'static str, String)> {
    let coordinator = app.token(COORDINATOR);
    let admin = app.token(CL_ADMIN);
    let centre = app.centre_id("CL Ashford");
    let hall = room_id(app, &centre, "Main Hall");
    let case = new_case(app, &coordinator, &centre, "supported");
    activate(app, &coordinator, &case, json!({"outcome": "suitable"}));
    let booked = app
        .post(&format!("/v1/referrals/{case}/sessions"))
        .token(&coordinator)
        .json(&json!({"series": {"first_date": "2027-06-05", "starts": "10:00", "minutes": 120, "every_weeks": 1, "count": 2},
            "room_id": hall}))
        .ok(201);
    let feed = app
        .post(&format!("/v1/referrals/{case}/calendar-feeds"))
        .token(&coordinator)
        .json(&json!({"party": "resident_parent"}))
        .ok(201);
    let document = app
        .post(&format!(
            "/v1/referrals/{case}/documents?kind=court_order&filename=order.pdf"
        ))
        .token(&coordinator)
        .bytes("application/pdf", b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\nan order")
        .ok(201);
    let hold = app
        .post(&format!("/v1/referrals/{case}/legal-holds"))
        .token(&admin)
        .json(&json!({"reason": "appeal lodged at the Family Court"}))
        .ok(201);
    vec![
        ("referrals", case.clone()),
        ("sessions", text(&booked[0]["id"])),
        ("series", text(&booked[0]["series_id"])),
        (
            "people",
            party_id(app, &coordinator, &case, "resident_parent"),
        ),
        ("users", user_id(app, &admin, COORDINATOR)),
        ("calendar-feeds", text(&feed["id"])),
        ("documents", text(&document["id"])),
        ("legal-holds", text(&hold["id"])),
    ]
}

/// An API client with a webhook subscription that has delivered once.
fn integrations(app: &TestApp) -> Vec<(&'static str, String)> {
    let admin = app.token(CL_ADMIN);
    let centre = app.centre_id("CL Ashford");
    let (client_id, secret) = crate::clients::register(app, &crate::clients::ALL_SCOPES);
    let client = crate::clients::client_token(app, &client_id, &secret);
    let receiver = ccm_tests::receiver::Receiver::start();
    let subscription = text(
        &app.post("/v1/webhook-subscriptions")
            .token(&client)
            .json(&json!({"url": receiver.url, "events": ["referral.submitted"]}))
            .ok(201)["subscription"]["id"],
    );
    app.post("/v1/referrals")
        .token(&client)
        .json(&crate::clients::cafcass_referral(&centre, "supported"))
        .ok(201);
    let delivery = text(
        &app.get(&format!(
            "/v1/webhook-subscriptions/{subscription}/deliveries"
        ))
        .token(&admin)
        .send()
        .ok(200)["items"][0]["id"],
    );
    vec![
        ("api-clients", client_id),
        ("webhook-subscriptions", subscription),
        ("webhook-deliveries", delivery),
    ]
}

/// A supervised case with a session held a month ago (so its report is due) and a
/// safeguarding concern raised without suspending the case.
fn supervised_work(app: &TestApp) -> Vec<(&'static str, String)> {
    let coordinator = app.token(COORDINATOR);
    let admin = app.token(CL_ADMIN);
    let centre = app.centre_id("CL Gravesend Supervised");
    let case = new_case(app, &coordinator, &centre, "supervised");
    activate(app, &coordinator, &case, json!({"outcome": "suitable"}));
    let room = room_id(app, &centre, "Family Room 1");
    let supervisor = user_id(app, &admin, SUPERVISOR);
    let session = crate::reports::held_session(
        app,
        &case,
        json!({"starts_at": "2027-03-20T10:00:00Z", "ends_at": "2027-03-20T12:00:00Z", "room_id": room, "supervisor_id": supervisor}),
        Duration::days(30),
    );
    let report = app
        .get(&format!("/v1/sessions/{session}/report"))
        .token(&app.token(SUPERVISOR))
        .send()
        .ok(200);
    let concern = app
        .post(&format!("/v1/referrals/{case}/safeguarding-concerns"))
        .token(&coordinator)
        .json(
            &json!({"child_id": party_id(app, &coordinator, &case, "child"),
            "concern": "Cal said Dad's new partner hits him.", "suspend_case": false}),
        )
        .ok(201);
    vec![
        ("reports", text(&report["id"])),
        ("safeguarding-concerns", text(&concern["id"])),
    ]
}

/// An item received for an active indirect (letterbox) case.
fn indirect_item(app: &TestApp) -> String {
    let coordinator = app.token(COORDINATOR);
    let centre = app.centre_id("CL Chatham Supervised");
    let case = new_case(app, &coordinator, &centre, "indirect");
    activate(app, &coordinator, &case, json!({"outcome": "suitable"}));
    text(
        &app.post(&format!("/v1/referrals/{case}/indirect-items"))
            .token(&coordinator)
            .json(
                &json!({"direction": "to_child", "kind": "letter", "from_whom": "Dad",
                "description": "A two-page letter", "received_at": "2026-11-20T09:30:00Z"}),
            )
            .ok(201)["id"],
    )
}
