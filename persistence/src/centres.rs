//! Centres: the sites where contact happens.

use std::collections::HashMap;

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::AnyConnection;
use crate::schema::{centres, offerings};
use crate::{match_key, Page, StoreError};
use ccm_domain::opening::OpeningPattern;
use ccm_domain::ServiceType;

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = centres)]
pub struct Centre {
    pub id: String,
    pub provider_id: String,
    pub name: String,
    pub address_line1: String,
    pub address_line2: Option<String>,
    pub town: String,
    pub postcode: String,
    pub phone: Option<String>,
    pub time_zone: String,
    /// The opening pattern as JSON (see [`OpeningPattern`]).
    pub opening_pattern: String,
    pub active: bool,
    pub version: i64,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

impl Centre {
    pub fn opening_pattern(&self) -> Result<OpeningPattern, StoreError> {
        Ok(serde_json::from_str(&self.opening_pattern)?)
    }
}

pub fn pattern_json(pattern: &OpeningPattern) -> String {
    // A plain struct of strings and numbers always serialises.
    serde_json::to_string(pattern).unwrap_or_else(|_| "{\"rules\":[]}".to_string())
}

#[derive(Clone, Debug, Default, AsChangeset)]
#[diesel(table_name = centres)]
pub struct CentreChanges {
    pub name: Option<String>,
    pub address_line1: Option<String>,
    pub address_line2: Option<Option<String>>,
    pub town: Option<String>,
    pub postcode: Option<String>,
    pub phone: Option<Option<String>>,
    pub opening_pattern: Option<String>,
    pub active: Option<bool>,
}

#[derive(Clone, Debug, Default)]
pub struct CentreFilter {
    /// Case-insensitive exact name (spaces collapsed, as the town).
    pub name: Option<String>,
    /// Case-insensitive exact town.
    pub town: Option<String>,
    pub provider_id: Option<String>,
    /// Only centres with an active offering of this service.
    pub service: Option<ServiceType>,
    pub active: Option<bool>,
}

pub fn insert(conn: &mut AnyConnection, centre: &Centre) -> Result<(), StoreError> {
    diesel::insert_into(centres::table)
        .values((
            centre,
            centres::name_key.eq(match_key(&centre.name)),
            centres::town_key.eq(match_key(&centre.town)),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut AnyConnection, id: &str) -> Result<Centre, StoreError> {
    Ok(centres::table
        .find(id)
        .select(Centre::as_select())
        .get_result(conn)?)
}

find_locked!(centres, Centre);

pub fn name_taken(
    conn: &mut AnyConnection,
    provider_id: &str,
    name: &str,
    except_id: Option<&str>,
) -> Result<bool, StoreError> {
    let mut query = centres::table
        .filter(centres::provider_id.eq(provider_id))
        .filter(centres::name_key.eq(match_key(name)))
        .select(centres::id)
        .into_boxed();
    if let Some(id) = except_id {
        query = query.filter(centres::id.ne(id.to_string()));
    }
    Ok(query.get_result::<String>(conn).optional()?.is_some())
}

/// Centres in id (creation) order, after the cursor.
pub fn list(
    conn: &mut AnyConnection,
    filter: &CentreFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<Centre>, StoreError> {
    let mut query = centres::table
        .select(Centre::as_select())
        .order(centres::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(name) = &filter.name {
        query = query.filter(centres::name_key.eq(match_key(name)));
    }
    if let Some(town) = &filter.town {
        query = query.filter(centres::town_key.eq(match_key(town)));
    }
    if let Some(provider) = &filter.provider_id {
        query = query.filter(centres::provider_id.eq(provider.clone()));
    }
    if let Some(service) = filter.service {
        query = query.filter(
            centres::id.eq_any(
                offerings::table
                    .filter(offerings::service_type.eq(service.as_str()))
                    .filter(offerings::active.eq(true))
                    .select(offerings::centre_id),
            ),
        );
    }
    if let Some(active) = filter.active {
        query = query.filter(centres::active.eq(active));
    }
    if let Some(after) = after {
        query = query.filter(centres::id.gt(after.to_string()));
    }
    Ok(Page::from_overfetch(query.load(conn)?, limit))
}

/// The services each centre actively offers, in one query for a page of centres.
pub fn services_of(
    conn: &mut AnyConnection,
    centre_ids: &[&str],
) -> Result<HashMap<String, Vec<ServiceType>>, StoreError> {
    let rows: Vec<(String, String)> = offerings::table
        .filter(offerings::centre_id.eq_any(centre_ids))
        .filter(offerings::active.eq(true))
        .select((offerings::centre_id, offerings::service_type))
        .load(conn)?;
    let mut map: HashMap<String, Vec<ServiceType>> = HashMap::new();
    for (centre_id, service) in rows {
        let service = crate::error::parse_stored("offerings.service_type", &service)?;
        map.entry(centre_id).or_default().push(service);
    }
    for services in map.values_mut() {
        services.sort();
    }
    Ok(map)
}

pub fn update(
    conn: &mut AnyConnection,
    id: &str,
    changes: &CentreChanges,
    now: PrimitiveDateTime,
) -> Result<Centre, StoreError> {
    diesel::update(centres::table.find(id))
        .set((
            changes,
            changes
                .name
                .as_deref()
                .map(|n| centres::name_key.eq(match_key(n))),
            changes
                .town
                .as_deref()
                .map(|t| centres::town_key.eq(match_key(t))),
            centres::version.eq(centres::version + 1),
            centres::updated_at.eq(now),
        ))
        .execute(conn)?;
    find(conn, id)
}
