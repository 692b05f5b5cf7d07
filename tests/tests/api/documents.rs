//! Documents on a case: a court order filed by the coordinator and read back byte for byte;
//! seen only by the provider's staff who need it; refused when too large, of a type not
//! accepted or not what it claims, with nothing kept of a refused upload.

use std::collections::BTreeMap;

use ccm_tests::{json, Response, TestApp};
use serde_json::Value;

use crate::sessions::new_case;
use crate::support::*;

const SUPERVISOR: &str = "supervisor@cl.example.org";
const VOLUNTEER: &str = "volunteer@cl.example.org";
const FA_ADMIN: &str = "orgadmin@fa.example.org";
const PDF: &str = "application/pdf";

/// A small PDF with bytes that are not UTF-8, so a lossy copy would show.
fn pdf(len: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    bytes.extend((0..len.saturating_sub(bytes.len())).map(|i| (i * 7 % 256) as u8));
    bytes.truncate(len);
    bytes
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";

fn upload(
    app: &TestApp,
    token: &str,
    case: &str,
    query: &str,
    content_type: &str,
    body: &[u8],
) -> Response {
    app.post(&format!("/v1/referrals/{case}/documents?{query}"))
        .token(token)
        .bytes(content_type, body)
}

/// What a request could have left behind: rows in every table and files in the store.
fn kept(app: &TestApp) -> (BTreeMap<&'static str, i64>, Vec<String>) {
    let mut files: Vec<String> = std::fs::read_dir(&app.document_dir)
        .map(|dir| {
            dir.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    (app.snapshot(), files)
}

fn items(list: &Value) -> Vec<&str> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect()
}

fn demo_with(configure: impl FnOnce(&mut ccm_api::config::Config)) -> TestApp {
    let app = TestApp::spawn_with(configure);
    ccm_api::seed::seed_demo(&app.db).expect("demo data loads");
    app
}

#[test]
fn a_court_order_is_filed_and_read_back_byte_for_byte_by_the_staff_who_may_see_it() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let case = new_case(&app, &coordinator, &app.centre_id("CL Dover"), "supported");
    let order = pdf(5000);
    let filed = upload(
        &app,
        &coordinator,
        &case,
        "kind=court_order&filename=..%2F..%2FCourt%20Order%20(Sheffield).pdf",
        PDF,
        &order,
    );
    let view = filed.ok(201);
    let id = view["id"].as_str().unwrap().to_string();
    assert_eq!(
        filed.header("location"),
        Some(&*format!("/v1/documents/{id}"))
    );
    assert_eq!(view["referral_id"], case.as_str());
    assert_eq!(view["kind"], "court_order");
    assert_eq!(
        view["filename"], "Court Order (Sheffield).pdf",
        "a name, never a path"
    );
    assert_eq!(view["content_type"], PDF);
    assert_eq!(view["size_bytes"], 5000);
    assert_eq!(view["sha256"].as_str().unwrap().len(), 64);

    let read = app
        .get(&format!("/v1/documents/{id}/content"))
        .token(&coordinator)
        .send();
    assert_eq!(read.status, 200);
    assert!(read.body == order, "the same bytes come back");
    assert_eq!(read.header("content-type"), Some(PDF));
    assert_eq!(
        read.header("content-disposition"),
        Some("attachment; filename=\"Court Order (Sheffield).pdf\"")
    );
    assert_eq!(read.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(
        app.get(&format!("/v1/documents/{id}"))
            .token(&coordinator)
            .send()
            .ok(200),
        view
    );

    let admin = app.token(CL_ADMIN);
    upload(
        &app,
        &admin,
        &case,
        "kind=referral_form&filename=form.png",
        "image/png",
        PNG,
    )
    .ok(201);
    let files = kept(&app).1;
    assert_eq!(files.len(), 2, "one file per document: {files:?}");
    assert!(files
        .iter()
        .all(|f| !f.contains("Court") && !f.contains("form")));

    let list = |token: &str| {
        app.get(&format!("/v1/referrals/{case}/documents"))
            .token(token)
            .send()
    };
    assert_eq!(
        items(&list(&coordinator).ok(200)),
        ["court_order", "referral_form"]
    );
    let listed = list(&admin).ok(200);
    assert_eq!(listed["next_cursor"], Value::Null);
    assert_eq!(listed["items"][0], view);

    // A supervisor reads the court order, not the referral form.
    let supervisor = app.token(SUPERVISOR);
    assert_eq!(items(&list(&supervisor).ok(200)), ["court_order"]);
    let form = list(&coordinator).ok(200)["items"][1]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let read = app
        .get(&format!("/v1/documents/{id}/content"))
        .token(&supervisor)
        .send();
    assert!(read.status == 200 && read.body == order);
    for path in [
        format!("/v1/documents/{form}"),
        format!("/v1/documents/{form}/content"),
    ] {
        app.get(&path).token(&supervisor).send().problem(403);
    }
    upload(
        &app,
        &supervisor,
        &case,
        "kind=report_export&filename=r.pdf",
        PDF,
        &pdf(100),
    )
    .problem(403);

    // Volunteers and finance work on the case but not with its documents.
    let tokens = [app.token(VOLUNTEER), app.token(FINANCE)];
    let before = kept(&app);
    for token in tokens {
        list(&token).problem(403);
        for path in [
            format!("/v1/documents/{id}"),
            format!("/v1/documents/{id}/content"),
        ] {
            app.get(&path).token(&token).send().problem(403);
        }
        upload(
            &app,
            &token,
            &case,
            "kind=court_order&filename=o.pdf",
            PDF,
            &pdf(100),
        )
        .problem(403);
    }
    assert_eq!(kept(&app), before);

    // The trail: each filing, and each download of the contents, with who did it.
    let trail = app
        .get(&format!("/v1/audit?entity_type=document&entity_id={id}"))
        .token(&admin)
        .send()
        .ok(200);
    let reads: Vec<&str> = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "read" && e["fields"] == json!(["content"]))
        .map(|e| e["actor_role"].as_str().unwrap())
        .collect();
    assert!(reads.contains(&"supervisor"), "{trail}");
    let filed = app
        .get(&format!(
            "/v1/audit?referral_id={case}&kind=write&entity_type=referral"
        ))
        .token(&admin)
        .send()
        .ok(200);
    assert!(filed["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "POST /v1/referrals/{id}/documents"));
}

#[test]
fn referrers_and_other_providers_are_not_told_documents_exist_and_a_parent_is_refused_them() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let dover = app.centre_id("CL Dover");
    let (ann_id, ann) = parent_account(&app, "ann.parent@example.org");
    let mut body = referral(&dover, "supported");
    body["resident_parent"]["account_id"] = json!(ann_id);
    let parents_case = app
        .post("/v1/referrals")
        .token(&coordinator)
        .json(&body)
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let referrer = app.token("referrer@cl.example.org");
    let referrers_case = app
        .post("/v1/referrals")
        .token(&referrer)
        .json(&referral(&dover, "supported"))
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let fa = app.token(FA_ADMIN);
    // A parent knows their own case exists, so is refused its documents as they are its ledger
    // (403); a referrer and another provider are not told documents exist (404).
    for (case, outsider, refusal) in [
        (&parents_case, &ann, 403),
        (&referrers_case, &referrer, 404),
        (&parents_case, &fa, 404),
    ] {
        // The outsider may see the case itself (a parent, its referrer), not its documents.
        let doc = upload(
            &app,
            &coordinator,
            case,
            "kind=referral_form&filename=form.pdf",
            PDF,
            &pdf(300),
        )
        .ok(201)["id"]
            .as_str()
            .unwrap()
            .to_string();
        let before = kept(&app);
        for path in [
            format!("/v1/referrals/{case}/documents"),
            format!("/v1/documents/{doc}"),
            format!("/v1/documents/{doc}/content"),
        ] {
            app.get(&path).token(outsider).send().problem(refusal);
        }
        upload(
            &app,
            outsider,
            case,
            "kind=other&filename=x.pdf",
            PDF,
            &pdf(300),
        )
        .problem(refusal);
        assert_eq!(kept(&app), before);
    }
    app.get("/v1/documents/0193a2c4-1f00-7abc-8def-0123456789ab")
        .token(&coordinator)
        .send()
        .problem(404);
}

#[test]
fn uploads_too_large_of_a_refused_type_or_not_what_they_claim_keep_nothing() {
    let app = demo_with(|c| c.document_max_bytes = 1024);
    let coordinator = app.token(COORDINATOR);
    let case = new_case(&app, &coordinator, &app.centre_id("CL Dover"), "supported");
    let (volunteer, fa) = (app.token(VOLUNTEER), app.token(FA_ADMIN));
    let query = "kind=court_order&filename=order.pdf";
    let before = kept(&app);

    let too_large = upload(&app, &coordinator, &case, query, PDF, &pdf(1025)).problem(413);
    assert!(
        too_large["detail"].as_str().unwrap().contains("1024"),
        "{too_large}"
    );
    // Read whole by the Idempotency-Key layer first, under the same limit.
    app.post(&format!("/v1/referrals/{case}/documents?{query}"))
        .token(&coordinator)
        .header("Idempotency-Key", "big-order-1")
        .bytes(PDF, &pdf(1025))
        .problem(413);

    let html = upload(&app, &coordinator, &case, query, "text/html", b"<html>").problem(415);
    assert!(
        html["detail"].as_str().unwrap().contains("\"text/html\""),
        "the refused type is named: {html}"
    );
    let jpeg_as_pdf = upload(
        &app,
        &coordinator,
        &case,
        query,
        PDF,
        b"\xFF\xD8\xFF\xE0\x00\x10JFIF",
    )
    .problem(415);
    assert!(
        jpeg_as_pdf["detail"]
            .as_str()
            .unwrap()
            .contains("does not look like application/pdf"),
        "{jpeg_as_pdf}"
    );
    upload(&app, &coordinator, &case, query, "image/png", &pdf(100)).problem(415);
    upload(&app, &coordinator, &case, query, PDF, b"").invalid("body");

    let bad_query = |query: &str, field: &str| {
        let body = upload(&app, &coordinator, &case, query, PDF, &pdf(100)).problem(400);
        assert_eq!(body["errors"][0]["field"], field, "{body}");
    };
    bad_query("kind=affidavit&filename=a.pdf", "kind");
    bad_query("kind=court_order", "filename");

    upload(&app, &volunteer, &case, query, PDF, &pdf(100)).problem(403);
    upload(&app, &fa, &case, query, PDF, &pdf(100)).problem(404);
    upload(
        &app,
        &coordinator,
        "0193a2c4-1f00-7abc-8def-0123456789ab",
        query,
        PDF,
        &pdf(100),
    )
    .problem(404);
    assert_eq!(kept(&app), before, "a refused upload leaves nothing behind");

    let at_limit = upload(&app, &coordinator, &case, query, PDF, &pdf(1024)).ok(201);
    assert_eq!(at_limit["size_bytes"], 1024);
    let unnamed = upload(
        &app,
        &coordinator,
        &case,
        "kind=court_order&filename=%2F%17%2F",
        PDF,
        &pdf(100),
    )
    .ok(201);
    assert_eq!(
        unnamed["filename"], "court_order.pdf",
        "a file is not refused for its name"
    );
}

#[test]
fn a_document_larger_than_a_json_body_retried_with_its_idempotency_key_is_filed_once() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let case = new_case(&app, &coordinator, &app.centre_id("CL Dover"), "supported");
    let order = pdf(600 * 1024);
    let send = || {
        app.post(&format!(
            "/v1/referrals/{case}/documents?kind=court_order&filename=order.pdf"
        ))
        .token(&coordinator)
        .header("Idempotency-Key", "order-upload-1")
        .bytes(PDF, &order)
    };
    let first = send().ok(201);
    let again = send();
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.ok(201)["id"], first["id"]);
    assert_eq!(kept(&app).0["documents"], 1);
    assert_eq!(kept(&app).1.len(), 1);
    let read = app
        .get(&format!(
            "/v1/documents/{}/content",
            first["id"].as_str().unwrap()
        ))
        .token(&coordinator)
        .send();
    assert!(read.body == order);
}
