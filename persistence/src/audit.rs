//! The audit trail: appended to, read back by org admins, never changed (the tables' triggers
//! refuse UPDATE and DELETE on both backends).

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::AnyConnection;
use crate::schema::audit_events;
use crate::{Page, StoreError};

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_events)]
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
