//! Provider organisations: the charities that run centres.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::AnyConnection;
use crate::schema::providers;
use crate::{match_key, Page, StoreError};

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = providers)]
pub struct Provider {
    pub id: String,
    pub name: String,
    pub charity_number: Option<String>,
    pub website: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub version: i64,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

/// Fields to change; `None` leaves a field as it is, `Some(None)` clears an optional one.
#[derive(Clone, Debug, Default, AsChangeset)]
#[diesel(table_name = providers)]
pub struct ProviderChanges {
    pub name: Option<String>,
    pub charity_number: Option<Option<String>>,
    pub website: Option<Option<String>>,
    pub contact_email: Option<Option<String>>,
    pub contact_phone: Option<Option<String>>,
}

pub fn insert(conn: &mut AnyConnection, provider: &Provider) -> Result<(), StoreError> {
    diesel::insert_into(providers::table)
        .values((provider, providers::name_key.eq(match_key(&provider.name))))
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut AnyConnection, id: &str) -> Result<Provider, StoreError> {
    Ok(providers::table
        .find(id)
        .select(Provider::as_select())
        .get_result(conn)?)
}

find_locked!(providers, Provider);

pub fn name_taken(
    conn: &mut AnyConnection,
    name: &str,
    except_id: Option<&str>,
) -> Result<bool, StoreError> {
    let mut query = providers::table
        .filter(providers::name_key.eq(match_key(name)))
        .select(providers::id)
        .into_boxed();
    if let Some(id) = except_id {
        query = query.filter(providers::id.ne(id.to_string()));
    }
    Ok(query.get_result::<String>(conn).optional()?.is_some())
}

/// Providers in id (creation) order, after the cursor.
pub fn list(
    conn: &mut AnyConnection,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<Provider>, StoreError> {
    let mut query = providers::table
        .select(Provider::as_select())
        .order(providers::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(providers::id.gt(after.to_string()));
    }
    Ok(Page::from_overfetch(query.load(conn)?, limit))
}

pub fn update(
    conn: &mut AnyConnection,
    id: &str,
    changes: &ProviderChanges,
    now: PrimitiveDateTime,
) -> Result<Provider, StoreError> {
    diesel::update(providers::table.find(id))
        .set((
            changes,
            changes
                .name
                .as_deref()
                .map(|n| providers::name_key.eq(match_key(n))),
            providers::version.eq(providers::version + 1),
            providers::updated_at.eq(now),
        ))
        .execute(conn)?;
    find(conn, id)
}

pub fn count(conn: &mut AnyConnection) -> Result<i64, StoreError> {
    Ok(providers::table.count().get_result(conn)?)
}
