//! The test harness: each test gets the real application, served over HTTP on an ephemeral
//! port, on a fresh database of its own.
//!
//! The backend is SQLite (a new file per test) unless `CCM_TEST_BACKEND=postgres`, when each test
//! gets a new schema in the database named by `TEST_DATABASE_URL`, dropped afterwards.

pub mod receiver;

use std::collections::BTreeMap;
use std::sync::mpsc;
use std::thread::JoinHandle;

use actix_web::dev::ServerHandle;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::Value;

use ccm_api::config::Config;
use ccm_api::state::AppState;
use ccm_api::{app, Shared};
use ccm_persistence::{Backend, Db};

pub use ccm_api::seed::DEMO_PASSWORD;
pub use serde_json::json;

/// Every table, for "nothing changed" checks.
pub const TABLES: &[&str] = &[
    "providers",
    "safeguarding_concerns",
    "disclosures",
    "audit_events",
    "users",
    "refresh_tokens",
    "login_throttle",
    "centres",
    "rooms",
    "tariffs",
    "tariff_versions",
    "offerings",
    "idempotency_keys",
    "people",
    "referrals",
    "referral_parties",
    "referral_events",
    "charges",
    "ledger_entries",
    "assessments",
    "pre_visits",
    "reviews",
    "next_steps_meetings",
    "sessions",
    "session_parties",
    "scheduling_policies",
    "keep_apart",
    "calendar_feeds",
    "reports",
    "report_releases",
    "incidents",
    "indirect_schedules",
    "indirect_items",
    "documents",
    "api_clients",
    "webhook_subscriptions",
    "webhook_deliveries",
    "webhook_attempts",
    "retention_rules",
    "legal_holds",
    "retention_actions",
];

enum Store {
    Sqlite(std::path::PathBuf),
    Postgres { admin_url: String, schema: String },
}

impl Store {
    fn create() -> (Store, String) {
        let id = uuid::Uuid::now_v7().simple().to_string();
        if std::env::var("CCM_TEST_BACKEND").as_deref() == Ok("postgres") {
            let admin_url = std::env::var("TEST_DATABASE_URL")
                .expect("CCM_TEST_BACKEND=postgres needs TEST_DATABASE_URL");
            let schema = format!("t_{id}");
            let mut conn = diesel::PgConnection::establish(&admin_url)
                .expect("cannot reach TEST_DATABASE_URL");
            conn.batch_execute(&format!("CREATE SCHEMA {schema}"))
                .expect("create test schema");
            let sep = if admin_url.contains('?') { '&' } else { '?' };
            let url = format!("{admin_url}{sep}options=-csearch_path%3D{schema}");
            (Store::Postgres { admin_url, schema }, url)
        } else {
            let path = std::env::temp_dir().join(format!("ccm-test-{id}.db"));
            let url = format!("sqlite://{}", path.display());
            (Store::Sqlite(path), url)
        }
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        match self {
            Store::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Store::Postgres { admin_url, schema } => {
                if let Ok(mut conn) = diesel::PgConnection::establish(admin_url) {
                    let _ = conn.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
                }
            }
        }
    }
}

/// A directory of the test's own, removed with it.
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running application on its own database.
pub struct TestApp {
    pub url: String,
    pub db: Db,
    /// Where this application keeps the contents of documents.
    pub document_dir: std::path::PathBuf,
    database_url: String,
    agent: ureq::Agent,
    handle: ServerHandle,
    thread: Option<JoinHandle<()>>,
    // Dropped last: the schema or file outlives the server that uses it. A second instance
    // on the same database has none.
    _store: Option<Store>,
    _documents: Option<TempDir>,
}

impl TestApp {
    /// The application on an empty (migrated) database.
    pub fn spawn() -> TestApp {
        TestApp::spawn_with(|_| {})
    }

    /// The application with the demo providers, centres, tariffs and accounts loaded.
    pub fn with_demo() -> TestApp {
        let app = TestApp::spawn();
        ccm_api::seed::seed_demo(&app.db).expect("demo data loads");
        app
    }

    /// The application with configuration adjusted by `configure`.
    pub fn spawn_with(configure: impl FnOnce(&mut Config)) -> TestApp {
        let (store, url) = Store::create();
        let documents = TempDir(
            std::env::temp_dir().join(format!("ccm-test-documents-{}", uuid::Uuid::now_v7())),
        );
        TestApp::serve(url, Some(store), Some(documents), configure)
    }

