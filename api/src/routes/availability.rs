//! Availability search: the free times at a centre, or across a provider's centres, that a
//! coordinator can offer a family for a service over a date range, by the rules a booking is
//! checked against (rooms, supervisors, turnaround, capacity, opening hours). Read-only: a
//! slot found here is not held, so a booking can still lose it to another one.

use actix_web::{get, web, HttpResponse};
use serde::{Deserialize, Serialize};
use time::{Date, Duration};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::error::{self, ApiError, FieldError};
use crate::extract::{Principal, ValidQuery};
use crate::http::Instant;
use crate::ids::{CentreId, ProviderId};
use crate::state::AppState;
use ccm_app::availability::{self, Found, Params};
use ccm_domain::opening::hhmm;
use ccm_domain::schedule::arrival::HandoverSlot;
use ccm_domain::schedule::availability::Free;
use ccm_domain::ServiceType;

// Narrow the dates (or widen `step`) to see the rest of an answer cut at MAX_ITEMS.
pub use ccm_app::availability::MAX_ITEMS;
const MAX_DAYS: i64 = 366;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(centre_availability)
        .service(provider_availability);
}

/// Read as text so that a missing or malformed value is a 422 naming the parameter.
#[derive(Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AvailabilityQuery {
    /// `supported`, `supervised` or `handover` (indirect contact has no sessions).
    #[param(required = true, value_type = ServiceType)]
    pub service: Option<String>,
    /// The first local (Europe/London) date to search.
    #[param(required = true, value_type = String, format = Date, example = "2027-01-09")]
    pub from: Option<String>,
    /// The last local date to search, included; at most 366 days in all.
    #[param(required = true, value_type = String, format = Date, example = "2027-12-31")]
    pub to: Option<String>,
    /// Session length, 15 to 480 minutes; the centre's default for the service if left out.
    /// Handover slots have fixed times and ignore it.
    #[param(value_type = Option<u32>, minimum = 15, maximum = 480, example = 120)]
    pub minutes: Option<String>,
    /// Minutes between candidate starts within opening hours, 5 to 240 (default 30).
    #[param(value_type = Option<u32>, minimum = 5, maximum = 240, example = 30)]
    pub step: Option<String>,
}

/// Every parameter checked, every problem named at once.
fn parse(q: AvailabilityQuery) -> Result<Params, ApiError> {
    let mut errors = Vec::new();
    let mut fail = |field: &str, code: &str, message: String| {
        errors.push(FieldError::new(field, code, message));
    };
    let service = match q.service.as_deref().map(str::parse::<ServiceType>) {
        None => Err(("required", "is required".to_string())),
        Some(Err(e)) => Err(("invalid", e.to_string())),
        Some(Ok(ServiceType::Indirect)) => {
            Err(("no_sessions", "indirect contact has no sessions".into()))
        }
        Some(Ok(s)) => Ok(s),
    };
    let service = service.map_err(|(code, m)| fail("service", code, m)).ok();
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let mut date = |field: &str, value: Option<&str>| -> Option<Date> {
        let Some(value) = value else {
            fail(field, "required", "is required".into());
            return None;
        };
        Date::parse(value, format)
            .map_err(|_| fail(field, "invalid", "must be a date as YYYY-MM-DD".into()))
            .ok()
    };
    let (from, to) = (date("from", q.from.as_deref()), date("to", q.to.as_deref()));
    let mut number = |field: &str, value: Option<&str>, min: u32, max: u32| {
        let n = value?.parse().ok().filter(|n| (min..=max).contains(n));
        if n.is_none() {
            fail(
                field,
                "range",
                format!("must be a whole number from {min} to {max}"),
            );
        }
        n
    };
    let minutes = number("minutes", q.minutes.as_deref(), 15, 480);
    let step = number("step", q.step.as_deref(), 5, 240).unwrap_or(30);
    if let (Some(from), Some(to)) = (from, to) {
        if to < from {
            fail("to", "before_from", "must not be before from".into());
        } else if (to - from).whole_days() >= MAX_DAYS {
            fail("to", "range", "must be within 366 days of from".into());
        }
    }
    match (service, from, to) {
        (Some(service), Some(from), Some(to)) if errors.is_empty() => Ok(Params {
            service,
            from,
            to,
            minutes,
            step,
        }),
        _ => Err(ApiError::validation(errors)),
    }
}

