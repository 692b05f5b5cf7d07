//! The ccm HTTP API: an actix-web application over `ccm-persistence` and `ccm-domain`.
//!
//! [`app`] builds the application (used by `ccm serve` and by the black-box tests), [`serve`]
//! runs it, [`openapi::document`] describes it.

pub mod accounts;
pub mod audit;
pub mod cases;
pub mod config;
pub mod edge;
pub mod error;
pub mod extract;
pub mod http;
pub mod idempotency;
pub mod ids;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod principal;
pub mod rate_limit;
pub mod routes;
pub mod security;
pub mod seed;
pub mod state;
pub mod statement_counts;
pub mod webhooks;

use std::sync::Arc;

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::{from_fn, Condition};
use actix_web::{web, App, HttpServer};
use tracing_actix_web::TracingLogger;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::config::Config;
use crate::metrics::Metrics;
use crate::middleware::{fallback, problems_and_request_ids, RouteTable};
use crate::rate_limit::RateLimiter;
use crate::state::AppState;

/// Everything an application instance shares across worker threads.
#[derive(Clone)]
pub struct Shared {
    pub state: AppState,
    pub doc: Arc<utoipa::openapi::OpenApi>,
    pub routes: RouteTable,
    /// Per process, not per worker: a worker thread must not multiply the allowance.
    pub auth_limiter: Arc<RateLimiter>,
    pub metrics: Arc<Metrics>,
}

impl Shared {
    pub fn new(state: AppState) -> Shared {
        let doc = openapi::document();
        let routes = RouteTable::from_openapi(&doc);
        let auth_limiter = Arc::new(RateLimiter::per_minute(state.config.auth_rate_per_minute));
        Shared {
            state,
            doc: Arc::new(doc),
            routes,
            auth_limiter,
            metrics: Arc::new(Metrics::new()),
        }
    }
}

/// The application: routes, Swagger UI, error handling, request ids, CORS, body limits, the
/// auth endpoints' rate limit and metrics.
pub fn app(
    shared: &Shared,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let config = &shared.state.config;
    let (app, _) = App::new()
        .into_utoipa_app()
        .configure(routes::configure)
        .split_for_parts();
    app.app_data(web::Data::new(shared.state.clone()))
        .app_data(web::Data::new(shared.routes.clone()))
        .app_data(web::Data::from(shared.auth_limiter.clone()))
        .app_data(web::Data::from(shared.metrics.clone()))
        .app_data(web::PayloadConfig::new(config.max_body_bytes))
        .service(
            SwaggerUi::new("/swagger-ui/{_:.*}")
                .url("/openapi.json", (*shared.doc).clone())
                // Swagger UI would otherwise send our spec's URL to validator.swagger.io from
                // every page view on a public host name.
                .config(utoipa_swagger_ui::Config::from("/openapi.json").validator_url("none")),
        )
        .default_service(web::to(fallback))
        .wrap(from_fn(audit::trail))
        .wrap(from_fn(problems_and_request_ids))
        .wrap(from_fn(idempotency::idempotency))
        // Before idempotency keys are claimed and bodies or tokens read.
        .wrap(from_fn(edge::refuse_bad_input))
        // Outside idempotency: a refused request must not leave a key behind.
        .wrap(from_fn(rate_limit::limit_auth))
        .wrap(Condition::new(
            !config.cors_origins.is_empty(),
            cors(&config.cors_origins),
        ))
        // Outside the rest, to count every answer with its final status.
        .wrap(from_fn(metrics::record))
        .wrap(TracingLogger::<middleware::RedactedRootSpan>::new())
}

/// Browsers on the configured origins may call the API; without any configured, only the
/// server's own pages (Swagger UI) can, as same-origin requests.
fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "POST", "PATCH", "PUT", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::HeaderName::from_static("idempotency-key"),
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::RETRY_AFTER,
            header::HeaderName::from_static("x-request-id"),
        ])
        .max_age(3600);
    for origin in origins {
        cors = if origin == "*" {
            cors.allow_any_origin()
        } else {
            cors.allowed_origin(origin)
        };
    }
    cors
}

/// Runs the server until it is stopped (Ctrl-C or SIGTERM finish in-flight requests first).
pub async fn serve(state: AppState) -> std::io::Result<()> {
    let shared = Shared::new(state.clone());
    let bind = state.config.bind.clone();
    let mut server = HttpServer::new(move || app(&shared))
        .shutdown_timeout(30)
        .bind(&bind)?;
    if let Some(workers) = state.config.workers {
        server = server.workers(workers);
    }
    spawn_sweeps(&state);
    webhooks::spawn(state.db.clone(), &state.config);
    let addrs = server.addrs();
    for addr in &addrs {
        println!("ccm listening on http://{addr}  (Swagger UI: http://{addr}/swagger-ui/)");
    }
    server.run().await
}

/// Expires offers, marks reviews due and offers freed places every `CCM_SWEEP_INTERVAL_SECS`.
fn spawn_sweeps(state: &AppState) {
    let interval = state.config.sweep_interval_secs;
    if interval == 0 {
        return;
    }
    let (db, days) = (state.db.clone(), state.config.offer_expiry_days);
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(std::time::Duration::from_secs(interval));
        loop {
            tick.tick().await;
            let db = db.clone();
            let swept =
                web::block(move || cases::sweep::sweep(&db, days, time::OffsetDateTime::now_utc()))
                    .await;
            if let Ok(Err(e)) = swept {
                tracing::warn!(error = %e, "case sweep failed; will try again");
            }
        }
    });
}

/// Opens the database named by the configuration and applies pending migrations.
pub fn open_database(config: &Config) -> Result<ccm_persistence::Db, String> {
    let db = ccm_persistence::Db::connect(&config.database).map_err(|e| e.to_string())?;
    let applied = db.migrate().map_err(|e| e.to_string())?;
    if !applied.is_empty() {
        tracing::info!(migrations = ?applied, "applied database migrations");
    }
    Ok(db)
}
