//! Webhook subscriptions of API clients. A client manages its own (scope `webhooks:manage`);
//! the provider's org admins see and manage their clients' ones too.

mod deliveries;

use actix_web::{delete, get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::http::{created, ok_tagged, utc, Instant};
use crate::ids::SubscriptionId;
use crate::security::new_secret;
use crate::state::AppState;
use ccm_app::webhooks::{self, Subscription};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_subscriptions)
        .service(create_subscription)
        .service(get_subscription)
        .service(delete_subscription)
        .service(deliveries::list_deliveries)
        .service(deliveries::redeliver);
}

#[derive(Serialize, ToSchema)]
pub struct SubscriptionView {
    pub id: String,
    pub client_id: String,
    #[schema(example = "https://cms.cafcass.example/ccm/webhooks")]
    pub url: String,
    /// `*`, `<kind>.*` or `<kind>.<state>`.
    #[schema(example = json!(["referral.*", "session.*", "report.released"]))]
    pub events: Vec<String>,
    /// False once deleted; nothing more is sent to it.
    pub active: bool,
    pub created_at: Instant,
    pub version: i64,
}

impl SubscriptionView {
    fn from_row(s: &Subscription) -> SubscriptionView {
        SubscriptionView {
            id: s.id.clone(),
            client_id: s.client_id.clone(),
            url: s.url.clone(),
            events: s.events.split_whitespace().map(str::to_string).collect(),
            active: s.active,
            created_at: utc(s.created_at),
            version: s.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SubscriptionWithSecret {
    pub subscription: SubscriptionView,
    /// The key of the `Ccm-Signature` HMAC; shown this once.
    #[schema(example = "whsec_...")]
    pub signing_secret: String,
}

crate::http::list_response!(SubscriptionList, SubscriptionView);

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://cms.cafcass.example/ccm/webhooks", "events": ["referral.*", "report.released"]}))]
pub struct NewSubscription {
    /// http(s), no credentials, not a link-local, metadata, private or local address.
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub url: String,
    #[validate(length(min = 1, max = 50))]
    #[schema(min_items = 1, max_items = 50)]
    pub events: Vec<String>,
}

/// The caller's subscriptions (a client's own; an org admin's clients').
#[utoipa::path(
    tag = "webhooks",
    responses(
        (status = 200, description = "Subscriptions, oldest first.", body = SubscriptionList),
        (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden),
    )
)]
#[get("/webhook-subscriptions")]
pub async fn list_subscriptions(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let actor = principal.caller();
    let rows = state
        .read(move |conn| {
            Ok(webhooks::list(
                conn,
                &actor,
                principal.client_id.as_deref(),
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(SubscriptionList {
        items: rows.iter().map(SubscriptionView::from_row).collect(),
        next_cursor: None,
    }))
}

/// Subscribe a URL to events (API clients). The signing secret is in the answer, once.
#[utoipa::path(
    tag = "webhooks",
    request_body = NewSubscription,
    responses(
        (status = 201, description = "Subscribed.", body = SubscriptionWithSecret,
            headers(("Location" = String, description = "The subscription's URL"), ("ETag" = String, description = "Version tag"))),
        error::CreateErrors,
    )
)]
#[post("/webhook-subscriptions")]
pub async fn create_subscription(
    state: web::Data<AppState>,
    principal: Principal,
    body: ValidJson<NewSubscription>,
) -> Result<HttpResponse, ApiError> {
    let new = body.0;
    let cmd = webhooks::NewSubscription {
        url: new.url,
        events: new.events,
        loopback: state.config.webhook_loopback,
    };
    let (secret, _) = new_secret("whsec_")?;
    let subscription = webhooks::prepare(principal.client_id.as_deref(), cmd, secret.clone())?;
    crate::audit::subject("webhook_subscription", &subscription.id);
    let subscription = state
        .write(move |conn| Ok(webhooks::create(conn, subscription)?))
        .await?;
    Ok(created(
        &format!("/v1/webhook-subscriptions/{}", subscription.id),
        &SubscriptionWithSecret {
            subscription: SubscriptionView::from_row(&subscription),
            signing_secret: secret,
        },
        subscription.version,
    ))
}

/// Read a subscription.
#[utoipa::path(
    tag = "webhooks",
    params(SubscriptionId),
    responses(
        (status = 200, description = "The subscription.", body = SubscriptionView, headers(("ETag" = String, description = "Version tag"))),
        (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden),
        (status = 404, response = error::NotFound),
    )
)]
#[get("/webhook-subscriptions/{id}")]
pub async fn get_subscription(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<SubscriptionId>,
) -> Result<HttpResponse, ApiError> {
    let actor = principal.caller();
    let subscription = state
        .read(move |conn| {
            let client = principal.client_id.as_deref();
            Ok(webhooks::get(conn, &actor, client, &id)?)
        })
        .await?;
    Ok(ok_tagged(
        &SubscriptionView::from_row(&subscription),
        subscription.version,
    ))
}

/// Delete a subscription: nothing more is sent to it, and its pending deliveries are given
/// up. Its delivery log stays readable.
#[utoipa::path(
    tag = "webhooks",
    params(SubscriptionId),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden),
        (status = 404, response = error::NotFound),
    )
)]
#[delete("/webhook-subscriptions/{id}")]
pub async fn delete_subscription(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<SubscriptionId>,
) -> Result<HttpResponse, ApiError> {
    let actor = principal.caller();
    state
        .write(move |conn| {
            let client = principal.client_id.as_deref();
            let subscription = webhooks::delete(conn, &actor, client, &id)?;
            crate::audit::subject("webhook_subscription", &subscription.id);
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
