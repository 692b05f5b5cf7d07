//! Indirect (letterbox) contact: a schedule for the case, and a log of every item received,
//! checked, approved or withheld, paid for, sent by the right post, delivered or returned.

use ccm_tests::{json, TestApp};
use serde_json::Value;

use crate::sessions::{activate, new_case};
use crate::support::*;

const VOLUNTEER: &str = "volunteer@cl.example.org";
const ANN_STREET: &str = "7 Mill Lane";

/// An active indirect case at CL Chatham whose parents have accounts; the child lives with
/// Ann, whose address is on file. Returns (coordinator's token, referral id, Ann's token).
fn letterbox_case(app: &TestApp) -> (String, String, String) {
    let coordinator = app.token(COORDINATOR);
    let (ann_id, ann) = parent_account(app, "ann.parent@example.org");
    let centre = app.centre_id("CL Chatham Supervised");
    let mut body = referral(&centre, "indirect");
    body["resident_parent"]["account_id"] = json!(ann_id);
    body["resident_parent"]["contact"]["address"] =
        json!({"line1": ANN_STREET, "town": "Chatham", "postcode": "ME4 4AB"});
    let id = app
        .post("/v1/referrals")
        .token(&coordinator)
        .json(&body)
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    activate(app, &coordinator, &id, json!({"outcome": "suitable"}));
    (coordinator, id, ann)
}

