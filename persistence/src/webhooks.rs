//! Webhook subscriptions, the outbox of deliveries, and each delivery's attempts.
//!
//! [`emit`] is called by the repositories that change a case, session, report, payment or
//! letterbox item, inside the transaction that makes the change: the delivery rows commit or
//! roll back with it, so a partner is told of exactly the changes that happened, whichever
//! path (an API call, the background sweep) made them.

use diesel::prelude::*;
use time::format_description::well_known::Rfc3339;
use time::PrimitiveDateTime;

use ccm_domain::clients::{parse_scopes, Scope};
use ccm_domain::events::{self, EventKind};
use ccm_domain::records::report::recipient_for_referrer;

use crate::clients::Client;
use crate::db::AnyConnection;
use crate::schema::{
    referrals, webhook_attempts as attempts, webhook_deliveries as deliveries,
    webhook_subscriptions as subscriptions,
};
use crate::{new_id, StoreError};

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = subscriptions)]
pub struct Subscription {
    pub id: String,
    pub client_id: String,
    pub url: String,
    /// Space-separated filters (`*`, `referral.*`, `report.released`).
    pub events: String,
    pub secret: String,
    pub active: bool,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
    pub version: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = deliveries, treat_none_as_default_value = false)]
pub struct Delivery {
    pub id: String,
    pub subscription_id: String,
    pub event_id: String,
    pub event_type: String,
    pub payload: String,
    /// `pending` (due at `next_attempt_at`), `delivered`, or `failed` (attempts spent).
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: Option<PrimitiveDateTime>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<PrimitiveDateTime>,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = attempts)]
pub struct Attempt {
    pub id: String,
    pub delivery_id: String,
    pub attempt: i32,
    pub attempted_at: PrimitiveDateTime,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

/// Something reached a new state.
#[derive(Clone, Copy, Debug)]
pub struct Change<'a> {
    pub referral_id: &'a str,
    pub kind: EventKind,
    pub id: &'a str,
    pub state: &'a str,
    pub at: PrimitiveDateTime,
}

/// Queues the change for the client whose referral it is (clients see only the referrals they
/// created), if it may read its referrals (`referrals:read`), on every active subscription
/// that selects it. The payload names the thing, its state and the time: nothing a partner is
/// not already entitled to know of its own case. Reports are published by [`emit_release`].
pub fn emit(conn: &mut AnyConnection, change: Change) -> Result<(), StoreError> {
    queue(conn, change, |client| {
        parse_scopes(&client.scopes).contains(&Scope::ReferralsRead)
    })
}

/// After an update that may have set a new state (`before` is the state read first, when the
/// update set one): publishes the change only if the state is really new.
pub fn emit_if_changed(
    conn: &mut AnyConnection,
    before: Option<String>,
    change: Change,
) -> Result<(), StoreError> {
    match before {
        Some(b) if b != change.state => emit(conn, change),
        _ => Ok(()),
    }
}

/// A report released to `recipient`: told to the client whose referral it is only if it reads
/// reports (`reports:read`) and is the body the release went to, as `released-reports` shows
/// it. Drafts, QA and releases to others are none of a partner's business.
pub fn emit_release(
    conn: &mut AnyConnection,
    change: Change,
    recipient: &str,
) -> Result<(), StoreError> {
    queue(conn, change, |client| {
        let kind = client.organisation_kind.parse().ok();
        parse_scopes(&client.scopes).contains(&Scope::ReportsRead)
            && kind
                .and_then(recipient_for_referrer)
                .is_some_and(|r| r.as_str() == recipient)
    })
}

