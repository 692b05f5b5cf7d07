//! The services a centre offers: listed by anyone, added and changed by the centre's org
//! admins. Each is priced by one of the provider's tariffs for the same service.

use ccm_domain::catalogue::{check_days, check_session_minutes};
use ccm_domain::{ServiceType, Weekday};
use ccm_persistence::offerings::{self, days_text, OfferingChanges};
use ccm_persistence::{centres, new_id, now, tariffs, AnyConnection, StoreError};

pub use ccm_persistence::offerings::Offering;

use crate::access::{require, rules};
use crate::{Actor, AppError, IfMatch, OrNotFound, Page, ProblemType};

/// A service to offer at a centre.
#[derive(Clone, Debug)]
pub struct NewOffering {
    pub service_type: ServiceType,
    pub tariff_id: String,
    pub default_session_minutes: u32,
    pub days_offered: Vec<Weekday>,
    pub waiting_list_open: bool,
    pub places: Option<u32>,
    pub active: bool,
}

/// Changes to an offering; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct OfferingPatch {
    pub tariff_id: Option<String>,
    pub default_session_minutes: Option<u32>,
    pub days_offered: Option<Vec<Weekday>>,
    pub waiting_list_open: Option<bool>,
    pub places: Option<Option<u32>>,
    pub active: Option<bool>,
}

fn check_minutes(minutes: u32) -> Result<i32, AppError> {
    check_session_minutes(minutes)
        .map_err(|why| AppError::invalid("default_session_minutes", "range", why))?;
    Ok(i32::try_from(minutes).unwrap_or(0))
}

fn check_offered_days(service: ServiceType, days: &[Weekday]) -> Result<String, AppError> {
    check_days(service, days).map_err(|why| AppError::invalid("days_offered", "days", why))?;
    Ok(days_text(days))
}

fn places(p: u32) -> i32 {
    i32::try_from(p).unwrap_or(i32::MAX)
}

/// The tariff must be the provider's own and price this service.
fn check_tariff(
    conn: &mut AnyConnection,
    tariff_id: &str,
    provider_id: &str,
    service: ServiceType,
) -> Result<(), AppError> {
    let tariff = match tariffs::find(conn, tariff_id) {
        Ok(t) if t.provider_id == provider_id => t,
        Ok(_) | Err(StoreError::NotFound) => {
            return Err(AppError::invalid(
                "tariff_id",
                "not_found",
                "no such tariff at this provider",
            ))
        }
        Err(e) => return Err(e.into()),
    };
    if tariff.service()? != service {
        return Err(AppError::invalid(
            "tariff_id",
            "service_mismatch",
            format!(
                "the tariff prices {} contact, not {service}",
                tariff.service_type
            ),
        ));
    }
    Ok(())
}

/// A page of a centre's offerings.
pub fn list(
    conn: &mut AnyConnection,
    centre_id: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<Offering>, AppError> {
    centres::find(conn, centre_id).or_not_found("centre")?;
    Ok(offerings::list_for_centre(conn, centre_id, after, limit)?)
}

pub fn get(conn: &mut AnyConnection, id: &str) -> Result<Offering, AppError> {
    offerings::find(conn, id).or_not_found("offering")
}

/// Offers a service at a centre whose catalogue the actor manages: one offering per service.
pub fn create(
    conn: &mut AnyConnection,
    actor: &Actor,
    centre_id: &str,
    new: NewOffering,
) -> Result<Offering, AppError> {
    let minutes = check_minutes(new.default_session_minutes)?;
    let days = check_offered_days(new.service_type, &new.days_offered)?;
    let centre = centres::find(conn, centre_id).or_not_found("centre")?;
    require(rules(actor).manage_catalogue(&centre.provider_id), "centre")?;
    check_tariff(conn, &new.tariff_id, &centre.provider_id, new.service_type)?;
    if offerings::find_for(conn, &centre.id, new.service_type)?.is_some() {
        return Err(AppError::conflict(
            ProblemType::DuplicateOffering,
            format!(
                "this centre already offers {}; update that offering instead",
                new.service_type
            ),
        ));
    }
    let at = now();
    let offering = Offering {
        id: new_id(),
        centre_id: centre.id,
        service_type: new.service_type.as_str().to_string(),
        tariff_id: new.tariff_id,
        default_session_minutes: minutes,
        days_offered: days,
        waiting_list_open: new.waiting_list_open,
        places: new.places.map(places),
        active: new.active,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    offerings::insert(conn, &offering)?;
    Ok(offering)
}

/// Changes an offering: its tariff, days, session length, waiting list or active flag.
pub fn update(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: &str,
    patch: OfferingPatch,
    if_match: &IfMatch,
) -> Result<Offering, AppError> {
    let minutes = patch
        .default_session_minutes
        .map(check_minutes)
        .transpose()?;
    let current = offerings::find_locked(conn, id).or_not_found("offering")?;
    let centre = centres::find(conn, &current.centre_id)?;
    require(
        rules(actor).manage_catalogue(&centre.provider_id),
        "offering",
    )?;
    let service = current.service()?;
    if let Some(tariff_id) = &patch.tariff_id {
        check_tariff(conn, tariff_id, &centre.provider_id, service)?;
    }
    let changes = OfferingChanges {
        tariff_id: patch.tariff_id,
        default_session_minutes: minutes,
        days_offered: patch
            .days_offered
            .map(|d| check_offered_days(service, &d))
            .transpose()?,
        waiting_list_open: patch.waiting_list_open,
        places: patch.places.map(|p| p.map(places)),
        active: patch.active,
    };
    // Preconditions last: a request that is wrong anyway gets that answer first.
    if_match.check(current.version)?;
    Ok(offerings::update(conn, &current.id, &changes, now())?)
}