/// Logs an item received for the case; returns its id.
fn receive(app: &TestApp, token: &str, id: &str, body: Value) -> String {
    app.post(&format!("/v1/referrals/{id}/indirect-items"))
        .token(token)
        .json(&body)
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn letter() -> Value {
    json!({"direction": "to_child", "kind": "letter", "from_whom": "Dad",
        "description": "A two-page letter and a drawing", "received_at": "2026-11-20T09:30:00Z"})
}

fn gift() -> Value {
    json!({"direction": "to_child", "kind": "gift", "from_whom": "Dad",
        "description": "A wrapped parcel and a gift card", "received_at": "2026-11-20T09:35:00Z"})
}

fn step(app: &TestApp, token: &str, item: &str, action: &str, body: Value) -> ccm_tests::Response {
    app.post(&format!("/v1/indirect-items/{item}/{action}"))
        .token(token)
        .json(&body)
}

fn item(app: &TestApp, token: &str, item: &str) -> Value {
    app.get(&format!("/v1/indirect-items/{item}"))
        .token(token)
        .send()
        .ok(200)
}

/// An item received, checked and approved; returns the approved item.
fn approved(app: &TestApp, coordinator: &str, id: &str, body: Value) -> Value {
    let item = receive(app, coordinator, id, body);
    step(
        app,
        coordinator,
        &item,
        "check",
        json!({"notes": "Read in full; nothing of concern."}),
    )
    .ok(200);
    step(app, coordinator, &item, "approve", json!({})).ok(200)
}

fn pay_charge(app: &TestApp, id: &str, charge: &str, amount: &str) {
    app.post(&format!("/v1/referrals/{id}/payments"))
        .token(&app.token(FINANCE))
        .json(
            &json!({"charge_id": charge, "amount": amount, "method": "card", "reference": "TX-6"}),
        )
        .ok(201);
}

#[test]
fn a_letterbox_case_sends_an_approved_letter_first_class_returns_a_withheld_gift_and_its_fees_are_paid(
) {
    let app = TestApp::with_demo();
    let (coordinator, id, _) = letterbox_case(&app);
    let volunteer = app.token(VOLUNTEER);

    // The schedule: a letter a month from Dad, cards at birthdays and Christmas; Cal may reply.
    let schedule_path = format!("/v1/referrals/{id}/indirect-schedule");
    app.get(&schedule_path)
        .token(&coordinator)
        .send()
        .problem(404);
    let schedule = app
        .call("PUT", &schedule_path)
        .token(&coordinator)
        .json(
            &json!({"kinds": ["letter", "card", "letter"], "directions": ["to_child", "from_child"],
            "frequency": "monthly", "occasions": ["Cal's birthday (1 April)", "Christmas"],
            "notes": "A letter a month from Dad; cards at birthdays and Christmas."}),
        )
        .ok(200);
    assert_eq!(schedule["kinds"], json!(["letter", "card"]));
    assert_eq!(schedule["frequency"], "monthly");
    assert_eq!(schedule["version"], 1);
    let read = app.get(&schedule_path).token(&volunteer).send();
    assert_eq!(read.header("etag"), Some("\"1\""));
    assert_eq!(read.json()["occasions"][1], "Christmas");

    // A volunteer logs the post as it arrives.
    let letter_id = receive(&app, &volunteer, &id, letter());
    let gift_id = receive(&app, &volunteer, &id, gift());
    let logged = item(&app, &volunteer, &letter_id);
    assert_eq!(logged["status"], "received");
    assert_eq!(logged["postage_required"], "first_class");
    assert_eq!(logged["allowed_actions"], json!(["check"]));
    assert_eq!(
        item(&app, &volunteer, &gift_id)["postage_required"],
        "tracked_signed"
    );

    // The letter is read, approved (raising the £6 fee to Dad), paid for and sent first class.
    step(
        &app,
        &coordinator,
        &letter_id,
        "check",
        json!({"notes": "Read in full; nothing of concern."}),
    )
    .ok(200);
    let ok = step(&app, &coordinator, &letter_id, "approve", json!({})).ok(200);
    assert_eq!(ok["status"], "approved");
    assert_eq!(ok["fee"]["amount"], "6.00");
    assert_eq!(ok["fee"]["outstanding"], "6.00");
    assert_eq!(ok["fee"]["payer"], "non_resident_parent");
    let charge = ok["fee"]["charge_id"].as_str().unwrap().to_string();
    let to = app
        .get(&format!("/v1/indirect-items/{letter_id}/recipient-address"))
        .token(&coordinator)
        .send()
        .ok(200);
    assert_eq!(to["recipient"], "resident_parent");
    assert_eq!(to["address_line1"], ANN_STREET);
    pay_charge(&app, &id, &charge, "6.00");
    let sent = step(
        &app,
        &coordinator,
        &letter_id,
        "send",
        json!({"postage": "first_class"}),
    )
    .ok(200);
    assert_eq!(sent["status"], "sent");
    assert_eq!(sent["postage"], "first_class");
    assert_eq!(sent["fee"]["outstanding"], "0.00");
    assert!(sent["sent_at"].is_string());
    let delivered = step(&app, &coordinator, &letter_id, "deliver", json!({})).ok(200);
    assert_eq!(delivered["status"], "delivered");
    assert_eq!(delivered["allowed_actions"], json!([]));

    // The gift is withheld with a reason (no fee for an item that is not sent) and returned.
    step(
        &app,
        &coordinator,
        &gift_id,
        "check",
        json!({"notes": "Contains a £50 gift card."}),
    )
    .ok(200);
    let withheld = step(
        &app,
        &coordinator,
        &gift_id,
        "withhold",
        json!({"reason": "Gifts of money are not part of the agreed schedule."}),
    )
    .ok(200);
    assert_eq!(withheld["status"], "withheld");
    assert_eq!(withheld["allowed_actions"], json!(["return", "escalate"]));
    assert!(withheld["fee"].is_null());
    let returned = step(
        &app,
        &coordinator,
        &gift_id,
        "return",
        json!({"reason": "Returned to Dad by tracked post."}),
    )
    .ok(200);
    assert_eq!(returned["status"], "returned");
    assert!(returned["returned_at"].is_string());

    // The complete log: read by the volunteer, exported by the coordinator; no addresses.
    let log = app
        .get(&format!("/v1/referrals/{id}/indirect-items"))
        .token(&volunteer)
        .send();
    assert_eq!(log.status, 200);
    let items = log.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["status"], "delivered");
    assert_eq!(items[1]["status"], "returned");
    assert!(!log.text.contains(ANN_STREET) && !log.text.contains("ME4 4AB"));
    let export = app
        .get(&format!("/v1/referrals/{id}/indirect-items/export"))
        .token(&coordinator)
        .send();
    assert_eq!(export.status, 200, "{}", export.text);
    assert!(export
        .header("content-type")
        .unwrap()
        .starts_with("text/csv"));
    let lines: Vec<&str> = export.text.lines().collect();
    assert_eq!(lines.len(), 3, "{}", export.text);
    assert!(lines[0].starts_with("id,received_at,direction,kind,from_whom"));
    assert!(lines[1].contains(",letter,Dad,") && lines[1].contains(",delivered,"));
    assert!(lines[1].contains(",6.00,0.00,first_class,"));
    assert!(lines[2].contains(",gift,") && lines[2].contains("Gifts of money are not part"));
    assert!(!export.text.contains(ANN_STREET));

    // Fees paid: the referral fee and the letter's fee, nothing outstanding.
    let ledger = app
        .get(&format!("/v1/referrals/{id}/ledger"))
        .token(&app.token(FINANCE))
        .send()
        .ok(200);
    let item_charges: Vec<&Value> = ledger["charges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "item")
        .collect();
    assert_eq!(item_charges.len(), 1);
    assert_eq!(item_charges[0]["id"], charge.as_str());
    assert_eq!(ledger["outstanding"], "0.00");
    // The audit trail shows each step, who took it, and the one read of an address.
    let trail = app
        .get(&format!("/v1/audit?referral_id={id}&limit=200"))
        .token(&app.token("orgadmin@cl.example.org"))
        .send();
    let events = trail.json()["items"].as_array().unwrap().clone();
    let on = |action: &str, entity: &str| {
        events
            .iter()
            .filter(|e| e["action"] == action && e["entity_id"] == entity)
            .count()
    };
    for step in ["check", "approve", "send", "deliver"] {
        assert_eq!(
            on(
                &format!("POST /v1/indirect-items/{{id}}/{step}"),
                &letter_id
            ),
            1,
            "{step}"
        );
    }
    for step in ["check", "withhold", "return"] {
        assert_eq!(
            on(&format!("POST /v1/indirect-items/{{id}}/{step}"), &gift_id),
            1,
            "{step}"
        );
    }
    assert_eq!(on("POST /v1/referrals/{id}/payments", &id), 2);
    let address_reads: Vec<&Value> = events
        .iter()
        .filter(|e| e["kind"] == "read" && e["fields"] == json!(["contact.address"]))
        .collect();
    assert_eq!(address_reads.len(), 1, "{events:?}");
    assert_eq!(address_reads[0]["actor_role"], "coordinator");
    assert_eq!(address_reads[0]["entity_type"], "person");
    assert!(!trail.text.contains(ANN_STREET));
}

#[test]
fn an_item_is_not_sent_before_it_is_approved_or_before_its_fee_is_paid_409() {
    let app = TestApp::with_demo();
    let (coordinator, id, _) = letterbox_case(&app);

    let checked = receive(&app, &coordinator, &id, letter());
    step(
        &app,
        &coordinator,
        &checked,
        "check",
        json!({"notes": "Read."}),
    )
    .ok(200);
    let before = app.snapshot();
    let body = step(
        &app,
        &coordinator,
        &checked,
        "send",
        json!({"postage": "first_class"}),
    )
    .problem(409);
    assert_eq!(body["type"], "urn:ccm:problem:invalid-transition");
    assert_eq!(body["current_status"], "checked");
    assert_eq!(body["allowed_actions"], json!(["approve", "withhold"]));
    assert_eq!(app.snapshot(), before);
    assert_eq!(item(&app, &coordinator, &checked)["status"], "checked");

    let unpaid = approved(&app, &coordinator, &id, letter());
    let charge = unpaid["fee"]["charge_id"].as_str().unwrap();
    let unpaid_id = unpaid["id"].as_str().unwrap();
    let before = app.snapshot();
    let body = step(
        &app,
        &coordinator,
        unpaid_id,
        "send",
        json!({"postage": "first_class"}),
    )
    .problem(409);
    assert_eq!(body["type"], "urn:ccm:problem:fee-unpaid");
    assert_eq!(body["charge_id"], charge);
    assert!(body["detail"].as_str().unwrap().contains(charge));
    assert_eq!(app.snapshot(), before);
    let still = item(&app, &coordinator, unpaid_id);
    assert_eq!(still["status"], "approved");
    assert!(still["sent_at"].is_null());
}

#[test]
fn the_wrong_postage_or_a_missing_tracking_number_is_refused_422() {
    let app = TestApp::with_demo();
    let (coordinator, id, _) = letterbox_case(&app);
    let gift = approved(&app, &coordinator, &id, gift());
    let gift_id = gift["id"].as_str().unwrap();
    pay_charge(
        &app,
        &id,
        gift["fee"]["charge_id"].as_str().unwrap(),
        "6.00",
    );
    let big_card = approved(
        &app,
        &coordinator,
        &id,
        json!({"direction": "from_child", "kind": "card", "from_whom": "Cal", "large_or_valuable": true,
            "received_at": "2026-11-21T10:00:00Z"}),
    );
    assert_eq!(big_card["postage_required"], "tracked_signed");
    assert_eq!(big_card["fee"]["payer"], "resident_parent");

    let before = app.snapshot();
    let body = step(
        &app,
        &coordinator,
        gift_id,
        "send",
        json!({"postage": "first_class"}),
    )
    .invalid("postage");
    assert!(body["detail"].as_str().unwrap().contains("tracked_signed"));
    step(
        &app,
        &coordinator,
        gift_id,
        "send",
        json!({"postage": "tracked_signed"}),
    )
    .invalid("tracking_number");
    step(
        &app,
        &coordinator,
        gift_id,
        "send",
        json!({"postage": "tracked_signed", "tracking_number": " "}),
    )
    .invalid("tracking_number");
    assert_eq!(app.snapshot(), before);
    assert_eq!(item(&app, &coordinator, gift_id)["status"], "approved");

    let sent = step(
        &app,
        &coordinator,
        gift_id,
        "send",
        json!({"postage": "tracked_signed", "tracking_number": "AB123456789GB"}),
    )
    .ok(200);
    assert_eq!(sent["tracking_number"], "AB123456789GB");
}

#[test]
fn only_an_indirect_case_keeps_an_item_log_422() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let centre = app.centre_id("CL Gravesend Supervised");
    let id = new_case(&app, &coordinator, &centre, "supervised");
    let before = app.snapshot();
    let body = app
        .post(&format!("/v1/referrals/{id}/indirect-items"))
        .token(&coordinator)
        .json(&letter())
        .problem(422);
    assert_eq!(body["type"], "urn:ccm:problem:indirect-only");
    assert!(body["detail"].as_str().unwrap().contains("supervised"));
    let body = app
        .call("PUT", &format!("/v1/referrals/{id}/indirect-schedule"))
        .token(&coordinator)
        .json(&json!({"kinds": ["letter"], "directions": ["to_child"], "frequency": "monthly"}))
        .problem(422);
    assert_eq!(body["type"], "urn:ccm:problem:indirect-only");
    assert_eq!(app.snapshot(), before);
}