/// A time that could be booked.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"centre_id": "0193...", "starts_at": "2027-06-05T09:00:00Z", "ends_at": "2027-06-05T11:00:00Z",
    "local_date": "2027-06-05", "local_start": "10:00", "local_end": "12:00", "handover_slot": null,
    "room_ids": ["0193..."], "supervisor_ids": ["0193..."], "places_left": null}))]
pub struct FreeSlot {
    pub centre_id: String,
    pub starts_at: Instant,
    pub ends_at: Instant,
    /// The Europe/London date.
    #[serde(with = "crate::http::date::format")]
    #[schema(value_type = String, format = Date)]
    pub local_date: Date,
    /// Europe/London wall-clock time, "HH:MM".
    pub local_start: String,
    pub local_end: String,
    /// Handover: which Saturday slot (drop-off to the child's return); book it by slot.
    pub handover_slot: Option<HandoverSlot>,
    /// Rooms free for the whole session: shared rooms with a place left (supported), private
    /// rooms clear of other sessions and their turnaround (supervised). Empty for handover.
    pub room_ids: Vec<String>,
    /// Supervised: the provider's supervisors free for the session, turnaround included.
    pub supervisor_ids: Vec<String>,
    /// Supported: how many more families the listed rooms take at that time.
    pub places_left: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct Availability {
    /// Earliest first (then by centre id); never a time already past.
    pub items: Vec<FreeSlot>,
    /// More than 500 slots were free: only the first 500 are listed.
    pub truncated: bool,
}

fn view((centre_id, f): (String, Free<String>)) -> FreeSlot {
    FreeSlot {
        centre_id,
        starts_at: Instant(f.slot.start),
        ends_at: Instant(f.slot.end),
        local_date: f.local_date,
        local_start: hhmm::text(f.local_start),
        local_end: hhmm::text(f.local_end),
        handover_slot: f.handover,
        room_ids: f.rooms,
        supervisor_ids: f.supervisors,
        places_left: f.places_left,
    }
}

fn answer(found: Found) -> Availability {
    Availability {
        items: found.items.into_iter().map(view).collect(),
        truncated: found.truncated,
    }
}

/// Free times for a service at a centre.
///
/// For the provider's coordinators and org admins. Supported contact needs a place in a
/// shared room; supervised contact a private room and a supervisor (community contact is
/// arranged by hand); handover one of the Saturday slots. Candidate starts step through the
/// centre's opening hours in London time on the days the service is offered. At most 500
/// slots, earliest first.
#[utoipa::path(tag = "availability",
    params(CentreId, AvailabilityQuery),
    responses((status = 200, description = "Free slots, earliest first.", body = Availability),
        (status = 400, response = error::BadRequest), (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound),
        (status = 422, response = error::Unprocessable)))]
#[get("/centres/{id}/availability")]
pub async fn centre_availability(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<CentreId>,
    query: ValidQuery<AvailabilityQuery>,
) -> Result<HttpResponse, ApiError> {
    let p = parse(query.0)?;
    let turnaround = Duration::minutes(i64::from(state.config.turnaround_minutes));
    let (actor, id) = (principal.caller(), id.into_inner().0);
    let found = state
        .read(move |conn| Ok(availability::at_centre(conn, &actor, &id, &p, turnaround)?))
        .await?;
    Ok(HttpResponse::Ok().json(answer(found)))
}

/// Free times for a service across a provider's centres.
///
/// The provider's active centres that offer the service, merged earliest first (then by
/// centre id); for its coordinators and org admins. A supervisor free at two centres at once
/// is listed at both: booking one takes them from the other. At most 500 slots.
#[utoipa::path(tag = "availability",
    params(ProviderId, AvailabilityQuery),
    responses((status = 200, description = "Free slots, earliest first.", body = Availability),
        (status = 400, response = error::BadRequest), (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound),
        (status = 422, response = error::Unprocessable)))]
#[get("/providers/{id}/availability")]
pub async fn provider_availability(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ProviderId>,
    query: ValidQuery<AvailabilityQuery>,
) -> Result<HttpResponse, ApiError> {
    let p = parse(query.0)?;
    let turnaround = Duration::minutes(i64::from(state.config.turnaround_minutes));
    let (actor, id) = (principal.caller(), id.into_inner().0);
    let found = state
        .read(move |conn| {
            Ok(availability::at_provider(
                conn, &actor, &id, &p, turnaround,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(answer(found)))
}