fn queue(
    conn: &mut AnyConnection,
    change: Change,
    entitled: impl Fn(&Client) -> bool,
) -> Result<(), StoreError> {
    let creator: Option<Option<String>> = referrals::table
        .find(change.referral_id)
        .select(referrals::created_by)
        .get_result(conn)
        .optional()?;
    let Some(Some(creator)) = creator else {
        return Ok(());
    };
    let Some(client) = crate::clients::for_user(conn, &creator)? else {
        return Ok(());
    };
    if client.revoked_at.is_some() || !entitled(&client) {
        return Ok(());
    }
    let subscribed = active_subscriptions(conn, &client.id)?;
    insert_deliveries(conn, &deliveries_for(&subscribed, change))
}

/// Queues changes to a case made by `client` (`None`: by no API client), as [`emit`] does, for
/// a caller that knows the client already: the subscriptions are read once and every delivery
/// is inserted in one statement.
pub fn publish(
    conn: &mut AnyConnection,
    client: Option<&Client>,
    changes: &[Change],
) -> Result<(), StoreError> {
    let Some(client) = client else {
        return Ok(());
    };
    let entitled = parse_scopes(&client.scopes).contains(&Scope::ReferralsRead);
    if client.revoked_at.is_some() || !entitled || changes.is_empty() {
        return Ok(());
    }
    let subscribed = active_subscriptions(conn, &client.id)?;
    let rows: Vec<Delivery> = changes
        .iter()
        .flat_map(|c| deliveries_for(&subscribed, *c))
        .collect();
    insert_deliveries(conn, &rows)
}

fn active_subscriptions(
    conn: &mut AnyConnection,
    client_id: &str,
) -> Result<Vec<Subscription>, StoreError> {
    Ok(subscriptions::table
        .filter(subscriptions::client_id.eq(client_id))
        .filter(subscriptions::active.eq(true))
        .select(Subscription::as_select())
        .load(conn)?)
}

/// Queues a session change for an audience read beforehand (by
/// [`crate::placement::audience`]), as [`emit`] would: only a client that may read its
/// referrals, on the subscriptions that select the event; one statement for all of them.
pub fn emit_to(
    conn: &mut AnyConnection,
    audience: Option<&(Client, Vec<Subscription>)>,
    changes: &[Change],
) -> Result<(), StoreError> {
    let Some((client, subscribed)) = audience else {
        return Ok(());
    };
    let reads = parse_scopes(&client.scopes).contains(&Scope::ReferralsRead);
    if client.revoked_at.is_some() || !reads || subscribed.is_empty() {
        return Ok(());
    }
    let rows: Vec<Delivery> = changes
        .iter()
        .flat_map(|c| deliveries_for(subscribed, *c))
        .collect();
    insert_deliveries(conn, &rows)
}

/// The outbox rows telling each subscription that selects it of the change.
fn deliveries_for(subscribed: &[Subscription], change: Change) -> Vec<Delivery> {
    let event_type = events::event_type(change.kind, change.state);
    let event_id = new_id();
    let payload = serde_json::json!({
        "id": event_id,
        "type": event_type,
        "occurred_at": change.at.assume_utc().format(&Rfc3339).unwrap_or_default(),
        "data": {
            "referral_id": change.referral_id,
            "kind": change.kind.as_str(),
            "id": change.id,
            "state": change.state,
        },
    })
    .to_string();
    subscribed
        .iter()
        .filter(|s| {
            let filters: Vec<String> = s.events.split_whitespace().map(str::to_string).collect();
            events::selected(&filters, &event_type)
        })
        .map(|s| Delivery {
            id: new_id(),
            subscription_id: s.id.clone(),
            event_id: event_id.clone(),
            event_type: event_type.clone(),
            payload: payload.clone(),
            status: "pending".into(),
            attempts: 0,
            next_attempt_at: Some(change.at),
            last_status_code: None,
            last_error: None,
            delivered_at: None,
            created_at: change.at,
            updated_at: change.at,
        })
        .collect()
}

fn insert_deliveries(conn: &mut AnyConnection, rows: &[Delivery]) -> Result<(), StoreError> {
    insert_rows!(conn, deliveries::table, rows)?;
    Ok(())
}