    /// A second server on this one's database, as a second instance behind a load balancer
    /// would be: its own process state and connection pool. Drop it before this one.
    pub fn second_instance(&self) -> TestApp {
        let dir = self.document_dir.clone();
        TestApp::serve(self.database_url.clone(), None, None, |c| {
            c.document_dir = dir
        })
    }

    fn serve(
        url: String,
        store: Option<Store>,
        documents: Option<TempDir>,
        configure: impl FnOnce(&mut Config),
    ) -> TestApp {
        let mut config = Config::development(&url);
        config.database.pool_size = 3;
        config.workers = Some(1);
        // Tests log in many times from one address; those about the limit set their own.
        config.auth_rate_per_minute = 10_000;
        // Tests deliver webhooks when they choose (`deliver_webhooks`), to a local receiver.
        config.webhook_poll_ms = 0;
        config.webhook_loopback = ccm_domain::webhooks::Loopback::Allowed;
        if let Some(dir) = &documents {
            config.document_dir = dir.0.clone();
        }
        configure(&mut config);
        let document_dir = config.document_dir.clone();
        let db = ccm_api::open_database(&config).expect("test database opens");
        let state = AppState::new(db.clone(), config);
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::spawn(move || {
            let system = actix_web::rt::System::new();
            system.block_on(async move {
                let shared = Shared::new(state);
                let workers = shared.state.config.workers.unwrap_or(1);
                let server = actix_web::HttpServer::new(move || app(&shared))
                    .workers(workers)
                    .disable_signals()
                    .bind(("127.0.0.1", 0))
                    .expect("bind an ephemeral port");
                let addr = server.addrs()[0];
                let server = server.run();
                tx.send((addr, server.handle()))
                    .expect("report the address");
                let _ = server.await;
            });
        });
        let (addr, handle) = rx.recv().expect("the test server starts");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        TestApp {
            url: format!("http://{addr}"),
            db,
            document_dir,
            database_url: url,
            agent,
            handle,
            thread: Some(thread),
            _store: store,
            _documents: documents,
        }
    }

    pub fn backend(&self) -> Backend {
        self.db.backend()
    }

    pub fn get(&self, path: &str) -> Call<'_> {
        self.call("GET", path)
    }

    pub fn post(&self, path: &str) -> Call<'_> {
        self.call("POST", path)
    }

    pub fn patch(&self, path: &str) -> Call<'_> {
        self.call("PATCH", path)
    }

    pub fn call(&self, method: &'static str, path: &str) -> Call<'_> {
        Call {
            app: self,
            method,
            path: path.to_string(),
            headers: Vec::new(),
        }
    }

    /// An access token for a demo account (all share the demo password).
    pub fn token(&self, email: &str) -> String {
        self.login(email, DEMO_PASSWORD)
    }

    pub fn login(&self, email: &str, password: &str) -> String {
        let r = self
            .post("/v1/auth/token")
            .json(&json!({"email": email, "password": password}));
        assert_eq!(r.status, 200, "login as {email}: {}", r.text);
        r.json()["access_token"]
            .as_str()
            .expect("an access token")
            .to_string()
    }

    /// Row counts of every table: equal snapshots mean a request changed nothing it could add.
    pub fn snapshot(&self) -> BTreeMap<&'static str, i64> {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        self.db
            .read(|conn| -> Result<_, ccm_persistence::StoreError> {
                let mut counts = BTreeMap::new();
                for table in TABLES {
                    let c: Count = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
                        .get_result(conn)
                        .map_err(ccm_persistence::StoreError::from)?;
                    counts.insert(*table, c.n);
                }
                Ok(counts)
            })
            .expect("count rows")
    }

    /// The id of the demo centre with this name.
    pub fn centre_id(&self, name: &str) -> String {
        let r = self.get("/v1/centres?limit=200").send();
        r.json()["items"]
            .as_array()
            .and_then(|items| items.iter().find(|c| c["name"] == name))
            .and_then(|c| c["id"].as_str())
            .unwrap_or_else(|| panic!("no centre named {name}"))
            .to_string()
    }

    /// The id of the demo provider whose name starts with `prefix`.
    pub fn provider_id(&self, prefix: &str) -> String {
        let r = self.get("/v1/providers").send();
        r.json()["items"]
            .as_array()
            .and_then(|items| {
                items
                    .iter()
                    .find(|p| p["name"].as_str().is_some_and(|n| n.starts_with(prefix)))
            })
            .and_then(|p| p["id"].as_str())
            .unwrap_or_else(|| panic!("no provider named {prefix}..."))
            .to_string()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        actix_web::rt::System::new().block_on(self.handle.stop(false));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A request being built.
pub struct Call<'a> {
    app: &'a TestApp,
    method: &'static str,
    path: String,
    headers: Vec<(String, String)>,
}

