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

/// Marks a refresh token used if it is still unused and unrevoked. `false` means another
/// request used or revoked it first: a second presentation of the same token.
pub fn claim_refresh(
    conn: &mut AnyConnection,
    id: &str,
    now: PrimitiveDateTime,
) -> Result<bool, StoreError> {
    let claimed = diesel::update(
        refresh_tokens::table
            .find(id)
            .filter(refresh_tokens::used_at.is_null())
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::used_at.eq(now))
    .execute(conn)?;
    Ok(claimed == 1)
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

/// The throttle row for `email`, created if missing and write-locked for the rest of the
/// transaction, so that concurrent attempts for one address are counted one after another.
pub fn lock_throttle(
    conn: &mut AnyConnection,
    email: &str,
    now: PrimitiveDateTime,
) -> Result<Throttle, StoreError> {
    use diesel::sql_types::{Text, Timestamp};
    // An upsert is backend-specific SQL: the placeholders differ.
    let created = match conn {
        AnyConnection::Postgresql(c) => diesel::sql_query(
            "INSERT INTO login_throttle (email, failures, locked_until, updated_at) \
             VALUES ($1, 0, NULL, $2) ON CONFLICT (email) DO NOTHING",
        )
        .bind::<Text, _>(email)
        .bind::<Timestamp, _>(now)
        .execute(c),
        AnyConnection::Sqlite(c) => diesel::sql_query(
            "INSERT INTO login_throttle (email, failures, locked_until, updated_at) \
             VALUES (?, 0, NULL, ?) ON CONFLICT (email) DO NOTHING",
        )
        .bind::<Text, _>(email)
        .bind::<Timestamp, _>(now)
        .execute(c),
    };
    created?;
    diesel::update(login_throttle::table.find(email))
        .set(login_throttle::failures.eq(login_throttle::failures))
        .execute(conn)?;
    Ok(login_throttle::table
        .find(email)
        .select(Throttle::as_select())
        .get_result(conn)?)
}

pub fn save_throttle(conn: &mut AnyConnection, throttle: &Throttle) -> Result<(), StoreError> {
    diesel::update(login_throttle::table.find(&throttle.email))
        .set(throttle)
        .execute(conn)?;
    Ok(())
}

pub fn clear_throttle(conn: &mut AnyConnection, email: &str) -> Result<(), StoreError> {
    diesel::delete(login_throttle::table.find(email)).execute(conn)?;
    Ok(())
}
