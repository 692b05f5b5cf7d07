//! Tariffs: a provider's fees for one service, versioned by the date they take effect. Read by
//! anyone; created, renamed and given new versions by the provider's org admins.

use std::collections::HashMap;

use ccm_domain::tariff::{self, Tariff};
use ccm_domain::{london, presets, ServiceType};
use ccm_persistence::tariffs as store;
use ccm_persistence::{new_id, now, providers, AnyConnection, StoreError};
use time::Date;

pub use ccm_persistence::tariffs::{TariffFilter, TariffRow, TariffVersion};

use crate::access::{require, rules};
use crate::{Actor, AppError, FieldError, IfMatch, OrNotFound, Page, ProblemType};

/// Today in Europe/London, the day tariff versions take effect by.
pub fn today() -> Date {
    london::local_date(time::OffsetDateTime::now_utc())
}

/// Fees as a caller sent them: the tariff they describe for a service, or why they describe
/// none (each field named under `field_prefix`).
pub trait FeesInput: Send {
    fn tariff(&self, service: ServiceType, field_prefix: &str) -> Result<Tariff, AppError>;
}

/// The tariff if it is coherent, else a 422 naming every incoherent field.
pub fn checked(tariff: Tariff, field_prefix: &str) -> Result<Tariff, AppError> {
    let issues = tariff.issues();
    if issues.is_empty() {
        return Ok(tariff);
    }
    Err(AppError::validation(
        issues
            .into_iter()
            .map(|i| FieldError::new(format!("{field_prefix}{}", i.field), "invalid", i.message))
            .collect(),
    ))
}

/// A tariff with every version, oldest first.
pub type WithVersions = (TariffRow, Vec<TariffVersion>);

/// A tariff to create, with fees or from a preset (exactly one of them).
pub struct NewTariff<F> {
    pub provider_id: Option<String>,
    pub name: String,
    pub service_type: ServiceType,
    pub effective_from: Option<Date>,
    pub fees: Option<F>,
    pub preset: Option<String>,
}

/// The versions of each tariff of a page, by tariff id, oldest first.
pub type VersionsOf = HashMap<String, Vec<TariffVersion>>;

/// A page of tariffs with their versions.
pub fn list(
    conn: &mut AnyConnection,
    filter: &TariffFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<(Page<TariffRow>, VersionsOf), AppError> {
    let page = store::list(conn, filter, after, limit)?;
    let ids: Vec<&str> = page.items.iter().map(|t| t.id.as_str()).collect();
    let versions = store::versions_of(conn, &ids)?;
    Ok((page, versions))
}

pub fn get(conn: &mut AnyConnection, id: &str) -> Result<WithVersions, AppError> {
    let row = store::find(conn, id).or_not_found("tariff")?;
    with_versions(conn, row)
}

fn with_versions(conn: &mut AnyConnection, row: TariffRow) -> Result<WithVersions, AppError> {
    let versions = store::versions_of(conn, &[&row.id])?
        .remove(&row.id)
        .unwrap_or_default();
    Ok((row, versions))
}

fn preset(key: &str, service: ServiceType) -> Result<Tariff, AppError> {
    let preset = presets::find(key).ok_or_else(|| {
        let keys: Vec<_> = presets::ALL.iter().map(|p| p.key).collect();
        AppError::invalid(
            "preset",
            "unknown",
            format!("no such preset; one of: {}", keys.join(", ")),
        )
    })?;
    let tariff = (preset.build)();
    if tariff.service != service {
        return Err(AppError::invalid(
            "preset",
            "service_mismatch",
            format!(
                "the preset prices {} contact, not {service}",
                tariff.service
            ),
        ));
    }
    checked(tariff, "fees.")
}

/// The tariff and its first version, checked before anything is read: the actor manages the
/// provider's catalogue and the fees are coherent.
pub fn prepare<F: FeesInput>(
    actor: &Actor,
    new: NewTariff<F>,
) -> Result<(TariffRow, TariffVersion), AppError> {
    let Some(provider_id) = new.provider_id.or_else(|| actor.provider_id.clone()) else {
        return Err(AppError::invalid("provider_id", "required", "is required"));
    };
    require(rules(actor).manage_catalogue(&provider_id), "provider")?;
    let tariff = match (new.fees, new.preset) {
        (Some(fees), None) => fees.tariff(new.service_type, "fees.")?,
        (None, Some(key)) => preset(&key, new.service_type)?,
        _ => {
            return Err(AppError::invalid(
                "fees",
                "one_of",
                "give either fees or a preset",
            ))
        }
    };
    let at = now();
    let row = TariffRow {
        id: new_id(),
        provider_id,
        name: new.name.trim().to_string(),
        service_type: new.service_type.as_str().to_string(),
        version: 1,
        created_at: at,
        updated_at: at,
    };
    let first = TariffVersion::from_domain(
        new_id(),
        row.id.clone(),
        new.effective_from.unwrap_or_else(today),
        &tariff,
        at,
    );
    Ok((row, first))
}

/// Stores a tariff [`prepare`]d: its provider must exist and have no tariff of that name.
pub fn create(
    conn: &mut AnyConnection,
    (row, first): (TariffRow, TariffVersion),
) -> Result<WithVersions, AppError> {
    match providers::find(conn, &row.provider_id) {
        Err(StoreError::NotFound) => {
            return Err(AppError::invalid(
                "provider_id",
                "not_found",
                "no such provider",
            ))
        }
        other => other?,
    };
    ensure_unique_name(conn, &row.provider_id, &row.name, None)?;
    store::insert(conn, &row)?;
    store::insert_version(conn, &first)?;
    Ok((row, vec![first]))
}

fn ensure_unique_name(
    conn: &mut AnyConnection,
    provider_id: &str,
    name: &str,
    except: Option<&str>,
) -> Result<(), AppError> {
    if store::name_taken(conn, provider_id, name, except)? {
        return Err(AppError::conflict(
            ProblemType::DuplicateName,
            "this provider already has a tariff with this name",
        ));
    }
    Ok(())
}

/// Renames a tariff. Fees are never edited in place: a version is added instead.
pub fn rename(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: &str,
    name: &str,
    if_match: &IfMatch,
) -> Result<WithVersions, AppError> {
    let name = name.trim();
    let current = store::find_locked(conn, id).or_not_found("tariff")?;
    require(
        rules(actor).manage_catalogue(&current.provider_id),
        "tariff",
    )?;
    ensure_unique_name(conn, &current.provider_id, name, Some(&current.id))?;
    // Preconditions last: a request that is wrong anyway gets that answer first.
    if_match.check(current.version)?;
    let row = store::rename(conn, &current.id, name, now())?;
    with_versions(conn, row)
}

/// Adds a version: new fees from a date after the latest version's. Earlier versions stay.
pub fn add_version<F: FeesInput>(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: &str,
    effective_from: Date,
    fees: F,
) -> Result<WithVersions, AppError> {
    let row = store::find_locked(conn, id).or_not_found("tariff")?;
    require(rules(actor).manage_catalogue(&row.provider_id), "tariff")?;
    let tariff = fees.tariff(row.service()?, "fees.")?;
    let latest = store::latest_effective_from(conn, &row.id)?;
    tariff::check_new_version_date(latest, today(), effective_from)
        .map_err(|why| AppError::invalid("effective_from", "too_early", why))?;
    let version =
        TariffVersion::from_domain(new_id(), row.id.clone(), effective_from, &tariff, now());
    store::insert_version(conn, &version)?;
    store::touch(conn, &row.id, now())?;
    let row = store::find(conn, &row.id)?;
    with_versions(conn, row)
}
