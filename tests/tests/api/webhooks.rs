//! Webhooks: where they may go, the partner's story (a referral made with an idempotency key,
//! a signed event for each step, the released report read back), retries with back-off, the
//! delivery log, redelivery, and deliveries surviving a restart.

use ccm_domain::webhooks::{verify, Loopback};
use ccm_tests::receiver::Receiver;
use ccm_tests::{json, TestApp};
use time::{Duration, OffsetDateTime};

use crate::clients::{cafcass_referral, client_token, register, ALL_SCOPES};
use crate::reports::held_session;
use crate::sessions::{activate, room_id, user_id};
use crate::support::*;

/// Subscribes the client's receiver to `events`; the subscription's id and signing secret.
fn subscribe(app: &TestApp, token: &str, url: &str, events: &[&str]) -> (String, String) {
    let made = app
        .post("/v1/webhook-subscriptions")
        .token(token)
        .json(&json!({"url": url, "events": events}))
        .ok(201);
    (
        made["subscription"]["id"].as_str().unwrap().to_string(),
        made["signing_secret"].as_str().unwrap().to_string(),
    )
}

#[test]
fn a_webhook_url_must_be_http_and_never_link_local_metadata_or_private() {
    let app = TestApp::with_demo();
    let (id, secret) = register(&app, &ALL_SCOPES);
    let client = client_token(&app, &id, &secret);
    let coordinator = app.token(COORDINATOR);
    let before = app.snapshot();
    for url in [
        "ftp://partner.example/hooks",
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/hooks",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://10.1.2.3/hooks",
        "https://user:password@partner.example/hooks",
        "not a url",
    ] {
        let refused = app
            .post("/v1/webhook-subscriptions")
            .token(&client)
            .json(&json!({"url": url, "events": ["*"]}))
            .invalid("url");
        assert_eq!(refused["status"], 422, "{url}");
    }
    app.post("/v1/webhook-subscriptions")
        .token(&client)
        .json(&json!({"url": "https://partner.example/hooks", "events": ["referral.*", "invoice.paid"]}))
        .invalid("events[1]");
    app.post("/v1/webhook-subscriptions")
        .token(&client)
        .json(&json!({"url": "https://partner.example/hooks", "events": ["report.published"]}))
        .invalid("events[0]");
    // Subscriptions are an API client's; staff have none of their own.
    app.post("/v1/webhook-subscriptions")
        .token(&coordinator)
        .json(&json!({"url": "https://partner.example/hooks", "events": ["*"]}))
        .problem(403);
    assert_eq!(app.snapshot(), before);
    // A public https URL is accepted.
    let (sub, _) = subscribe(
        &app,
        &client,
        "https://partner.example/hooks",
        &["referral.*"],
    );
    let listed = app
        .get("/v1/webhook-subscriptions")
        .token(&app.token(CL_ADMIN))
        .send()
        .ok(200);
    assert_eq!(listed["items"][0]["id"], sub.as_str());
    // Revoking the client stops its subscriptions.
    app.post(&format!("/v1/api-clients/{id}/revoke"))
        .token(&app.token(CL_ADMIN))
        .json(&json!({}))
        .ok(200);
    let stopped = app
        .get(&format!("/v1/webhook-subscriptions/{sub}"))
        .token(&app.token(CL_ADMIN))
        .send()
        .ok(200);
    assert_eq!(stopped["active"], false);
}

