//! Webhook subscriptions of API clients, and their delivery logs. A client manages its own
//! (with its own token); the provider's org admins see and manage their clients' ones too.

use ccm_domain::access::WebhookScope;
use ccm_domain::webhooks::Loopback;
use ccm_domain::{events, webhooks};
use ccm_persistence::webhooks as store;
use ccm_persistence::{clients, new_id, now, AnyConnection, Page};

pub use ccm_persistence::webhooks::{Attempt, Delivery, Subscription};

use crate::access::rules;
use crate::{Actor, AppError, FieldError, OrNotFound, ProblemType};

/// Enough for a partner's receivers; a bound on how many copies of each event one client can
/// have the server send.
pub const MAX_SUBSCRIPTIONS: i64 = 10;

/// A subscription to make.
#[derive(Clone, Debug)]
pub struct NewSubscription {
    pub url: String,
    pub events: Vec<String>,
    /// Whether a loopback address may receive deliveries (tests and local setups).
    pub loopback: Loopback,
}

fn not_for_role() -> AppError {
    AppError::forbidden("webhooks are managed by API clients and their provider's org admins")
}

/// The subscriptions the caller manages: a client's own, or every one of its provider's clients.
pub fn list(
    conn: &mut AnyConnection,
    actor: &Actor,
    client_id: Option<&str>,
) -> Result<Vec<Subscription>, AppError> {
    let client_ids = match rules(actor).webhooks(client_id) {
        WebhookScope::Client(own) => vec![own.to_string()],
        WebhookScope::Provider(provider) => clients::for_provider(conn, provider)?
            .into_iter()
            .map(|c| c.id)
            .collect(),
        WebhookScope::None => return Err(not_for_role()),
    };
    Ok(store::subscriptions_of(conn, &client_ids)?)
}

/// The subscription to store, checked before anything is read: only an API client subscribes,
/// to a URL it may be sent to, for events that exist.
pub fn prepare(
    client_id: Option<&str>,
    new: NewSubscription,
    secret: String,
) -> Result<Subscription, AppError> {
    let Some(client_id) = client_id else {
        return Err(AppError::forbidden(
            "webhooks are subscribed to by API clients, with their own token",
        ));
    };
    let url = webhooks::check_endpoint(new.url.trim(), new.loopback)
        .map_err(|e| AppError::invalid("url", "refused", e.to_string()))?;
    let errors: Vec<FieldError> = new
        .events
        .iter()
        .enumerate()
        .filter_map(|(i, filter)| {
            let e = events::check_filter(filter).err()?;
            Some(FieldError::new(
                format!("events[{i}]"),
                "invalid",
                e.to_string(),
            ))
        })
        .collect();
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let at = now();
    let mut filters = new.events;
    filters.sort();
    filters.dedup();
    Ok(Subscription {
        id: new_id(),
        client_id: client_id.to_string(),
        url: url.to_string(),
        events: filters.join(" "),
        secret,
        active: true,
        created_at: at,
        updated_at: at,
        version: 1,
    })
}

/// Stores a subscription [`prepare`]d, if its client has room for another.
pub fn create(conn: &mut AnyConnection, s: Subscription) -> Result<Subscription, AppError> {
    if store::active_count(conn, &s.client_id)? >= MAX_SUBSCRIPTIONS {
        return Err(AppError::conflict(
            ProblemType::TooManySubscriptions,
            format!("a client has at most {MAX_SUBSCRIPTIONS} subscriptions; delete one first"),
        ));
    }
    store::insert_subscription(conn, &s)?;
    Ok(s)
}

/// A subscription the caller may see: its client's own, or an org admin's client's; any other
/// is not found.
pub fn get(
    conn: &mut AnyConnection,
    actor: &Actor,
    client_id: Option<&str>,
    id: &str,
) -> Result<Subscription, AppError> {
    let scope = rules(actor).webhooks(client_id);
    // Asked before any lookup, so that a caller who manages no webhooks learns nothing from a
    // real id that an unknown one would not tell them.
    if scope == WebhookScope::None {
        return Err(not_for_role());
    }
    let subscription = store::subscription(conn, id).or_not_found("webhook subscription")?;
    let allowed = match scope {
        WebhookScope::Client(own) => own == subscription.client_id,
        WebhookScope::Provider(provider) => {
            clients::find(conn, &subscription.client_id)?.provider_id == provider
        }
        WebhookScope::None => false,
    };
    if !allowed {
        return Err(AppError::not_found("webhook subscription"));
    }
    Ok(subscription)
}

/// Stops a subscription; stopping it again changes nothing.
pub fn delete(
    conn: &mut AnyConnection,
    actor: &Actor,
    client_id: Option<&str>,
    id: &str,
) -> Result<Subscription, AppError> {
    let subscription = get(conn, actor, client_id, id)?;
    if subscription.active {
        store::deactivate(conn, &subscription.id, now())?;
    }
    Ok(subscription)
}

/// A page of a subscription's deliveries, newest first, with their attempts.
pub fn deliveries(
    conn: &mut AnyConnection,
    actor: &Actor,
    client_id: Option<&str>,
    id: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<(Page<Delivery>, Vec<Attempt>), AppError> {
    let subscription = get(conn, actor, client_id, id)?;
    let page = store::deliveries_of(conn, &subscription.id, after, limit)?;
    let ids: Vec<String> = page.items.iter().map(|d| d.id.clone()).collect();
    let attempts = store::attempts_of(conn, &ids)?;
    Ok((page, attempts))
}

/// Sends a delivery again, to a live subscription the caller manages.
pub fn redeliver(
    conn: &mut AnyConnection,
    actor: &Actor,
    client_id: Option<&str>,
    id: &str,
) -> Result<(Delivery, Vec<Attempt>), AppError> {
    if rules(actor).webhooks(client_id) == WebhookScope::None {
        return Err(not_for_role());
    }
    let delivery = store::delivery(conn, id).or_not_found("webhook delivery")?;
    let subscription =
        get(conn, actor, client_id, &delivery.subscription_id).map_err(|e| match e {
            AppError::NotFound(_) => AppError::not_found("webhook delivery"),
            other => other,
        })?;
    if !subscription.active {
        return Err(AppError::conflict(
            ProblemType::SubscriptionDeleted,
            "the subscription was deleted; nothing is sent to it",
        ));
    }
    let delivery = store::redeliver(conn, &delivery.id, now())?;
    let attempts = store::attempts_of(conn, std::slice::from_ref(&delivery.id))?;
    Ok((delivery, attempts))
}
