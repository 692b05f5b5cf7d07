//! Liveness and readiness, for load balancers and orchestrators.

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{self, ApiError};
use crate::state::AppState;
use ccm_persistence::Backend;

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
    let current = web::block(move || db.schema_is_current())
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    match current {
        Ok(true) => {}
        Ok(false) => {
            return Err(ApiError::Unavailable(
                "database migrations are pending: run `ccm migrate`".into(),
            ))
        }
        Err(e) => return Err(ApiError::Unavailable(e.to_string())),
    }
    let database = match state.db.backend() {
        Backend::Postgres => "postgres",
        Backend::Sqlite => "sqlite",
    };
    Ok(HttpResponse::Ok().json(Readiness {
        status: "ready",
        database,
    }))
}