pub fn insert_subscription(conn: &mut AnyConnection, s: &Subscription) -> Result<(), StoreError> {
    diesel::insert_into(subscriptions::table)
        .values(s)
        .execute(conn)?;
    Ok(())
}

pub fn subscription(conn: &mut AnyConnection, id: &str) -> Result<Subscription, StoreError> {
    Ok(subscriptions::table
        .find(id)
        .select(Subscription::as_select())
        .get_result(conn)?)
}

/// Every subscription of the given clients, oldest first.
pub fn subscriptions_of(
    conn: &mut AnyConnection,
    client_ids: &[String],
) -> Result<Vec<Subscription>, StoreError> {
    Ok(subscriptions::table
        .filter(subscriptions::client_id.eq_any(client_ids))
        .order(subscriptions::id.asc())
        .select(Subscription::as_select())
        .load(conn)?)
}

/// Stops every subscription of a client (it was revoked).
pub fn deactivate_client(
    conn: &mut AnyConnection,
    client_id: &str,
    at: PrimitiveDateTime,
) -> Result<(), StoreError> {
    let ids: Vec<String> = subscriptions::table
        .filter(subscriptions::client_id.eq(client_id))
        .filter(subscriptions::active.eq(true))
        .select(subscriptions::id)
        .load(conn)?;
    for id in ids {
        deactivate(conn, &id, at)?;
    }
    Ok(())
}

/// How many subscriptions a client has active.
pub fn active_count(conn: &mut AnyConnection, client_id: &str) -> Result<i64, StoreError> {
    Ok(subscriptions::table
        .filter(subscriptions::client_id.eq(client_id))
        .filter(subscriptions::active.eq(true))
        .count()
        .get_result(conn)?)
}

/// Stops a subscription; deliveries still pending for it are given up.
pub fn deactivate(
    conn: &mut AnyConnection,
    id: &str,
    at: PrimitiveDateTime,
) -> Result<(), StoreError> {
    diesel::update(subscriptions::table.find(id))
        .set((
            subscriptions::active.eq(false),
            subscriptions::updated_at.eq(at),
            subscriptions::version.eq(subscriptions::version + 1),
        ))
        .execute(conn)?;
    diesel::update(
        deliveries::table
            .filter(deliveries::subscription_id.eq(id))
            .filter(deliveries::status.eq("pending")),
    )
    .set((
        deliveries::status.eq("failed"),
        deliveries::next_attempt_at.eq(None::<PrimitiveDateTime>),
        deliveries::last_error.eq("the subscription was deleted"),
        deliveries::updated_at.eq(at),
    ))
    .execute(conn)?;
    Ok(())
}

pub fn delivery(conn: &mut AnyConnection, id: &str) -> Result<Delivery, StoreError> {
    Ok(deliveries::table
        .find(id)
        .select(Delivery::as_select())
        .get_result(conn)?)
}

/// A subscription's deliveries, oldest first, after the cursor (a delivery id) if given; at
/// most `limit`, and whether there are more.
pub fn deliveries_of(
    conn: &mut AnyConnection,
    subscription_id: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<crate::Page<Delivery>, StoreError> {
    let mut query = deliveries::table
        .filter(deliveries::subscription_id.eq(subscription_id))
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(deliveries::id.gt(after.to_string()));
    }
    let mut items: Vec<Delivery> = query
        .order(deliveries::id.asc())
        .limit(limit + 1)
        .select(Delivery::as_select())
        .load(conn)?;
    let has_more = items.len() as i64 > limit;
    items.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(crate::Page { items, has_more })
}

pub fn attempts_of(
    conn: &mut AnyConnection,
    delivery_ids: &[String],
) -> Result<Vec<Attempt>, StoreError> {
    Ok(attempts::table
        .filter(attempts::delivery_id.eq_any(delivery_ids))
        .order((attempts::delivery_id, attempts::attempt))
        .select(Attempt::as_select())
        .load(conn)?)
}

