//! Availability search: the free times at a centre, or across a provider's centres, that a
//! coordinator can offer a family for a service over a date range, by the rules a booking is
//! checked against (rooms, supervisors, turnaround, capacity, opening hours). Read-only: a
//! slot found here is not held, so a booking can still lose it to another one.

use std::collections::HashMap;

use actix_web::{get, web, HttpResponse};
use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::cases::workflow::stored;
use crate::error::{self, ApiError, FieldError, OrNotFound, Require};
use crate::extract::{Principal, ValidQuery};
use crate::http::Instant;
use crate::state::AppState;
use ccm_domain::opening::{hhmm, OpeningPattern};
use ccm_domain::schedule::arrival::HandoverSlot;
use ccm_domain::schedule::availability::{free_slots, Free, Needs, Resource, Search};
use ccm_domain::schedule::Slot;
use ccm_domain::{london, Role, RoomKind, ServiceType, Weekday};
use ccm_persistence::centres::{self, Centre, CentreFilter};
use ccm_persistence::users::{self, UserFilter};
use ccm_persistence::{offerings, providers, rooms, sessions, AnyConnection};

/// The most slots one answer lists; `truncated` says there were more. Narrow the dates (or
/// widen `step`) to see the rest.
pub const MAX_ITEMS: usize = 500;
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

struct Params {
    service: ServiceType,
    from: Date,
    to: Date,
    minutes: Option<u32>,
    step: u32,
}

impl Params {
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

/// One centre's part of a search.
struct Place {
    centre: Centre,
    pattern: OpeningPattern,
    days: Vec<Weekday>,
    minutes: u32,
    rooms: Vec<(String, u32)>,
}

/// The centre as the search needs it, or `None` if it does not actively offer the service.
fn place(conn: &mut AnyConnection, centre: Centre, p: &Params) -> Result<Option<Place>, ApiError> {
    let Some(offering) = offerings::find_for(conn, &centre.id, p.service)?.filter(|o| o.active)
    else {
        return Ok(None);
    };
    if !centre.active {
        return Ok(None);
    }
    let kind = match p.service {
        ServiceType::Supported => Some(RoomKind::Shared),
        ServiceType::Supervised => Some(RoomKind::Private),
        ServiceType::Handover | ServiceType::Indirect => None,
    };
    let (mut rooms, mut after) = (Vec::new(), None::<String>);
    while let Some(kind) = kind {
        let page = rooms::list_for_centre(conn, &centre.id, after.as_deref(), 200)?;
        for room in &page.items {
            if room.active && room.kind()? == kind {
                rooms.push((room.id.clone(), u32::try_from(room.capacity).unwrap_or(1)));
            }
        }
        after = page.items.last().map(|r| r.id.clone());
        if !page.has_more {
            break;
        }
    }
    Ok(Some(Place {
        pattern: centre.opening_pattern()?,
        days: offering.days()?,
        minutes: p
            .minutes
            .unwrap_or(u32::try_from(offering.default_session_minutes).unwrap_or(120)),
        rooms,
        centre,
    }))
}

/// The provider's active supervisors: any of them can supervise at any of its centres.
fn supervisors(conn: &mut AnyConnection, provider_id: &str) -> Result<Vec<String>, ApiError> {
    let filter = UserFilter {
        provider_id: Some(provider_id.to_string()),
        role: Some(Role::Supervisor),
    };
    let (mut ids, mut after) = (Vec::new(), None::<String>);
    loop {
        let page = users::list(conn, &filter, after.as_deref(), 200)?;
        ids.extend(page.items.iter().filter(|u| u.active).map(|u| u.id.clone()));
        after = page.items.last().map(|u| u.id.clone());
        if !page.has_more {
            return Ok(ids);
        }
    }
}

/// What a search looks through, loaded once.
struct Plan<'a> {
    p: &'a Params,
    places: Vec<Place>,
    room_ids: Vec<String>,
    supervisors: Vec<String>,
    turnaround: Duration,
    now: OffsetDateTime,
}

/// Searches `places` a window of dates at a time, each twice as long as the one before, so a
/// year's search that fills its 500 slots in a few weeks reads only those weeks' sessions.
fn search(
    conn: &mut AnyConnection,
    p: &Params,
    places: Vec<Place>,
    provider_id: &str,
    turnaround: Duration,
) -> Result<Availability, ApiError> {
    let supervisors = match p.service {
        ServiceType::Supervised => supervisors(conn, provider_id)?,
        _ => Vec::new(),
    };
    let room_ids = places
        .iter()
        .flat_map(|c| c.rooms.iter().map(|r| r.0.clone()));
    let plan = Plan {
        p,
        room_ids: room_ids.collect(),
        places,
        supervisors,
        turnaround,
        now: OffsetDateTime::now_utc(),
    };
    let (mut items, mut first, mut days) =
        (Vec::new(), p.from.max(london::local_date(plan.now)), 28);
    while first <= p.to && items.len() <= MAX_ITEMS {
        let last = (first.checked_add(Duration::days(days - 1))).map_or(p.to, |d| d.min(p.to));
        items.extend(window(
            conn,
            &plan,
            first,
            last,
            MAX_ITEMS + 1 - items.len(),
        )?);
        let Some(next) = last.next_day() else { break };
        (first, days) = (next, days * 2);
    }
    let truncated = items.len() > MAX_ITEMS;
    items.truncate(MAX_ITEMS);
    Ok(Availability { items, truncated })
}

