//! Partner API clients registered by a provider.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::AnyConnection;
use crate::schema::{api_clients, users};
use crate::users::User;
use crate::StoreError;

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = api_clients)]
pub struct Client {
    pub id: String,
    pub provider_id: String,
    /// The referrer account the client acts through.
    pub user_id: String,
    pub name: String,
    pub organisation_kind: String,
    /// Space-separated, as OAuth2 writes scopes.
    pub scopes: String,
    pub secret_hash: String,
    /// The secret's first characters, so an admin can tell which secret a system holds.
    pub secret_hint: String,
    pub created_by: String,
    pub created_at: PrimitiveDateTime,
    pub secret_rotated_at: PrimitiveDateTime,
    pub revoked_at: Option<PrimitiveDateTime>,
    pub revoked_by: Option<String>,
    pub version: i64,
}

pub fn insert(conn: &mut AnyConnection, client: &Client) -> Result<(), StoreError> {
    diesel::insert_into(api_clients::table)
        .values(client)
        .execute(conn)?;
    Ok(())
}

/// The account a token names and, for a partner's token, the API client acting through it,
/// in one statement (every authenticated request asks this); `None` if the account is gone.
/// The client is `None` when none was asked for or it no longer exists.
pub fn caller(
    conn: &mut AnyConnection,
    user_id: &str,
    client_id: Option<&str>,
) -> Result<Option<(User, Option<Client>)>, StoreError> {
    Ok(users::table
        .left_join(
            api_clients::table.on(api_clients::id.nullable().eq(client_id.map(str::to_string))),
        )
        .filter(users::id.eq(user_id))
        .select((User::as_select(), Option::<Client>::as_select()))
        .get_result(conn)
        .optional()?)
}

pub fn find(conn: &mut AnyConnection, id: &str) -> Result<Client, StoreError> {
    Ok(api_clients::table
        .find(id)
        .select(Client::as_select())
        .get_result(conn)?)
}

find_locked!(api_clients, Client);

/// The client acting through `user_id`, if that account is a client's.
pub fn for_user(conn: &mut AnyConnection, user_id: &str) -> Result<Option<Client>, StoreError> {
    Ok(api_clients::table
        .filter(api_clients::user_id.eq(user_id))
        .select(Client::as_select())
        .get_result(conn)
        .optional()?)
}

/// A provider's clients, oldest first.
pub fn for_provider(
    conn: &mut AnyConnection,
    provider_id: &str,
) -> Result<Vec<Client>, StoreError> {
    Ok(api_clients::table
        .filter(api_clients::provider_id.eq(provider_id))
        .order(api_clients::id.asc())
        .select(Client::as_select())
        .load(conn)?)
}

/// A new secret (its hash and hint); the old one stops working at once.
pub fn set_secret(
    conn: &mut AnyConnection,
    id: &str,
    secret_hash: &str,
    secret_hint: &str,
    at: PrimitiveDateTime,
) -> Result<Client, StoreError> {
    diesel::update(api_clients::table.find(id))
        .set((
            api_clients::secret_hash.eq(secret_hash),
            api_clients::secret_hint.eq(secret_hint),
            api_clients::secret_rotated_at.eq(at),
            api_clients::version.eq(api_clients::version + 1),
        ))
        .execute(conn)?;
    find(conn, id)
}

pub fn revoke(
    conn: &mut AnyConnection,
    id: &str,
    by: &str,
    at: PrimitiveDateTime,
) -> Result<Client, StoreError> {
    diesel::update(api_clients::table.find(id))
        .set((
            api_clients::revoked_at.eq(at),
            api_clients::revoked_by.eq(by),
            api_clients::version.eq(api_clients::version + 1),
        ))
        .execute(conn)?;
    find(conn, id)
}
