//! Prometheus metrics, kept by hand: a counter and a latency histogram per route pattern,
//! method and status, rendered in the text exposition format with the database pools' use and
//! the process's uptime at `GET /metrics`.
//!
//! Hand-written rather than the `prometheus` or `metrics` crates: three kinds of series with
//! fixed labels are a page of code, and the hot path is one read lock and a few atomic adds.
//!
//! Labels are bounded so a caller cannot grow the registry: the route is the matched pattern
//! (`/v1/referrals/{id}`, never the id) or `unmatched`, the method one of the few the API
//! answers or `other`, the status one of HTTP's.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;

use actix_web::http::header::{HeaderName, HeaderValue};

use crate::config::Environment;
use crate::state::AppState;
use crate::statement_counts::{self, Counts};
use ccm_persistence::db::PoolState;

/// Upper bounds of the latency buckets, in seconds (Prometheus client defaults).
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Reads one figure of a pool's state.
type PoolGauge = fn(&PoolState) -> u32;

/// The route label of a request no route matched (unknown paths, 404 and 405 answers).
pub const UNMATCHED: &str = "unmatched";

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Labels {
    route: String,
    method: &'static str,
    status: u16,
}

#[derive(Default)]
struct Series {
    /// Requests whose duration fell at or under each bound (not cumulative; summed when shown).
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_nanos: AtomicU64,
    /// SQL statements the requests sent.
    statements: AtomicU64,
}

impl Series {
    fn observe(&self, took: Duration, statements: u64) {
        self.statements.fetch_add(statements, Ordering::Relaxed);
        let secs = took.as_secs_f64();
        if let Some(i) = BUCKETS.iter().position(|bound| secs <= *bound) {
            self.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
    }
}

/// The process's metrics, shared by every worker.
pub struct Metrics {
    started: Instant,
    requests: RwLock<BTreeMap<Labels, Arc<Series>>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        Metrics {
            started: Instant::now(),
            requests: RwLock::new(BTreeMap::new()),
        }
    }

    /// Counts one answered request, how long it took and the SQL statements it sent.
    pub fn observe(
        &self,
        route: Option<&str>,
        method: &str,
        status: u16,
        took: Duration,
        statements: u64,
    ) {
        let labels = Labels {
            route: route.unwrap_or(UNMATCHED).to_string(),
            method: method_label(method),
            status,
        };
        let known = self
            .requests
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&labels)
            .cloned();
        let series = match known {
            Some(series) => series,
            None => self
                .requests
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .entry(labels)
                .or_default()
                .clone(),
        };
        series.observe(took, statements);
    }

    /// The exposition text: the request series, then the pools named in `pools`, then uptime
    /// and build information.
    pub fn render(&self, pools: &[(&str, PoolState)]) -> String {
        let mut out = String::new();
        let requests = self.requests.read().unwrap_or_else(|e| e.into_inner());
        out.push_str("# HELP ccm_http_requests_total HTTP requests answered, by route pattern, method and status.\n");
        out.push_str("# TYPE ccm_http_requests_total counter\n");
        for (labels, series) in requests.iter() {
            let _ = writeln!(
                out,
                "ccm_http_requests_total{{{}}} {}",
                labels.render(),
                series.count.load(Ordering::Relaxed)
            );
        }
        out.push_str("# HELP ccm_http_request_duration_seconds Time to answer a request (until the response head), by route pattern, method and status.\n");
        out.push_str("# TYPE ccm_http_request_duration_seconds histogram\n");
        for (labels, series) in requests.iter() {
            let labels = labels.render();
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(&series.buckets) {
                cumulative += n.load(Ordering::Relaxed);
                let _ = writeln!(
                    out,
                    "ccm_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            let count = series.count.load(Ordering::Relaxed);
            let sum = Duration::from_nanos(series.sum_nanos.load(Ordering::Relaxed));
            let _ = writeln!(
                out,
                "ccm_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {count}"
            );
            let _ = writeln!(
                out,
                "ccm_http_request_duration_seconds_sum{{{labels}}} {}",
                sum.as_secs_f64()
            );
            let _ = writeln!(
                out,
                "ccm_http_request_duration_seconds_count{{{labels}}} {count}"
            );
        }
        out.push_str("# HELP ccm_db_statements_total SQL statements sent while answering requests, by route pattern, method and status.\n");
        out.push_str("# TYPE ccm_db_statements_total counter\n");
        for (labels, series) in requests.iter() {
            let _ = writeln!(
                out,
                "ccm_db_statements_total{{{}}} {}",
                labels.render(),
                series.statements.load(Ordering::Relaxed)
            );
        }
        drop(requests);
        let gauges: [(&str, &str, PoolGauge); 3] = [
            (
                "ccm_db_pool_connections_in_use",
                "Database connections handed out to requests.",
                |p| p.in_use,
            ),
            (
                "ccm_db_pool_connections_idle",
                "Database connections open and waiting in the pool.",
                |p| p.idle,
            ),
            (
                "ccm_db_pool_connections_max",
                "The most connections the pool opens.",
                |p| p.max,
            ),
        ];
        for (name, help, value) in gauges {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} gauge");
            for (pool, state) in pools {
                let _ = writeln!(out, "{name}{{pool=\"{pool}\"}} {}", value(state));
            }
        }
        out.push_str("# HELP ccm_uptime_seconds Seconds since this process started serving.\n");
        out.push_str("# TYPE ccm_uptime_seconds gauge\n");
        let _ = writeln!(
            out,
            "ccm_uptime_seconds {}",
            self.started.elapsed().as_secs_f64()
        );
        out.push_str("# HELP ccm_build_info The version of ccm this process runs.\n");
        out.push_str("# TYPE ccm_build_info gauge\n");
        let _ = writeln!(
            out,
            "ccm_build_info{{version=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION")
        );
        out
    }
}

