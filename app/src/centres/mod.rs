//! Centres: finding them (public), adding them to a provider and changing them (its org
//! admins, or a platform admin).

pub mod policy;

use std::collections::HashMap;

use ccm_domain::catalogue::normalise_postcode;
use ccm_domain::opening::OpeningPattern;
use ccm_domain::ServiceType;
use ccm_persistence::centres::{self, pattern_json, CentreChanges};
use ccm_persistence::{new_id, now, providers, AnyConnection, StoreError};

pub use ccm_persistence::centres::{Centre, CentreFilter};

use crate::access::{require, rules};
use crate::{Actor, AppError, FieldError, IfMatch, OrNotFound, Page, ProblemType};

/// The only time zone centres may keep.
pub const TIME_ZONE: &str = "Europe/London";

/// A centre with the services it actively offers.
pub type WithServices = (Centre, Vec<ServiceType>);

/// A centre's postal address.
#[derive(Clone, Debug)]
pub struct Address {
    pub line1: String,
    pub line2: Option<String>,
    pub town: String,
    pub postcode: String,
}

/// A centre to add.
#[derive(Clone, Debug)]
pub struct NewCentre {
    /// The provider running it; the actor's own by default.
    pub provider_id: Option<String>,
    pub name: String,
    pub address: Address,
    pub phone: Option<String>,
    pub time_zone: Option<String>,
    /// As sent: its rules are checked here.
    pub opening_pattern: OpeningPattern,
    pub active: bool,
}

/// Changes to a centre; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct CentrePatch {
    pub name: Option<String>,
    pub line1: Option<String>,
    pub line2: Option<Option<String>>,
    pub town: Option<String>,
    pub postcode: Option<String>,
    pub phone: Option<Option<String>>,
    /// As sent: its rules are checked here.
    pub opening_pattern: Option<OpeningPattern>,
    pub active: Option<bool>,
}

/// The services each centre of a page offers, by centre id.
pub type ServicesOf = HashMap<String, Vec<ServiceType>>;

/// A page of centres, each with the services it offers.
pub fn list(
    conn: &mut AnyConnection,
    filter: &CentreFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<(Page<Centre>, ServicesOf), AppError> {
    let page = centres::list(conn, filter, after, limit)?;
    let ids: Vec<&str> = page.items.iter().map(|c| c.id.as_str()).collect();
    let services = centres::services_of(conn, &ids)?;
    Ok((page, services))
}

/// One centre with its services.
pub fn get(conn: &mut AnyConnection, id: &str) -> Result<WithServices, AppError> {
    let centre = centres::find(conn, id).or_not_found("centre")?;
    with_services(conn, centre)
}

fn with_services(conn: &mut AnyConnection, centre: Centre) -> Result<WithServices, AppError> {
    let services = centres::services_of(conn, &[&centre.id])?.remove(&centre.id);
    Ok((centre, services.unwrap_or_default()))
}

/// The pattern's rules, each checked, or a 422 naming every rule's faulty field.
pub fn checked_pattern(pattern: OpeningPattern, field: &str) -> Result<OpeningPattern, AppError> {
    let issues = pattern.issues();
    if issues.is_empty() {
        return Ok(pattern);
    }
    Err(AppError::validation(
        issues
            .into_iter()
            .map(|i| {
                FieldError::new(
                    format!("{field}.rules[{}].{}", i.index, i.field),
                    "invalid",
                    i.message,
                )
            })
            .collect(),
    ))
}

fn postcode(raw: &str, field: &str) -> Result<String, AppError> {
    normalise_postcode(raw)
        .ok_or_else(|| AppError::invalid(field, "postcode", "is not a UK postcode"))
}

/// The centre to insert, checked: the actor manages the provider's catalogue, the time zone is
/// London's, the opening rules and postcode are sound. Nothing is read yet.
pub fn prepare(actor: &Actor, new: NewCentre) -> Result<Centre, AppError> {
    let Some(provider_id) = new.provider_id.or_else(|| actor.provider_id.clone()) else {
        return Err(AppError::invalid("provider_id", "required", "is required"));
    };
    require(rules(actor).manage_catalogue(&provider_id), "provider")?;
    if new.time_zone.as_deref().is_some_and(|tz| tz != TIME_ZONE) {
        return Err(AppError::invalid(
            "time_zone",
            "unsupported",
            "only Europe/London is supported",
        ));
    }
    let pattern = checked_pattern(new.opening_pattern, "opening_pattern")?;
    let at = now();
    Ok(Centre {
        id: new_id(),
        provider_id,
        name: new.name.trim().to_string(),
        address_line1: new.address.line1,
        address_line2: new.address.line2,
        town: new.address.town.trim().to_string(),
        postcode: postcode(&new.address.postcode, "address.postcode")?,
        phone: new.phone,
        time_zone: TIME_ZONE.to_string(),
        opening_pattern: pattern_json(&pattern),
        active: new.active,
        version: 1,
        created_at: at,
        updated_at: at,
    })
}

/// Stores a centre [`prepare`]d: its provider must exist and have no centre of that name.
pub fn create(conn: &mut AnyConnection, centre: Centre) -> Result<Centre, AppError> {
    match providers::find(conn, &centre.provider_id) {
        Err(StoreError::NotFound) => {
            return Err(AppError::invalid(
                "provider_id",
                "not_found",
                "no such provider",
            ))
        }
        other => other?,
    };
    ensure_unique_name(conn, &centre.provider_id, &centre.name, None)?;
    centres::insert(conn, &centre)?;
    Ok(centre)
}

fn ensure_unique_name(
    conn: &mut AnyConnection,
    provider_id: &str,
    name: &str,
    except: Option<&str>,
) -> Result<(), AppError> {
    if centres::name_taken(conn, provider_id, name, except)? {
        return Err(AppError::conflict(
            ProblemType::DuplicateName,
            "this provider already has a centre with this name",
        ));
    }
    Ok(())
}

/// The changes as stored, checked before anything is read: the opening rules and postcode.
fn changes(patch: CentrePatch) -> Result<CentreChanges, AppError> {
    let pattern = patch
        .opening_pattern
        .map(|p| checked_pattern(p, "opening_pattern"))
        .transpose()?;
    Ok(CentreChanges {
        name: patch.name.map(|n| n.trim().to_string()),
        address_line1: patch.line1,
        address_line2: patch.line2,
        town: patch.town.map(|t| t.trim().to_string()),
        postcode: patch
            .postcode
            .map(|p| postcode(&p, "address.postcode"))
            .transpose()?,
        phone: patch.phone,
        opening_pattern: pattern.as_ref().map(pattern_json),
        active: patch.active,
    })
}

/// Changes a centre, if the actor manages its provider's catalogue and the name stays unique.
pub fn update(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: &str,
    patch: CentrePatch,
    if_match: &IfMatch,
) -> Result<WithServices, AppError> {
    let changes = changes(patch)?;
    let current = centres::find_locked(conn, id).or_not_found("centre")?;
    require(
        rules(actor).manage_catalogue(&current.provider_id),
        "centre",
    )?;
    if let Some(name) = &changes.name {
        ensure_unique_name(conn, &current.provider_id, name, Some(&current.id))?;
    }
    // Preconditions last: a request that is wrong anyway gets that answer first.
    if_match.check(current.version)?;
    let centre = centres::update(conn, &current.id, &changes, now())?;
    with_services(conn, centre)
}