impl Call<'_> {
    pub fn token(self, token: &str) -> Self {
        self.header("Authorization", &format!("Bearer {token}"))
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn json(self, body: &Value) -> Response {
        self.raw("application/json", &body.to_string())
    }

    pub fn raw(self, content_type: &str, body: &str) -> Response {
        let request = self.request().header("Content-Type", content_type);
        Response::from(request.send(body))
    }

    /// Sends `body` as it is, e.g. a file.
    pub fn bytes(self, content_type: &str, body: &[u8]) -> Response {
        let request = self.request().header("Content-Type", content_type);
        Response::from(request.send(body))
    }

    pub fn send(self) -> Response {
        let request = self.request();
        Response::from(request.send_empty())
    }

    fn request(&self) -> ureq::RequestBuilder<ureq::typestate::WithBody> {
        let url = format!("{}{}", self.app.url, self.path);
        let mut request = match self.method {
            "GET" => self.app.agent.get(&url).force_send_body(),
            "DELETE" => self.app.agent.delete(&url).force_send_body(),
            "POST" => self.app.agent.post(&url),
            "PATCH" => self.app.agent.patch(&url),
            "PUT" => self.app.agent.put(&url),
            "OPTIONS" => self.app.agent.options(&url).force_send_body(),
            other => panic!("method {other} not supported by the harness"),
        };
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        request
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub text: String,
    /// The body as sent (`text` is it read as UTF-8).
    pub body: Vec<u8>,
}

impl From<Result<ureq::http::Response<ureq::Body>, ureq::Error>> for Response {
    fn from(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Self {
        let mut response = result.expect("the server answers");
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    v.to_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        let body = response
            .body_mut()
            .with_config()
            .limit(u64::MAX)
            .read_to_vec()
            .unwrap_or_default();
        Response {
            status: response.status().as_u16(),
            headers,
            text: String::from_utf8_lossy(&body).into_owned(),
            body,
        }
    }
}

impl Response {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The SQL statements the server sent to answer this request (its `ccm-db-statements`
    /// header, given in development).
    pub fn statements(&self) -> u64 {
        self.header("ccm-db-statements")
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no ccm-db-statements header: {:?}", self.headers))
    }

    /// Of [`Self::statements`], those sent while the request held a room's or supervisor's
    /// lock, from the statement taking it to the commit (`ccm-db-statements-locked`).
    pub fn statements_locked(&self) -> u64 {
        self.header("ccm-db-statements-locked")
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no ccm-db-statements-locked header: {:?}", self.headers))
    }

    /// Asserts a problem+json answer with this status; returns its body.
    pub fn problem(&self, status: u16) -> Value {
        assert_eq!(
            self.status, status,
            "expected {status}, got {}: {}",
            self.status, self.text
        );
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "problem content type: {}",
            self.text
        );
        let body = self.json();
        assert_eq!(body["status"], status);
        assert!(
            body["type"]
                .as_str()
                .is_some_and(|t| t.starts_with("urn:ccm:problem:")),
            "{body}"
        );
        assert!(
            body["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{body}"
        );
        assert!(body["request_id"].is_string(), "{body}");
        body
    }

    /// Asserts a 422 naming `field` (among others); returns the body.
    pub fn invalid(&self, field: &str) -> Value {
        let body = self.problem(422);
        let fields: Vec<&str> = body["errors"]
            .as_array()
            .map(|e| e.iter().filter_map(|f| f["field"].as_str()).collect())
            .unwrap_or_default();
        assert!(
            fields.contains(&field),
            "expected an error naming {field}, got {fields:?}: {body}"
        );
        body
    }

    /// Asserts this status with a JSON body; returns it.
    pub fn ok(&self, status: u16) -> Value {
        assert_eq!(
            self.status, status,
            "expected {status}, got {}: {}",
            self.status, self.text
        );
        self.json()
    }
}