#[test]
fn a_partner_refers_with_an_idempotency_key_follows_signed_webhooks_and_reads_the_released_report()
{
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let admin = app.token(CL_ADMIN);
    let supervisor = app.token("supervisor@cl.example.org");
    let receiver = Receiver::start();
    let (client_id, client_secret) = register(&app, &ALL_SCOPES);
    let client = client_token(&app, &client_id, &client_secret);
    let (subscription, signing) = subscribe(&app, &client, &receiver.url, &["*"]);

    // The partner's system refers; its retry with the same key makes no second referral.
    let centre = app.centre_id("CL Gravesend Supervised");
    let mut body = cafcass_referral(&centre, "supervised");
    body["court_ordered"] = json!(true);
    body["court"] = json!({"court": "Family Court at Medway", "case_number": "ME27P00042",
        "order_date": "2026-11-01", "report_recipients": ["cafcass"]});
    let first = app
        .post("/v1/referrals")
        .token(&client)
        .header("Idempotency-Key", "cafcass-se-2026-0042")
        .json(&body);
    assert_eq!(first.status, 201);
    let id = first.json()["id"].as_str().unwrap().to_string();
    let counted = app.snapshot()["referrals"];
    let again = app
        .post("/v1/referrals")
        .token(&client)
        .header("Idempotency-Key", "cafcass-se-2026-0042")
        .json(&body);
    assert_eq!(again.status, 201);
    assert_eq!(again.header("Idempotent-Replayed"), Some("true"));
    assert_eq!(again.json()["id"], id.as_str());
    assert_eq!(app.snapshot()["referrals"], counted);

    // The coordinator moves the case along; the supervisor writes the session's report, the
    // coordinator approves it, the org admin releases it to Cafcass.
    activate(&app, &coordinator, &id, json!({"outcome": "suitable"}));
    let room = room_id(&app, &centre, "Family Room 1");
    let sup_id = user_id(&app, &admin, "supervisor@cl.example.org");
    let session = held_session(
        &app,
        &id,
        json!({"starts_at": "2027-03-20T10:00:00Z", "ends_at": "2027-03-20T12:00:00Z", "room_id": room, "supervisor_id": sup_id}),
        Duration::days(2),
    );
    let report_path = format!("/v1/sessions/{session}/report");
    app.call("PUT", &report_path)
        .token(&supervisor)
        .json(
            &json!({"arrival": "Cal arrived at 10:15 and went straight to his father.",
            "activities": "Lego, then a card game.", "ending": "Goodbyes were calm."}),
        )
        .ok(200);
    let report = app.get(&report_path).token(&supervisor).send().ok(200)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let step = |token: &str, action: &str, body: serde_json::Value| {
        app.post(&format!("/v1/reports/{report}/{action}"))
            .token(token)
            .json(&body)
            .ok(200)
    };
    step(&supervisor, "submit", json!({}));
    step(&coordinator, "approve", json!({}));
    step(&admin, "release", json!({"recipients": ["cafcass"]}));

    // Every step reached the partner, signed, in order, naming ids, kinds and states only.
    let sent = app.deliver_webhooks();
    let received = receiver.received();
    assert_eq!(received.len(), sent);
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let mut types = Vec::new();
    for r in &received {
        let signature = r.header("ccm-signature").expect("signed");
        assert!(verify(&signing, signature, &r.body, now), "{signature}");
        assert!(!verify("whsec_other", signature, &r.body, now));
        let event = r.json();
        assert_eq!(r.header("ccm-event-type"), event["type"].as_str());
        assert_eq!(event["data"]["referral_id"], id.as_str());
        let text = String::from_utf8_lossy(&r.body).to_string();
        for private in [
            "Ann",
            "Smith",
            "Jones",
            "ann@example.org",
            "Cal",
            "Dover",
            "Lego",
        ] {
            assert!(!text.contains(private), "{private} in {text}");
        }
        types.push(event["type"].as_str().unwrap().to_string());
    }
    assert_eq!(types[0], "referral.submitted", "{types:?}");
    for expected in [
        "referral.screening",
        "referral.active",
        "session.confirmed",
        "session.completed",
        "report.released",
    ] {
        assert!(
            types.iter().any(|t| t == expected),
            "{expected} in {types:?}"
        );
    }
    // A report's drafting and checking are the centre's; the partner hears of its release.
    for internal in [
        "report.due",
        "report.draft",
        "report.in_qa",
        "report.approved",
    ] {
        assert!(
            !types.iter().any(|t| t == internal),
            "{internal} in {types:?}"
        );
    }
    let log = app
        .get(&format!(
            "/v1/webhook-subscriptions/{subscription}/deliveries?limit=200"
        ))
        .token(&client)
        .send()
        .ok(200);
    let deliveries = log["items"].as_array().unwrap();
    assert_eq!(deliveries.len(), received.len());
    for d in deliveries {
        assert_eq!(d["status"], "delivered", "{d}");
        assert_eq!(d["attempt_log"][0]["status_code"], 200);
    }
    assert_eq!(app.deliver_webhooks(), 0, "nothing is sent twice");

    // The partner reads the report released to Cafcass, as released.
    let released = app
        .get(&format!("/v1/referrals/{id}/released-reports"))
        .token(&client)
        .send()
        .ok(200);
    assert!(
        released.to_string().contains("Lego, then a card game."),
        "{released}"
    );
}