/// The free slots from `first` to `last` at every place, earliest first, with one query for
/// the sessions holding their rooms or the provider's supervisors then.
fn window(
    conn: &mut AnyConnection,
    plan: &Plan<'_>,
    first: Date,
    last: Date,
    limit: usize,
) -> Result<Vec<FreeSlot>, ApiError> {
    let start = london::start_of_day(first).max(plan.now) - plan.turnaround;
    let end = london::start_of_day(last.next_day().unwrap_or(last)) + plan.turnaround;
    let (rooms, supervisors) = (&plan.room_ids, &plan.supervisors);
    let mut held: HashMap<String, Vec<Slot>> = HashMap::new();
    for h in sessions::holding_any(conn, rooms, supervisors, stored(start), stored(end))? {
        let slot = Slot {
            start: h.starts_at.assume_utc(),
            end: h.ends_at.assume_utc(),
        };
        // A supervised session holds its room and its supervisor; ids are unique across both.
        for id in [h.room_id, h.supervisor_id].into_iter().flatten() {
            held.entry(id).or_default().push(slot);
        }
    }
    let resource = |id: &String, capacity: u32| Resource {
        id: id.clone(),
        capacity,
        held: held.get(id).cloned().unwrap_or_default(),
    };
    let mut items = Vec::new();
    for place in &plan.places {
        let rooms = place.rooms.iter().map(|(id, n)| resource(id, *n)).collect();
        let needs = match plan.p.service {
            ServiceType::Supported => Needs::SharedPlace(rooms),
            ServiceType::Supervised => Needs::RoomAndSupervisor {
                rooms,
                supervisors: supervisors.iter().map(|id| resource(id, 1)).collect(),
            },
            ServiceType::Handover | ServiceType::Indirect => Needs::HandoverSlot,
        };
        let search = Search {
            pattern: &place.pattern,
            from: first,
            to: last,
            minutes: place.minutes,
            step: plan.p.step,
            days: Some(&place.days),
            turnaround: plan.turnaround,
            not_before: plan.now,
        };
        let found = free_slots(&search, &needs, limit);
        items.extend(found.into_iter().map(|f| view(&place.centre.id, f)));
    }
    items.sort_by(|a, b| (a.starts_at.0, &a.centre_id).cmp(&(b.starts_at.0, &b.centre_id)));
    Ok(items)
}

fn view(centre_id: &str, f: Free<String>) -> FreeSlot {
    FreeSlot {
        centre_id: centre_id.to_string(),
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

/// Free times for a service at a centre.
///
/// For the provider's coordinators and org admins. Supported contact needs a place in a
/// shared room; supervised contact a private room and a supervisor (community contact is
/// arranged by hand); handover one of the Saturday slots. Candidate starts step through the
/// centre's opening hours in London time on the days the service is offered. At most 500
/// slots, earliest first.
#[utoipa::path(tag = "availability",
    params(("id" = String, Path, description = "Centre id"), AvailabilityQuery),
    responses((status = 200, description = "Free slots, earliest first.", body = Availability),
        (status = 400, response = error::BadRequest), (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound),
        (status = 422, response = error::Unprocessable)))]
#[get("/centres/{id}/availability")]
pub async fn centre_availability(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    query: ValidQuery<AvailabilityQuery>,
) -> Result<HttpResponse, ApiError> {
    let p = Params::parse(query.0)?;
    let turnaround = Duration::minutes(i64::from(state.config.turnaround_minutes));
    let id = id.into_inner();
    let found = state
        .read(move |conn| {
            let centre = centres::find(conn, &id).or_not_found("centre")?;
            principal
                .actor()
                .manage_cases(&centre.provider_id)
                .require("centre")?;
            let (provider_id, name) = (centre.provider_id.clone(), centre.name.clone());
            let Some(place) = place(conn, centre, &p)? else {
                return Err(ApiError::invalid(
                    "service",
                    "not_offered",
                    format!("{name} does not offer {} contact", p.service),
                ));
            };
            search(conn, &p, vec![place], &provider_id, turnaround)
        })
        .await?;
    Ok(HttpResponse::Ok().json(found))
}

/// Free times for a service across a provider's centres.
///
/// The provider's active centres that offer the service, merged earliest first (then by
/// centre id); for its coordinators and org admins. A supervisor free at two centres at once
/// is listed at both: booking one takes them from the other. At most 500 slots.
#[utoipa::path(tag = "availability",
    params(("id" = String, Path, description = "Provider id"), AvailabilityQuery),
    responses((status = 200, description = "Free slots, earliest first.", body = Availability),
        (status = 400, response = error::BadRequest), (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound),
        (status = 422, response = error::Unprocessable)))]
#[get("/providers/{id}/availability")]
pub async fn provider_availability(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    query: ValidQuery<AvailabilityQuery>,
) -> Result<HttpResponse, ApiError> {
    let p = Params::parse(query.0)?;
    let turnaround = Duration::minutes(i64::from(state.config.turnaround_minutes));
    let id = id.into_inner();
    let found = state
        .read(move |conn| {
            let provider = providers::find(conn, &id).or_not_found("provider")?;
            principal
                .actor()
                .manage_cases(&provider.id)
                .require("provider")?;
            let filter = CentreFilter {
                provider_id: Some(provider.id.clone()),
                service: Some(p.service),
                active: Some(true),
                ..Default::default()
            };
            let (mut places, mut after) = (Vec::new(), None::<String>);
            loop {
                let page = centres::list(conn, &filter, after.as_deref(), 200)?;
                after = page.items.last().map(|c| c.id.clone());
                for centre in page.items {
                    places.extend(place(conn, centre, &p)?);
                }
                if !page.has_more {
                    break;
                }
            }
            if places.is_empty() {
                return Err(ApiError::invalid(
                    "service",
                    "not_offered",
                    format!("no centre of this provider offers {} contact", p.service),
                ));
            }
            search(conn, &p, places, &provider.id, turnaround)
        })
        .await?;
    Ok(HttpResponse::Ok().json(found))
}
