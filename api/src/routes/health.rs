//! Liveness, readiness and metrics, for load balancers, orchestrators and monitoring.

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{self, ApiError};
use crate::metrics::Metrics;
use crate::state::AppState;
use ccm_app::health;

#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct Readiness {
    #[schema(example = "ready")]
    pub status: &'static str,
    /// `sqlite` or `postgres`.
    #[schema(example = "sqlite")]
    pub database: &'static str,
}

/// The process is up (does not touch the database).
#[utoipa::path(tag = "health", responses((status = 200, description = "The process is up.", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// The database is reachable and its schema is up to date.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "Ready to serve requests.", body = Readiness),
        (status = 503, response = error::Unavailable),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let db = state.db.clone();
    let database = web::block(move || health::readiness(&db))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))??;
    Ok(HttpResponse::Ok().json(Readiness {
        status: "ready",
        database,
    }))
}

/// Prometheus metrics in the text exposition format.
///
/// Requests answered and their latency (`ccm_http_requests_total`,
/// `ccm_http_request_duration_seconds`) by route pattern (`/v1/referrals/{id}`, never the id;
/// `unmatched` for unknown paths), method and status; the database pools' connections in use,
/// idle and at most (`ccm_db_pool_connections_*`, pool `read` and `write` on SQLite, `shared`
/// on PostgreSQL); `ccm_webhook_outbox_backlog` (deliveries waiting to be sent, across all
/// processes); `ccm_uptime_seconds` and `ccm_build_info`. Counts are per server process.
///
/// No token is needed: the figures name no person or record, only routes and counts. It is
/// served on the API's own address and port, so a deployment that exposes the API publicly
/// should keep `/metrics` to its monitoring network at the proxy.
#[utoipa::path(
    tag = "health",
    responses((
        status = 200,
        description = "The metrics, in Prometheus text format 0.0.4.",
        body = String,
        content_type = "text/plain; version=0.0.4",
        example = json!("# TYPE ccm_uptime_seconds gauge\nccm_uptime_seconds 42.5\n"),
    ))
)]
#[get("/metrics")]
pub async fn metrics(metrics: web::Data<Metrics>, state: web::Data<AppState>) -> HttpResponse {
    let pools = health::pools(&state.db);
    let mut text = metrics.render(&pools);
    // Read on each scrape; left out (not zero) when the database cannot be asked.
    let db = state.db.clone();
    let backlog = web::block(move || health::webhook_backlog(&db)).await;
    if let Ok(Ok(backlog)) = backlog {
        text.push_str("# HELP ccm_webhook_outbox_backlog Webhook deliveries waiting to be sent (due or retrying).\n");
        text.push_str("# TYPE ccm_webhook_outbox_backlog gauge\n");
        text.push_str(&format!("ccm_webhook_outbox_backlog {backlog}\n"));
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text)
}
