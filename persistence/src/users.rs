//! User accounts: staff, referrers, parents and platform admins.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::AnyConnection;
use crate::error::parse_stored;
use crate::schema::{providers, users};
use crate::{Page, StoreError};
use ccm_domain::Role;

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: String,
    /// Stored lower-cased; addresses are matched without regard to case.
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub provider_id: Option<String>,
    pub active: bool,
    pub version: i64,
    pub last_login_at: Option<PrimitiveDateTime>,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

impl User {
    pub fn role(&self) -> Result<Role, StoreError> {
        parse_stored("users.role", &self.role)
    }
}

#[derive(Clone, Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub active: Option<bool>,
    pub password_hash: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct UserFilter {
    pub provider_id: Option<String>,
    pub role: Option<Role>,
}

pub fn insert(conn: &mut AnyConnection, user: &User) -> Result<(), StoreError> {
    diesel::insert_into(users::table)
        .values(user)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut AnyConnection, id: &str) -> Result<User, StoreError> {
    Ok(users::table
        .find(id)
        .select(User::as_select())
        .get_result(conn)?)
}

find_locked!(users, User);

/// The user and the name of its provider (none for a platform admin), in one round trip.
pub fn find_with_provider_name(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<(User, Option<String>), StoreError> {
    Ok(users::table
        .left_join(providers::table)
        .filter(users::id.eq(id))
        .select((User::as_select(), providers::name.nullable()))
        .get_result(conn)?)
}

/// The account with this address at `provider_id` (none: among platform admins). Addresses are
/// unique per provider, not across the platform: someone working for two providers has two
/// accounts.
pub fn find_by_email_at(
    conn: &mut AnyConnection,
    provider_id: Option<&str>,
    email: &str,
) -> Result<Option<User>, StoreError> {
    let query = users::table
        .filter(users::email.eq(email.to_lowercase()))
        .select(User::as_select())
        .into_boxed();
    let query = match provider_id {
        Some(provider) => query.filter(users::provider_id.eq(provider.to_string())),
        None => query.filter(users::provider_id.is_null()),
    };
    Ok(query.get_result(conn).optional()?)
}

/// Every active account with this address, at whichever provider, with its provider's name
/// (none for a platform admin), by id.
pub fn active_by_email(
    conn: &mut AnyConnection,
    email: &str,
) -> Result<Vec<(User, Option<String>)>, StoreError> {
    Ok(users::table
        .left_join(providers::table)
        .filter(users::email.eq(email.to_lowercase()))
        .filter(users::active.eq(true))
        .select((User::as_select(), providers::name.nullable()))
        .order(users::id.asc())
        .load(conn)?)
}

pub fn list(
    conn: &mut AnyConnection,
    filter: &UserFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<User>, StoreError> {
    let mut query = users::table
        .select(User::as_select())
        .order(users::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(provider) = &filter.provider_id {
        query = query.filter(users::provider_id.eq(provider.clone()));
    }
    if let Some(role) = filter.role {
        query = query.filter(users::role.eq(role.as_str()));
    }
    if let Some(after) = after {
        query = query.filter(users::id.gt(after.to_string()));
    }
    Ok(Page::from_overfetch(query.load(conn)?, limit))
}

pub fn update(
    conn: &mut AnyConnection,
    id: &str,
    changes: &UserChanges,
    now: PrimitiveDateTime,
) -> Result<User, StoreError> {
    diesel::update(users::table.find(id))
        .set((
            changes,
            users::version.eq(users::version + 1),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    find(conn, id)
}

pub fn record_login(
    conn: &mut AnyConnection,
    id: &str,
    now: PrimitiveDateTime,
) -> Result<(), StoreError> {
    diesel::update(users::table.find(id))
        .set(users::last_login_at.eq(now))
        .execute(conn)?;
    Ok(())
}

pub fn count_with_role(conn: &mut AnyConnection, role: Role) -> Result<i64, StoreError> {
    Ok(users::table
        .filter(users::role.eq(role.as_str()))
        .count()
        .get_result(conn)?)
}

/// The active staff accounts of `provider_id`, optionally of one role, by id.
pub fn staff(
    conn: &mut AnyConnection,
    provider_id: &str,
    role: Option<Role>,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<User>, StoreError> {
    let roles: Vec<&str> = Role::ALL
        .iter()
        .filter(|r| r.is_provider_staff() && role.is_none_or(|only| only == **r))
        .map(|r| r.as_str())
        .collect();
    let mut query = users::table
        .select(User::as_select())
        .filter(users::provider_id.eq(provider_id))
        .filter(users::active.eq(true))
        .filter(users::role.eq_any(roles))
        .order(users::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(users::id.gt(after.to_string()));
    }
    Ok(Page::from_overfetch(query.load(conn)?, limit))
}
