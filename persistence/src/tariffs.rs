//! Tariffs and their dated versions. A tariff names a provider's price list for one service;
//! each version holds the fees from its effective date on, so past quotes stay explainable.

use std::collections::HashMap;

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use time::{Date, PrimitiveDateTime};

use crate::db::AnyConnection;
use crate::error::parse_stored;
use crate::schema::{tariff_versions, tariffs};
use crate::{match_key, Page, StoreError};
use ccm_domain::tariff::{CancellationRule, Coverage, SessionFee, Tariff, Waiver};
use ccm_domain::{Money, ServiceType};

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = tariffs)]
pub struct TariffRow {
    pub id: String,
    pub provider_id: String,
    pub name: String,
    pub service_type: String,
    pub version: i64,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

impl TariffRow {
    pub fn service(&self) -> Result<ServiceType, StoreError> {
        parse_stored("tariffs.service_type", &self.service_type)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = tariff_versions)]
pub struct TariffVersion {
    pub id: String,
    pub tariff_id: String,
    pub effective_from: Date,
    pub referral_fee_pence: i64,
    pub referral_fee_refundable: bool,
    pub balance_pence: i64,
    pub balance_refundable: bool,
    pub covers_months: Option<i32>,
    pub covers_sessions: Option<i32>,
    pub session_fee_basis: Option<String>,
    pub session_fee_pence: Option<i64>,
    pub item_fee_pence: Option<i64>,
    pub cancellation_rule: String,
    pub cancellation_fee_pence: Option<i64>,
    /// JSON list of [`WaiverJson`].
    pub waivers: String,
    pub price_on_application: bool,
    pub created_at: PrimitiveDateTime,
}

/// How a waiver is kept in the `waivers` column.
#[derive(Serialize, Deserialize)]
struct WaiverJson {
    funder: String,
    referred_by: Option<String>,
    court_ordered_only: bool,
}

impl TariffVersion {
    pub fn from_domain(
        id: String,
        tariff_id: String,
        effective_from: Date,
        t: &Tariff,
        now: PrimitiveDateTime,
    ) -> TariffVersion {
        let (basis, session_pence) = match t.session_fee {
            Some(SessionFee::PerSession(m)) => (Some("per_session"), Some(m.pence())),
            Some(SessionFee::PerHour(m)) => (Some("per_hour"), Some(m.pence())),
            None => (None, None),
        };
        let (rule, cancel_pence) = match t.cancellation {
            CancellationRule::NoCharge => ("no_charge", None),
            CancellationRule::SessionCharge => ("session_charge", None),
            CancellationRule::Fixed(m) => ("fixed", Some(m.pence())),
        };
        let waivers: Vec<WaiverJson> = t
            .waivers
            .iter()
            .map(|w| WaiverJson {
                funder: w.funder.as_str().to_string(),
                referred_by: w.referred_by.map(|r| r.as_str().to_string()),
                court_ordered_only: w.court_ordered_only,
            })
            .collect();
        let small = |n: Option<u32>| n.map(|v| i32::try_from(v).unwrap_or(i32::MAX));
        TariffVersion {
            id,
            tariff_id,
            effective_from,
            referral_fee_pence: t.referral_fee.pence(),
            referral_fee_refundable: t.referral_fee_refundable,
            balance_pence: t.balance.pence(),
            balance_refundable: t.balance_refundable,
            covers_months: small(t.covers.months),
            covers_sessions: small(t.covers.sessions),
            session_fee_basis: basis.map(str::to_string),
            session_fee_pence: session_pence,
            item_fee_pence: t.item_fee.map(Money::pence),
            cancellation_rule: rule.to_string(),
            cancellation_fee_pence: cancel_pence,
            waivers: serde_json::to_string(&waivers).unwrap_or_else(|_| "[]".into()),
            price_on_application: t.price_on_application,
            created_at: now,
        }
    }

