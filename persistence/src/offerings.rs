//! Service offerings: which services a centre offers, on which days, under which tariff.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::AnyConnection;
use crate::error::parse_stored;
use crate::schema::{centres, offerings, tariffs};
use crate::tariffs::TariffRow;
use crate::{Page, StoreError};
use ccm_domain::{ServiceType, Weekday};

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = offerings)]
pub struct Offering {
    pub id: String,
    pub centre_id: String,
    pub service_type: String,
    pub tariff_id: String,
    pub default_session_minutes: i32,
    /// Comma-separated weekdays ("saturday,sunday").
    pub days_offered: String,
    pub waiting_list_open: bool,
    pub active: bool,
    pub version: i64,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
    /// Families the service takes at once; when set, freed places are offered automatically.
    pub places: Option<i32>,
}

impl Offering {
    pub fn service(&self) -> Result<ServiceType, StoreError> {
        parse_stored("offerings.service_type", &self.service_type)
    }

    pub fn days(&self) -> Result<Vec<Weekday>, StoreError> {
        self.days_offered
            .split(',')
            .filter(|d| !d.is_empty())
            .map(|d| parse_stored("offerings.days_offered", d))
            .collect()
    }
}

/// Weekdays in week order, without repeats, as stored.
pub fn days_text(days: &[Weekday]) -> String {
    let mut days = days.to_vec();
    days.sort();
    days.dedup();
    days.iter()
        .map(|d| d.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

#[derive(Clone, Debug, Default, AsChangeset)]
#[diesel(table_name = offerings)]
pub struct OfferingChanges {
    pub tariff_id: Option<String>,
    pub default_session_minutes: Option<i32>,
    pub days_offered: Option<String>,
    pub waiting_list_open: Option<bool>,
    pub active: Option<bool>,
    pub places: Option<Option<i32>>,
}

pub fn insert(conn: &mut AnyConnection, offering: &Offering) -> Result<(), StoreError> {
    diesel::insert_into(offerings::table)
        .values(offering)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut AnyConnection, id: &str) -> Result<Offering, StoreError> {
    Ok(offerings::table
        .find(id)
        .select(Offering::as_select())
        .get_result(conn)?)
}

find_locked!(offerings, Offering);

pub fn find_for(
    conn: &mut AnyConnection,
    centre_id: &str,
    service: ServiceType,
) -> Result<Option<Offering>, StoreError> {
    Ok(offerings::table
        .filter(offerings::centre_id.eq(centre_id))
        .filter(offerings::service_type.eq(service.as_str()))
        .select(Offering::as_select())
        .get_result(conn)
        .optional()?)
}

/// A centre with its offering of `service` if it has one (`None`: no such centre), in one
/// round trip, as a referral needs them.
pub fn centre_offering(
    conn: &mut AnyConnection,
    centre_id: &str,
    service: ServiceType,
) -> Result<Option<(crate::centres::Centre, Option<Offering>)>, StoreError> {
    Ok(centres::table
        .left_join(
            offerings::table.on(offerings::centre_id
                .eq(centres::id)
                .and(offerings::service_type.eq(service.as_str()))),
        )
        .filter(centres::id.eq(centre_id))
        .select((
            crate::centres::Centre::as_select(),
            offerings::all_columns.nullable(),
        ))
        .get_result(conn)
        .optional()?)
}

/// A centre as a quote needs it: its name and active flag, and, if it offers the service, the
/// offering and its tariff. One round trip, since a quote is on the public hot path.
pub struct PricedCentre {
    pub name: String,
    pub active: bool,
    pub offered: Option<(Offering, TariffRow)>,
}

/// `None` if there is no such centre.
pub fn priced(
    conn: &mut AnyConnection,
    centre_id: &str,
    service: ServiceType,
) -> Result<Option<PricedCentre>, StoreError> {
    let row: Option<(String, bool, Option<Offering>, Option<TariffRow>)> = centres::table
        .left_join(
            offerings::table.on(offerings::centre_id
                .eq(centres::id)
                .and(offerings::service_type.eq(service.as_str()))),
        )
        .left_join(tariffs::table.on(tariffs::id.eq(offerings::tariff_id)))
        .filter(centres::id.eq(centre_id))
        .select((
            centres::name,
            centres::active,
            offerings::all_columns.nullable(),
            (
                tariffs::id,
                tariffs::provider_id,
                tariffs::name,
                tariffs::service_type,
                tariffs::version,
                tariffs::created_at,
                tariffs::updated_at,
            )
                .nullable(),
        ))
        .get_result(conn)
        .optional()?;
    Ok(row.map(|(name, active, offering, tariff)| PricedCentre {
        name,
        active,
        offered: offering.zip(tariff),
    }))
}

pub fn list_for_centre(
    conn: &mut AnyConnection,
    centre_id: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<Offering>, StoreError> {
    let mut query = offerings::table
        .filter(offerings::centre_id.eq(centre_id))
        .select(Offering::as_select())
        .order(offerings::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(offerings::id.gt(after.to_string()));
    }
    Ok(Page::from_overfetch(query.load(conn)?, limit))
}

pub fn update(
    conn: &mut AnyConnection,
    id: &str,
    changes: &OfferingChanges,
    now: PrimitiveDateTime,
) -> Result<Offering, StoreError> {
    diesel::update(offerings::table.find(id))
        .set((
            changes,
            offerings::version.eq(offerings::version + 1),
            offerings::updated_at.eq(now),
        ))
        .execute(conn)?;
    find(conn, id)
}