#[test]
fn a_failed_delivery_is_retried_with_back_off_survives_a_restart_and_can_be_sent_again() {
    let app = TestApp::with_demo();
    let receiver = Receiver::start();
    let (client_id, client_secret) = register(&app, &ALL_SCOPES);
    let client = client_token(&app, &client_id, &client_secret);
    let (subscription, _) = subscribe(&app, &client, &receiver.url, &["referral.submitted"]);
    let centre = app.centre_id("CL Gravesend Supervised");
    app.post("/v1/referrals")
        .token(&client)
        .json(&cafcass_referral(&centre, "supervised"))
        .ok(201);
    let log = |app: &TestApp| {
        app.get(&format!(
            "/v1/webhook-subscriptions/{subscription}/deliveries"
        ))
        .token(&app.token(CL_ADMIN))
        .send()
        .ok(200)["items"][0]
            .clone()
    };

    // The receiver is down: the attempt is logged and the next one is due 30 s later.
    receiver.answer(503);
    assert_eq!(app.deliver_webhooks(), 1);
    let failed = log(&app);
    assert_eq!(failed["status"], "pending");
    assert_eq!(failed["attempts"], 1);
    assert_eq!(failed["last_status_code"], 503);
    let next = OffsetDateTime::parse(
        failed["next_attempt_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let wait = next - OffsetDateTime::now_utc();
    assert!(
        wait > Duration::seconds(20) && wait <= Duration::seconds(31),
        "{wait}"
    );
    assert_eq!(app.deliver_webhooks(), 0, "not due yet");
    let metrics = app.get("/metrics").send();
    assert!(
        String::from_utf8_lossy(&metrics.body).contains("ccm_webhook_outbox_backlog 1\n"),
        "the backlog is measured"
    );

    // The server restarts: a new instance on the same database delivers what was queued,
    // once it is due (the second wait is a minute).
    let restarted = app.second_instance();
    assert_eq!(
        restarted.deliver_webhooks_at(
            OffsetDateTime::now_utc() + Duration::seconds(31),
            Loopback::Allowed
        ),
        1
    );
    let second = log(&restarted);
    assert_eq!(second["attempts"], 2);
    let next = OffsetDateTime::parse(
        second["next_attempt_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert!(next - OffsetDateTime::now_utc() > Duration::seconds(50));

    // Checked again at sending: a deliverer that refuses loopback addresses does not post.
    let before = receiver.received().len();
    restarted.deliver_webhooks_at(
        OffsetDateTime::now_utc() + Duration::seconds(120),
        Loopback::Refused,
    );
    assert_eq!(receiver.received().len(), before);
    let refused = log(&restarted);
    assert_eq!(refused["attempts"], 3);
    assert!(refused["last_status_code"].is_null());
    assert!(
        refused["last_error"]
            .as_str()
            .unwrap()
            .contains("127.0.0.1"),
        "{refused}"
    );

    // The partner fixes its receiver and asks for the delivery again.
    receiver.answer(204);
    let delivery = refused["id"].as_str().unwrap();
    let queued = restarted
        .post(&format!("/v1/webhook-deliveries/{delivery}/redeliver"))
        .token(&client)
        .json(&json!({}))
        .ok(202);
    assert_eq!(queued["status"], "pending");
    assert_eq!(restarted.deliver_webhooks(), 1);
    let done = log(&restarted);
    assert_eq!(done["status"], "delivered");
    assert_eq!(done["attempts"], 4);
    let codes: Vec<&serde_json::Value> = done["attempt_log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["status_code"])
        .collect();
    assert_eq!(codes, [&json!(503), &json!(503), &json!(null), &json!(204)]);
    drop(restarted);

    // Another client's delivery does not exist for this one.
    let (other, other_secret) = register(&app, &ALL_SCOPES);
    let other = client_token(&app, &other, &other_secret);
    let before = app.snapshot();
    app.post(&format!("/v1/webhook-deliveries/{delivery}/redeliver"))
        .token(&other)
        .json(&json!({}))
        .problem(404);
    assert_eq!(app.snapshot(), before);
}