impl Labels {
    /// The route is a pattern from our own route table, so it holds no quote or backslash to
    /// escape.
    fn render(&self) -> String {
        format!(
            "route=\"{}\",method=\"{}\",status=\"{}\"",
            self.route, self.method, self.status
        )
    }
}

fn method_label(method: &str) -> &'static str {
    match method {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    }
}

/// Counts every request by the route pattern it matched, with its final status (after the
/// problem rendering, the rate limit and CORS have had their say).
pub async fn record(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let method = req.method().clone();
    let started = Instant::now();
    let sent = Arc::new(Counts::default());
    let mut response = statement_counts::scope(sent.clone(), next.call(req)).await?;
    let statements = sent.sent.load(Ordering::Relaxed);
    if let Some(metrics) = metrics {
        // The default service (unknown paths) matches no pattern.
        let route = response.request().match_pattern();
        metrics.observe(
            route.as_deref(),
            method.as_str(),
            response.status().as_u16(),
            started.elapsed(),
            statements,
        );
    }
    let development = response
        .request()
        .app_data::<web::Data<AppState>>()
        .is_some_and(|state| state.config.environment == Environment::Development);
    if development {
        response.headers_mut().insert(
            HeaderName::from_static(STATEMENTS_HEADER),
            HeaderValue::from(statements),
        );
        response.headers_mut().insert(
            HeaderName::from_static(LOCKED_STATEMENTS_HEADER),
            HeaderValue::from(sent.locked.load(Ordering::Relaxed)),
        );
    }
    Ok(response)
}

/// In development, each response says how many SQL statements answering it took (tests and
/// the benchmark read it; production shows only the totals in `/metrics`).
pub const STATEMENTS_HEADER: &str = "ccm-db-statements";

/// In development, how many of them were sent while a room's or supervisor's lock was held
/// (from the statement taking it to the commit), where a request takes one.
pub const LOCKED_STATEMENTS_HEADER: &str = "ccm-db-statements-locked";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_counted_once_with_its_latency_bucket() {
        let metrics = Metrics::new();
        let route = Some("/v1/referrals/{id}");
        metrics.observe(route, "GET", 200, Duration::from_millis(3), 2);
        metrics.observe(route, "GET", 200, Duration::from_millis(30), 0);
        metrics.observe(route, "GET", 404, Duration::from_millis(1), 0);
        metrics.observe(None, "BREW", 404, Duration::from_millis(1), 0);
        let text = metrics.render(&[(
            "read",
            PoolState {
                in_use: 1,
                idle: 2,
                max: 3,
            },
        )]);
        let labels = r#"route="/v1/referrals/{id}",method="GET",status="200""#;
        assert!(text.contains(&format!("ccm_http_requests_total{{{labels}}} 2\n")));
        assert!(text.contains(&format!(
            "ccm_http_request_duration_seconds_bucket{{{labels},le=\"0.005\"}} 1\n"
        )));
        assert!(text.contains(&format!(
            "ccm_http_request_duration_seconds_bucket{{{labels},le=\"0.05\"}} 2\n"
        )));
        assert!(text.contains(&format!(
            "ccm_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} 2\n"
        )));
        assert!(text.contains(&format!(
            "ccm_http_request_duration_seconds_count{{{labels}}} 2\n"
        )));
        assert!(text.contains(&format!("ccm_db_statements_total{{{labels}}} 2\n")));
        assert!(text.contains(
            r#"ccm_http_requests_total{route="unmatched",method="other",status="404"} 1"#
        ));
        assert!(text.contains("ccm_db_pool_connections_in_use{pool=\"read\"} 1\n"));
        assert!(text.contains("ccm_db_pool_connections_max{pool=\"read\"} 3\n"));
        assert!(text.contains("ccm_build_info{version=\""));
    }

    #[test]
    fn a_slow_request_is_only_in_the_infinite_bucket() {
        let metrics = Metrics::new();
        metrics.observe(Some("/healthz"), "GET", 200, Duration::from_secs(11), 0);
        let text = metrics.render(&[]);
        assert!(text.contains(
            r#"ccm_http_request_duration_seconds_bucket{route="/healthz",method="GET",status="200",le="10"} 0"#
        ));
        assert!(text.contains(
            r#"ccm_http_request_duration_seconds_bucket{route="/healthz",method="GET",status="200",le="+Inf"} 1"#
        ));
    }
}
