//! Requests so malformed that the HTTP layer answers them itself, before the application sees
//! them: they too get a problem+json body (the patched actix-http in vendor/actix-http).
//! Spoken over a raw TCP socket, since no HTTP client will send these.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use ccm_tests::TestApp;
use serde_json::Value;

/// actix-http's fixed limit on an unparsed request head (its `MAX_BUFFER_SIZE`).
const HEAD_LIMIT: usize = 128 * 1024;

struct RawResponse {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl RawResponse {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Asserts a problem+json answer with this status and problem type; returns its body.
    fn problem(&self, status: u16, code: &str) -> Value {
        let text = String::from_utf8_lossy(&self.body);
        assert_eq!(self.status, status, "{text}");
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{text}"
        );
        assert_eq!(
            self.header("content-length"),
            Some(self.body.len().to_string().as_str()),
            "the whole body arrives"
        );
        let body: Value =
            serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
        assert_eq!(body["status"], status);
        assert_eq!(body["type"], format!("urn:ccm:problem:{code}"));
        assert!(
            body["title"].as_str().is_some_and(|t| !t.is_empty()),
            "{body}"
        );
        assert!(
            body["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{body}"
        );
        body
    }
}

/// Sends `request` on a new connection and reads the answer until the server closes it.
fn send_raw(app: &TestApp, request: &[u8]) -> RawResponse {
    let addr = app.url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).expect("connect to the test server");
    // Only a bound on a hung server; the server closes the connection after each answer here.
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("set a read timeout");
    stream.write_all(request).expect("send the request");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read the answer");
    parse(&raw)
}

fn parse(raw: &[u8]) -> RawResponse {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no complete head: {:?}", String::from_utf8_lossy(raw)));
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {status_line:?}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    RawResponse {
        status,
        headers,
        body: raw[end + 4..].to_vec(),
    }
}

fn still_serves(app: &TestApp) {
    assert_eq!(app.get("/healthz").send().ok(200)["status"], "ok");
}

#[test]
fn a_control_character_in_a_header_value_is_a_400_problem() {
    let app = TestApp::spawn();
    let r = send_raw(
        &app,
        b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Note: a\x01b\r\n\r\n",
    );
    let body = r.problem(400, "bad-request");
    assert_eq!(body["title"], "Bad Request");
    still_serves(&app);
}

#[test]
fn a_malformed_request_line_is_a_400_problem() {
    let app = TestApp::spawn();
    for request in [
        &b"GET /healthz NOT-HTTP\r\nHost: localhost\r\n\r\n"[..],
        &b"GET\r\n\r\n"[..],
    ] {
        send_raw(&app, request).problem(400, "bad-request");
    }
    still_serves(&app);
}

#[test]
fn a_request_head_over_the_limit_is_a_431_problem() {
    let app = TestApp::spawn();
    // Exactly the limit and unfinished: the server reads all of it before refusing, so closing
    // the connection cannot reset it under the answer.
    let mut request = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: ".to_vec();
    request.resize(HEAD_LIMIT, b'a');
    let body = send_raw(&app, &request).problem(431, "request-header-fields-too-large");
    assert_eq!(body["title"], "Request Header Fields Too Large");
    still_serves(&app);
}

#[test]
fn too_many_headers_is_a_431_problem() {
    let app = TestApp::spawn();
    let mut request = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n".to_vec();
    for i in 0..100 {
        request.extend_from_slice(format!("X-H{i}: v\r\n").as_bytes());
    }
    request.extend_from_slice(b"\r\n");
    send_raw(&app, &request).problem(431, "request-header-fields-too-large");
    still_serves(&app);
}

#[test]
fn a_request_head_that_never_finishes_is_a_408_problem() {
    let app = TestApp::spawn();
    // The server's head timeout (actix-web's default, 5 s) ends the wait, not this test.
    let r = send_raw(&app, b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n");
    let body = r.problem(408, "request-timeout");
    assert_eq!(body["title"], "Request Timeout");
    still_serves(&app);
}