/// Deliveries due by `now`, oldest first, at most `limit`.
pub fn due(
    conn: &mut AnyConnection,
    now: PrimitiveDateTime,
    limit: i64,
) -> Result<Vec<Delivery>, StoreError> {
    Ok(deliveries::table
        .filter(deliveries::status.eq("pending"))
        .filter(deliveries::next_attempt_at.le(now))
        .order(deliveries::next_attempt_at.asc())
        .limit(limit)
        .select(Delivery::as_select())
        .load(conn)?)
}

/// Takes a due delivery for one attempt by moving its due time to `lease_until`, only if no
/// other deliverer (another process) took it first. True when this caller has it.
pub fn claim(
    conn: &mut AnyConnection,
    delivery: &Delivery,
    lease_until: PrimitiveDateTime,
) -> Result<bool, StoreError> {
    let taken = diesel::update(
        deliveries::table
            .find(&delivery.id)
            .filter(deliveries::status.eq("pending"))
            .filter(deliveries::next_attempt_at.eq(delivery.next_attempt_at)),
    )
    .set(deliveries::next_attempt_at.eq(lease_until))
    .execute(conn)?;
    Ok(taken == 1)
}

/// What became of one attempt.
pub struct Outcome {
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i64,
    /// `None` when delivered; else when to try again, or `None` inside `Err` when given up.
    pub next: Result<Option<PrimitiveDateTime>, ()>,
}

/// Records an attempt and, if the delivery is still this attempt's (still pending under the
/// lease it was claimed with: not redelivered, its subscription not deleted, not taken over by
/// another process after the lease ran out), the delivery's new state.
pub fn record_attempt(
    conn: &mut AnyConnection,
    delivery: &Delivery,
    lease: PrimitiveDateTime,
    outcome: &Outcome,
    at: PrimitiveDateTime,
) -> Result<(), StoreError> {
    let attempt = delivery.attempts + 1;
    diesel::insert_into(attempts::table)
        .values(&Attempt {
            id: new_id(),
            delivery_id: delivery.id.clone(),
            attempt,
            attempted_at: at,
            status_code: outcome.status_code,
            error: outcome.error.clone(),
            duration_ms: outcome.duration_ms,
        })
        .execute(conn)?;
    let (status, next, delivered_at) = match outcome.next {
        Ok(None) => ("delivered", None, Some(at)),
        Ok(Some(next)) => ("pending", Some(next), None),
        Err(()) => ("failed", None, None),
    };
    diesel::update(
        deliveries::table
            .find(&delivery.id)
            .filter(deliveries::status.eq("pending"))
            .filter(deliveries::next_attempt_at.eq(lease)),
    )
    .set((
        deliveries::status.eq(status),
        deliveries::attempts.eq(attempt),
        deliveries::next_attempt_at.eq(next),
        deliveries::last_status_code.eq(outcome.status_code),
        deliveries::last_error.eq(&outcome.error),
        deliveries::delivered_at.eq(delivered_at),
        deliveries::updated_at.eq(at),
    ))
    .execute(conn)?;
    Ok(())
}

/// Queues a delivery again at once, whatever became of it (a partner fixed its receiver).
/// Its attempts so far stay in the log.
pub fn redeliver(
    conn: &mut AnyConnection,
    id: &str,
    at: PrimitiveDateTime,
) -> Result<Delivery, StoreError> {
    diesel::update(deliveries::table.find(id))
        .set((
            deliveries::status.eq("pending"),
            deliveries::next_attempt_at.eq(Some(at)),
            deliveries::updated_at.eq(at),
        ))
        .execute(conn)?;
    delivery(conn, id)
}

/// Deliveries waiting to be sent (the outbox backlog).
pub fn backlog(conn: &mut AnyConnection) -> Result<i64, StoreError> {
    Ok(deliveries::table
        .filter(deliveries::status.eq("pending"))
        .count()
        .get_result(conn)?)
}
