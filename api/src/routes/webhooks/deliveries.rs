//! A subscription's delivery log, and sending a delivery again.

use actix_web::{get, post, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidQuery};
use crate::http::{next_cursor, utc, Instant, PageParams};
use crate::ids::{DeliveryId, SubscriptionId};
use crate::state::AppState;
use ccm_app::webhooks::{self, Attempt, Delivery};

#[derive(Serialize, ToSchema)]
pub struct AttemptView {
    /// 1 for the first try.
    pub attempt: i32,
    pub attempted_at: Instant,
    /// The receiver's HTTP status; null when it could not be reached.
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

#[derive(Serialize, ToSchema)]
pub struct DeliveryView {
    pub id: String,
    pub subscription_id: String,
    pub event_id: String,
    #[schema(example = "referral.screening")]
    pub event_type: String,
    /// `pending` (due at `next_attempt_at`), `delivered`, or `failed` (attempts spent; can
    /// be sent again).
    #[schema(example = "delivered")]
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: Option<Instant>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<Instant>,
    pub created_at: Instant,
    /// The body as sent.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    pub attempt_log: Vec<AttemptView>,
}

impl DeliveryView {
    fn from_rows(d: &Delivery, attempts: &[Attempt]) -> DeliveryView {
        DeliveryView {
            id: d.id.clone(),
            subscription_id: d.subscription_id.clone(),
            event_id: d.event_id.clone(),
            event_type: d.event_type.clone(),
            status: d.status.clone(),
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at.map(utc),
            last_status_code: d.last_status_code,
            last_error: d.last_error.clone(),
            delivered_at: d.delivered_at.map(utc),
            created_at: utc(d.created_at),
            payload: serde_json::from_str(&d.payload).unwrap_or(serde_json::Value::Null),
            attempt_log: attempts
                .iter()
                .filter(|a| a.delivery_id == d.id)
                .map(|a| AttemptView {
                    attempt: a.attempt,
                    attempted_at: utc(a.attempted_at),
                    status_code: a.status_code,
                    error: a.error.clone(),
                    duration_ms: a.duration_ms,
                })
                .collect(),
        }
    }
}

crate::http::list_response!(DeliveryList, DeliveryView);

/// The subscription's deliveries, oldest first, each with its attempts.
#[utoipa::path(
    tag = "webhooks",
    params(SubscriptionId, PageParams),
    responses(
        (status = 200, description = "A page of deliveries.", body = DeliveryList),
        (status = 400, response = error::BadRequest),
        (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden),
        (status = 404, response = error::NotFound),
    )
)]
#[get("/webhook-subscriptions/{id}/deliveries")]
pub async fn list_deliveries(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<SubscriptionId>,
    page: ValidQuery<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = (page.0.limit(), page.0.after()?);
    let actor = principal.caller();
    let (page, attempts) = state
        .read(move |conn| {
            let client = principal.client_id.as_deref();
            let found = webhooks::deliveries(conn, &actor, client, &id, after.as_deref(), limit)?;
            Ok(found)
        })
        .await?;
    Ok(HttpResponse::Ok().json(DeliveryList {
        next_cursor: next_cursor(&page, |d| &d.id),
        items: page
            .items
            .iter()
            .map(|d| DeliveryView::from_rows(d, &attempts))
            .collect(),
    }))
}

/// Send a delivery again now, whatever became of it (say the receiver was fixed). Its
/// earlier attempts stay in the log.
#[utoipa::path(
    tag = "webhooks",
    params(DeliveryId),
    responses(
        (status = 202, description = "Queued.", body = DeliveryView),
        (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden),
        (status = 404, response = error::NotFound),
        (status = 409, response = error::Conflict),
    )
)]
#[post("/webhook-deliveries/{id}/redeliver")]
pub async fn redeliver(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<DeliveryId>,
) -> Result<HttpResponse, ApiError> {
    let actor = principal.caller();
    let (delivery, attempts) = state
        .write(move |conn| {
            let client = principal.client_id.as_deref();
            let redelivered = webhooks::redeliver(conn, &actor, client, &id)?;
            crate::audit::subject("webhook_delivery", &redelivered.0.id);
            Ok(redelivered)
        })
        .await?;
    Ok(HttpResponse::Accepted().json(DeliveryView::from_rows(&delivery, &attempts)))
}
