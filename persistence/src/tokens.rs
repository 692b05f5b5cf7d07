//! Refresh tokens (stored as hashes, rotated on use) and the per-address login throttle.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::AnyConnection;
use crate::schema::{login_throttle, refresh_tokens};
use crate::StoreError;

/// One refresh token. Each use replaces it with a new one in the same family; presenting a
/// used token again means it was stolen, and the whole family is revoked.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshToken {
    pub id: String,
    pub user_id: String,
    pub family_id: String,
    /// SHA-256 of the token; the token itself is never stored.
    pub token_hash: String,
    pub expires_at: PrimitiveDateTime,
    pub used_at: Option<PrimitiveDateTime>,
    pub revoked_at: Option<PrimitiveDateTime>,
    pub created_at: PrimitiveDateTime,
}

pub fn insert_refresh(conn: &mut AnyConnection, token: &RefreshToken) -> Result<(), StoreError> {
    diesel::insert_into(refresh_tokens::table)
        .values(token)
        .execute(conn)?;
    Ok(())
}

pub fn find_refresh(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<Option<RefreshToken>, StoreError> {
    Ok(refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .select(RefreshToken::as_select())
        .get_result(conn)
        .optional()?)
}

pub fn mark_used(
    conn: &mut AnyConnection,
    id: &str,
    now: PrimitiveDateTime,
) -> Result<(), StoreError> {
    diesel::update(refresh_tokens::table.find(id))
        .set(refresh_tokens::used_at.eq(now))
        .execute(conn)?;
    Ok(())
}

pub fn revoke_family(
    conn: &mut AnyConnection,
    family_id: &str,
    now: PrimitiveDateTime,
) -> Result<usize, StoreError> {
    Ok(diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now))
    .execute(conn)?)
}

pub fn revoke_user(
    conn: &mut AnyConnection,
    user_id: &str,
    now: PrimitiveDateTime,
) -> Result<usize, StoreError> {
    Ok(diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now))
    .execute(conn)?)
}

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = login_throttle, treat_none_as_null = true)]
pub struct Throttle {
    pub email: String,
    pub failures: i32,
    pub locked_until: Option<PrimitiveDateTime>,
    pub updated_at: PrimitiveDateTime,
}

pub fn find_throttle(
    conn: &mut AnyConnection,
    email: &str,
) -> Result<Option<Throttle>, StoreError> {
    Ok(login_throttle::table
        .find(email)
        .select(Throttle::as_select())
        .get_result(conn)
        .optional()?)
}

/// Inserts or replaces the throttle row (called inside the login's write transaction).
pub fn save_throttle(conn: &mut AnyConnection, throttle: &Throttle) -> Result<(), StoreError> {
    let updated = diesel::update(login_throttle::table.find(&throttle.email))
        .set(throttle)
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(login_throttle::table)
            .values(throttle)
            .execute(conn)?;
    }
    Ok(())
}

pub fn clear_throttle(conn: &mut AnyConnection, email: &str) -> Result<(), StoreError> {
    diesel::delete(login_throttle::table.find(email)).execute(conn)?;
    Ok(())
}
