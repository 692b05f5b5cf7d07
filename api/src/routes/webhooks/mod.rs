//! Webhook subscriptions of API clients. A client manages its own (scope `webhooks:manage`);
//! the provider's org admins see and manage their clients' ones too.

mod deliveries;

use actix_web::{delete, get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::error::ProblemType;
use crate::error::{self, ApiError, FieldError, OrNotFound};
use crate::extract::{Principal, ValidJson};
use crate::http::{created, ok_tagged, utc, Instant};
use crate::security::new_secret;
use crate::state::AppState;
use ccm_domain::{events, webhooks, Role};
use ccm_persistence::webhooks::{self as store, Subscription};
use ccm_persistence::{clients, new_id, now, AnyConnection};

/// Enough for a partner's receivers; a bound on how many copies of each event one client can
/// have the server send.
const MAX_SUBSCRIPTIONS: i64 = 10;

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
    let rows = state
        .read(move |conn| {
            let client_ids = match (&principal.client_id, principal.role, &principal.provider_id) {
                (Some(own), _, _) => vec![own.clone()],
                (None, Role::OrgAdmin, Some(provider)) => clients::for_provider(conn, provider)?
                    .into_iter()
                    .map(|c| c.id)
                    .collect(),
                _ => return Err(not_for_role()),
            };
            Ok(store::subscriptions_of(conn, &client_ids)?)
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
    let Some(client_id) = principal.client_id.clone() else {
        return Err(ApiError::forbidden(
            "webhooks are subscribed to by API clients, with their own token",
        ));
    };
    let url = webhooks::check_endpoint(new.url.trim(), state.config.webhook_loopback)
        .map_err(|e| ApiError::invalid("url", "refused", e.to_string()))?;
    let mut errors = Vec::new();
    for (i, filter) in new.events.iter().enumerate() {
        if let Err(e) = events::check_filter(filter) {
            errors.push(FieldError::new(
                format!("events[{i}]"),
                "invalid",
                e.to_string(),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let (secret, _) = new_secret("whsec_")?;
    let at = now();
    let mut filters = new.events.clone();
    filters.sort();
    filters.dedup();
    let subscription = Subscription {
        id: new_id(),
        client_id,
        url: url.to_string(),
        events: filters.join(" "),
        secret: secret.clone(),
        active: true,
        created_at: at,
        updated_at: at,
        version: 1,
    };
    crate::audit::subject("webhook_subscription", &subscription.id);
    let subscription = state
        .write(move |conn| {
            if store::active_count(conn, &subscription.client_id)? >= MAX_SUBSCRIPTIONS {
                return Err(ApiError::conflict(
                    ProblemType::TooManySubscriptions,
                    format!(
                        "a client has at most {MAX_SUBSCRIPTIONS} subscriptions; delete one first"
                    ),
                ));
            }
            store::insert_subscription(conn, &subscription)?;
            Ok(subscription)
        })
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
    params(("id" = String, Path, description = "Subscription id")),
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
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let subscription = state
        .read(move |conn| visible(conn, &principal, &id))
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
    params(("id" = String, Path, description = "Subscription id")),
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
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state
        .write(move |conn| {
            let subscription = visible(conn, &principal, &id)?;
            if subscription.active {
                store::deactivate(conn, &subscription.id, now())?;
            }
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A subscription the caller may see: its client's own, or an org admin's client's.
fn visible(
    conn: &mut AnyConnection,
    principal: &Principal,
    id: &str,
) -> Result<Subscription, ApiError> {
    may_manage(principal)?;
    let subscription = store::subscription(conn, id).or_not_found("webhook subscription")?;
    let allowed = match (&principal.client_id, principal.role) {
        (Some(own), _) => *own == subscription.client_id,
        (None, Role::OrgAdmin) => {
            let client = clients::find(conn, &subscription.client_id)?;
            principal.provider_id.as_deref() == Some(client.provider_id.as_str())
        }
        _ => return Err(not_for_role()),
    };
    if !allowed {
        return Err(ApiError::not_found("webhook subscription"));
    }
    crate::audit::subject("webhook_subscription", &subscription.id);
    Ok(subscription)
}

/// Whether the caller manages webhooks at all: asked before any lookup, so that a caller who
/// does not learns nothing from a real id that an unknown one would not tell them.
pub(super) fn may_manage(principal: &Principal) -> Result<(), ApiError> {
    if principal.client_id.is_none() && principal.role != Role::OrgAdmin {
        return Err(not_for_role());
    }
    Ok(())
}

fn not_for_role() -> ApiError {
    ApiError::forbidden("webhooks are managed by API clients and their provider's org admins")
}