    pub fn to_domain(&self, service: ServiceType) -> Result<Tariff, StoreError> {
        let corrupt =
            |what: &str| StoreError::Corrupt(format!("tariff version {}: {what}", self.id));
        let session_fee = match (self.session_fee_basis.as_deref(), self.session_fee_pence) {
            (None, None) => None,
            (Some("per_session"), Some(p)) => Some(SessionFee::PerSession(Money::from_pence(p))),
            (Some("per_hour"), Some(p)) => Some(SessionFee::PerHour(Money::from_pence(p))),
            _ => return Err(corrupt("session fee")),
        };
        let cancellation = match (self.cancellation_rule.as_str(), self.cancellation_fee_pence) {
            ("no_charge", _) => CancellationRule::NoCharge,
            ("session_charge", _) => CancellationRule::SessionCharge,
            ("fixed", Some(p)) => CancellationRule::Fixed(Money::from_pence(p)),
            _ => return Err(corrupt("cancellation rule")),
        };
        let waivers = serde_json::from_str::<Vec<WaiverJson>>(&self.waivers)?
            .into_iter()
            .map(|w| {
                Ok(Waiver {
                    funder: parse_stored("waivers.funder", &w.funder)?,
                    referred_by: w
                        .referred_by
                        .map(|r| parse_stored("waivers.referred_by", &r))
                        .transpose()?,
                    court_ordered_only: w.court_ordered_only,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let count = |n: Option<i32>| n.map(|v| u32::try_from(v).unwrap_or(0));
        Ok(Tariff {
            service,
            referral_fee: Money::from_pence(self.referral_fee_pence),
            referral_fee_refundable: self.referral_fee_refundable,
            balance: Money::from_pence(self.balance_pence),
            balance_refundable: self.balance_refundable,
            covers: Coverage {
                months: count(self.covers_months),
                sessions: count(self.covers_sessions),
            },
            session_fee,
            item_fee: self.item_fee_pence.map(Money::from_pence),
            cancellation,
            waivers,
            price_on_application: self.price_on_application,
        })
    }
}

#[derive(Clone, Debug, Default)]
pub struct TariffFilter {
    pub provider_id: Option<String>,
    pub service: Option<ServiceType>,
}

pub fn insert(conn: &mut AnyConnection, tariff: &TariffRow) -> Result<(), StoreError> {
    diesel::insert_into(tariffs::table)
        .values((tariff, tariffs::name_key.eq(match_key(&tariff.name))))
        .execute(conn)?;
    Ok(())
}

pub fn insert_version(conn: &mut AnyConnection, version: &TariffVersion) -> Result<(), StoreError> {
    diesel::insert_into(tariff_versions::table)
        .values(version)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut AnyConnection, id: &str) -> Result<TariffRow, StoreError> {
    Ok(tariffs::table
        .find(id)
        .select(TariffRow::as_select())
        .get_result(conn)?)
}

find_locked!(tariffs, TariffRow);

pub fn name_taken(
    conn: &mut AnyConnection,
    provider_id: &str,
    name: &str,
    except_id: Option<&str>,
) -> Result<bool, StoreError> {
    let mut query = tariffs::table
        .filter(tariffs::provider_id.eq(provider_id))
        .filter(tariffs::name_key.eq(match_key(name)))
        .select(tariffs::id)
        .into_boxed();
    if let Some(id) = except_id {
        query = query.filter(tariffs::id.ne(id.to_string()));
    }
    Ok(query.get_result::<String>(conn).optional()?.is_some())
}

pub fn list(
    conn: &mut AnyConnection,
    filter: &TariffFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<TariffRow>, StoreError> {
    let mut query = tariffs::table
        .select(TariffRow::as_select())
        .order(tariffs::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(provider) = &filter.provider_id {
        query = query.filter(tariffs::provider_id.eq(provider.clone()));
    }
    if let Some(service) = filter.service {
        query = query.filter(tariffs::service_type.eq(service.as_str()));
    }
    if let Some(after) = after {
        query = query.filter(tariffs::id.gt(after.to_string()));
    }
    Ok(Page::from_overfetch(query.load(conn)?, limit))
}

/// Every version of each tariff, oldest first, in one query for a page of tariffs.
pub fn versions_of(
    conn: &mut AnyConnection,
    tariff_ids: &[&str],
) -> Result<HashMap<String, Vec<TariffVersion>>, StoreError> {
    let rows: Vec<TariffVersion> = tariff_versions::table
        .filter(tariff_versions::tariff_id.eq_any(tariff_ids))
        .order((
            tariff_versions::tariff_id,
            tariff_versions::effective_from.asc(),
        ))
        .select(TariffVersion::as_select())
        .load(conn)?;
    let mut map: HashMap<String, Vec<TariffVersion>> = HashMap::new();
    for row in rows {
        map.entry(row.tariff_id.clone()).or_default().push(row);
    }
    Ok(map)
}

/// The version in force on `date`: the latest one effective on or before it.
pub fn version_on(
    conn: &mut AnyConnection,
    tariff_id: &str,
    date: Date,
) -> Result<Option<TariffVersion>, StoreError> {
    Ok(tariff_versions::table
        .filter(tariff_versions::tariff_id.eq(tariff_id))
        .filter(tariff_versions::effective_from.le(date))
        .order(tariff_versions::effective_from.desc())
        .select(TariffVersion::as_select())
        .get_result(conn)
        .optional()?)
}

pub fn latest_effective_from(
    conn: &mut AnyConnection,
    tariff_id: &str,
) -> Result<Option<Date>, StoreError> {
    Ok(tariff_versions::table
        .filter(tariff_versions::tariff_id.eq(tariff_id))
        .select(tariff_versions::effective_from)
        .order(tariff_versions::effective_from.desc())
        .get_result(conn)
        .optional()?)
}

/// Marks the tariff changed (a new version was added), so its ETag changes.
pub fn touch(conn: &mut AnyConnection, id: &str, now: PrimitiveDateTime) -> Result<(), StoreError> {
    diesel::update(tariffs::table.find(id))
        .set((
            tariffs::version.eq(tariffs::version + 1),
            tariffs::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn rename(
    conn: &mut AnyConnection,
    id: &str,
    name: &str,
    now: PrimitiveDateTime,
) -> Result<TariffRow, StoreError> {
    diesel::update(tariffs::table.find(id))
        .set((
            tariffs::name.eq(name),
            tariffs::name_key.eq(match_key(name)),
            tariffs::version.eq(tariffs::version + 1),
            tariffs::updated_at.eq(now),
        ))
        .execute(conn)?;
    find(conn, id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ccm_domain::presets;

    #[test]
    fn every_preset_survives_a_round_trip_through_its_row() {
        let now = crate::now();
        for p in presets::ALL {
            let t = (p.build)();
            let row = TariffVersion::from_domain("v".into(), "t".into(), now.date(), &t, now);
            assert_eq!(row.to_domain(t.service).unwrap(), t, "{}", p.key);
        }
    }
}
