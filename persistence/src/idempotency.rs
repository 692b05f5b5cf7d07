//! Remembered first responses to POSTs that carried an `Idempotency-Key`.

use diesel::prelude::*;
use time::{Duration, PrimitiveDateTime};

use crate::db::AnyConnection;
use crate::schema::idempotency_keys;
use crate::StoreError;

/// How long a key is remembered; a retry after this is a new request.
pub const KEEP_FOR: Duration = Duration::hours(24);
/// A claim with no response after this long was abandoned (the server stopped mid-request).
pub const ABANDONED_AFTER: Duration = Duration::minutes(2);

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys)]
pub struct Record {
    pub scope: String,
    pub key: String,
    pub request_hash: String,
    pub status: Option<i32>,
    pub response_body: Option<String>,
    pub response_headers: Option<String>,
    pub created_at: PrimitiveDateTime,
    /// Who the first request was authorised as; a replay must be made with the same.
    pub authority: Option<String>,
}

/// What to do with a request carrying a key.
#[derive(Debug, PartialEq, Eq)]
pub enum Claim {
    /// First time: run the request, then `complete` (or `release` if it failed).
    New,
    /// Already answered: replay this response.
    Replay(Record),
    /// The same key is being processed right now.
    InProgress,
    /// The key was used with a different request body.
    Mismatch,
}

/// Claims `key` for this request; call inside a write transaction.
pub fn claim(
    conn: &mut AnyConnection,
    scope: &str,
    key: &str,
    request_hash: &str,
    authority: &str,
    now: PrimitiveDateTime,
) -> Result<Claim, StoreError> {
    let existing = idempotency_keys::table
        .find((scope, key))
        .select(Record::as_select())
        .get_result(conn)
        .optional()?;
    if let Some(record) = existing {
        let age = now - record.created_at;
        let abandoned = record.status.is_none() && age > ABANDONED_AFTER;
        if age <= KEEP_FOR && !abandoned {
            return Ok(if record.request_hash != request_hash {
                Claim::Mismatch
            } else if record.status.is_none() {
                Claim::InProgress
            } else {
                Claim::Replay(record)
            });
        }
        release(conn, scope, key)?;
    }
    diesel::insert_into(idempotency_keys::table)
        .values(Record {
            scope: scope.to_string(),
            key: key.to_string(),
            request_hash: request_hash.to_string(),
            status: None,
            response_body: None,
            response_headers: None,
            created_at: now,
            authority: Some(authority.to_string()),
        })
        .execute(conn)?;
    Ok(Claim::New)
}

pub fn complete(
    conn: &mut AnyConnection,
    scope: &str,
    key: &str,
    status: i32,
    body: &str,
    headers: &str,
) -> Result<(), StoreError> {
    diesel::update(idempotency_keys::table.find((scope, key)))
        .set((
            idempotency_keys::status.eq(status),
            idempotency_keys::response_body.eq(body),
            idempotency_keys::response_headers.eq(headers),
        ))
        .execute(conn)?;
    Ok(())
}

/// Forgets a claim, so that a retry runs the request again.
pub fn release(conn: &mut AnyConnection, scope: &str, key: &str) -> Result<(), StoreError> {
    diesel::delete(idempotency_keys::table.find((scope, key))).execute(conn)?;
    Ok(())
}