#[test]
fn parents_and_other_providers_find_nothing_and_volunteers_only_log_and_read() {
    let app = TestApp::with_demo();
    let (coordinator, id, ann) = letterbox_case(&app);
    let fa = app.token("orgadmin@fa.example.org");
    let volunteer = app.token(VOLUNTEER);
    let finance = app.token(FINANCE);
    let letter_id = receive(&app, &coordinator, &id, letter());
    step(
        &app,
        &coordinator,
        &letter_id,
        "check",
        json!({"notes": "Read."}),
    )
    .ok(200);

    let before = app.snapshot();
    for token in [&ann, &fa] {
        app.get(&format!("/v1/referrals/{id}/indirect-items"))
            .token(token)
            .send()
            .problem(404);
        app.get(&format!("/v1/indirect-items/{letter_id}"))
            .token(token)
            .send()
            .problem(404);
        app.get(&format!("/v1/referrals/{id}/indirect-items/export"))
            .token(token)
            .send()
            .problem(404);
        app.get(&format!("/v1/referrals/{id}/indirect-schedule"))
            .token(token)
            .send()
            .problem(404);
        app.post(&format!("/v1/referrals/{id}/indirect-items"))
            .token(token)
            .json(&letter())
            .problem(404);
        step(&app, token, &letter_id, "approve", json!({})).problem(404);
    }

    // A volunteer logs and reads, but neither decides, sends, sets the schedule, sees an
    // address nor exports; finance keeps to the ledger.
    step(&app, &volunteer, &letter_id, "approve", json!({})).problem(403);
    step(
        &app,
        &volunteer,
        &letter_id,
        "withhold",
        json!({"reason": "no"}),
    )
    .problem(403);
    app.get(&format!("/v1/indirect-items/{letter_id}/recipient-address"))
        .token(&volunteer)
        .send()
        .problem(403);
    app.get(&format!("/v1/referrals/{id}/indirect-items/export"))
        .token(&volunteer)
        .send()
        .problem(403);
    app.call("PUT", &format!("/v1/referrals/{id}/indirect-schedule"))
        .token(&volunteer)
        .json(&json!({"kinds": ["letter"], "directions": ["to_child"], "frequency": "monthly"}))
        .problem(403);
    app.get(&format!("/v1/referrals/{id}/indirect-items"))
        .token(&finance)
        .send()
        .problem(403);
    assert_eq!(app.snapshot(), before);
    assert_eq!(item(&app, &volunteer, &letter_id)["status"], "checked");

    // The address is shown only while an item waits to be sent.
    let body = app
        .get(&format!("/v1/indirect-items/{letter_id}/recipient-address"))
        .token(&coordinator)
        .send()
        .problem(409);
    assert_eq!(body["current_status"], "checked");
}

#[test]
fn bad_input_names_the_field_and_changes_nothing() {
    let app = TestApp::with_demo();
    let (coordinator, id, _) = letterbox_case(&app);
    let path = format!("/v1/referrals/{id}/indirect-items");
    let before = app.snapshot();
    let mut future = letter();
    future["received_at"] = json!("2099-01-01T00:00:00Z");
    app.post(&path)
        .token(&coordinator)
        .json(&future)
        .invalid("received_at");
    let mut blank = letter();
    blank["from_whom"] = json!("  ");
    app.post(&path)
        .token(&coordinator)
        .json(&blank)
        .invalid("from_whom");
    let mut kind = letter();
    kind["kind"] = json!("parcel");
    app.post(&path)
        .token(&coordinator)
        .json(&kind)
        .invalid("kind");
    app.call("PUT", &format!("/v1/referrals/{id}/indirect-schedule"))
        .token(&coordinator)
        .json(
            &json!({"kinds": ["card"], "directions": ["to_child"], "frequency": "occasions_only"}),
        )
        .invalid("occasions");
    assert_eq!(app.snapshot(), before);
}
