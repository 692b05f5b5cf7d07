//! The audit trail: appended to, read back by org admins, never changed (the tables' triggers
//! refuse UPDATE and DELETE on both backends).

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::AnyConnection;
use crate::schema::audit_events;
use crate::{Page, StoreError};

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_events)]
// NULL, not DEFAULT, for a missing value (the same for these columns): SQLite has no DEFAULT in
// a VALUES list, and without it diesel sends several events as one INSERT each.
#[diesel(treat_none_as_default_value = false)]
pub struct AuditEvent {
    pub id: String,
    pub at: PrimitiveDateTime,
    pub request_id: Option<String>,
    pub actor_id: Option<String>,
    pub actor_role: Option<String>,
    pub provider_id: Option<String>,
    /// `write` or `read`.
    pub kind: String,
    /// The operation, as `METHOD /v1/path/{pattern}`.
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub referral_id: Option<String>,
    /// A JSON array of field names (never their values).
    pub fields: String,
    pub reason: Option<String>,
}

pub fn insert(conn: &mut AnyConnection, event: &AuditEvent) -> Result<(), StoreError> {
    diesel::insert_into(audit_events::table)
        .values(event)
        .execute(conn)?;
    Ok(())
}

/// Appends events in one statement, so they are kept all together or not at all without a
/// transaction around them.
pub fn insert_all(conn: &mut AnyConnection, events: &[AuditEvent]) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    // Each engine's own connection: diesel builds a multi-row INSERT per backend, not for the
    // connection that can be either.
    let insert = diesel::insert_into(audit_events::table).values(events);
    match conn {
        AnyConnection::Postgresql(pg) => insert.execute(pg)?,
        AnyConnection::Sqlite(lite) => insert.execute(lite)?,
    };
    Ok(())
}

#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    /// Only this provider's events (`None`: every provider's, for a platform admin).
    pub provider_id: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub referral_id: Option<String>,
    pub actor_id: Option<String>,
    pub kind: Option<String>,
    pub from: Option<PrimitiveDateTime>,
    pub to: Option<PrimitiveDateTime>,
}

/// Events in the order they happened (ids are time-ordered), a page at a time.
pub fn list(
    conn: &mut AnyConnection,
    filter: &AuditFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<AuditEvent>, StoreError> {
    let mut query = audit_events::table
        .select(AuditEvent::as_select())
        .order(audit_events::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(v) = &filter.provider_id {
        query = query.filter(audit_events::provider_id.eq(v.clone()));
    }
    if let Some(v) = &filter.entity_type {
        query = query.filter(audit_events::entity_type.eq(v.clone()));
    }
    if let Some(v) = &filter.entity_id {
        query = query.filter(audit_events::entity_id.eq(v.clone()));
    }
    if let Some(v) = &filter.referral_id {
        query = query.filter(audit_events::referral_id.eq(v.clone()));
    }
    if let Some(v) = &filter.actor_id {
        query = query.filter(audit_events::actor_id.eq(v.clone()));
    }
    if let Some(v) = &filter.kind {
        query = query.filter(audit_events::kind.eq(v.clone()));
    }
    if let Some(v) = filter.from {
        query = query.filter(audit_events::at.ge(v));
    }
    if let Some(v) = filter.to {
        query = query.filter(audit_events::at.lt(v));
    }
    if let Some(after) = after {
        query = query.filter(audit_events::id.gt(after.to_string()));
    }
    Ok(Page::from_overfetch(query.load(conn)?, limit))
}
