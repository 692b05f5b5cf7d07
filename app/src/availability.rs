//! Availability search: the free times at a centre, or across a provider's centres, that a
//! coordinator can offer a family for a service over a date range, by the rules a booking is
//! checked against (rooms, supervisors, turnaround, capacity, opening hours). Read-only: a
//! slot found here is not held, so a booking can still lose it to another one.

use std::collections::HashMap;

use ccm_domain::opening::OpeningPattern;
use ccm_domain::schedule::availability::{free_slots, Free, Needs, Resource, Search};
use ccm_domain::schedule::Slot;
use ccm_domain::{london, Role, RoomKind, ServiceType, Weekday};
use ccm_persistence::centres::{self, Centre, CentreFilter};
use ccm_persistence::users::{self, UserFilter};
use ccm_persistence::{offerings, providers, rooms, sessions, AnyConnection};
use time::{Date, Duration, OffsetDateTime};

use crate::access::{require, rules};
use crate::clock::stored;
use crate::{Actor, AppError, OrNotFound};

/// The most slots one answer lists; `truncated` says there were more.
pub const MAX_ITEMS: usize = 500;

/// What to search for: checked by the caller (dates in order, numbers in range).
#[derive(Clone, Copy, Debug)]
pub struct Params {
    pub service: ServiceType,
    pub from: Date,
    pub to: Date,
    pub minutes: Option<u32>,
    pub step: u32,
}

/// The free slots found, earliest first (then by centre id), each with its centre's id.
#[derive(Clone, Debug)]
pub struct Found {
    pub items: Vec<(String, Free<String>)>,
    /// More than [`MAX_ITEMS`] were free: only the first are listed.
    pub truncated: bool,
}

/// Free times for a service at a centre, for the provider's coordinators and org admins.
pub fn at_centre(
    conn: &mut AnyConnection,
    actor: &Actor,
    centre_id: &str,
    p: &Params,
    turnaround: Duration,
) -> Result<Found, AppError> {
    let centre = centres::find(conn, centre_id).or_not_found("centre")?;
    require(rules(actor).manage_cases(&centre.provider_id), "centre")?;
    let (provider_id, name) = (centre.provider_id.clone(), centre.name.clone());
    let Some(place) = place(conn, centre, p)? else {
        return Err(AppError::invalid(
            "service",
            "not_offered",
            format!("{name} does not offer {} contact", p.service),
        ));
    };
    search(conn, p, vec![place], &provider_id, turnaround)
}

/// Free times for a service across a provider's active centres that offer it.
pub fn at_provider(
    conn: &mut AnyConnection,
    actor: &Actor,
    provider_id: &str,
    p: &Params,
    turnaround: Duration,
) -> Result<Found, AppError> {
    let provider = providers::find(conn, provider_id).or_not_found("provider")?;
    require(rules(actor).manage_cases(&provider.id), "provider")?;
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
            places.extend(place(conn, centre, p)?);
        }
        if !page.has_more {
            break;
        }
    }
    if places.is_empty() {
        return Err(AppError::invalid(
            "service",
            "not_offered",
            format!("no centre of this provider offers {} contact", p.service),
        ));
    }
    search(conn, p, places, &provider.id, turnaround)
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
fn place(conn: &mut AnyConnection, centre: Centre, p: &Params) -> Result<Option<Place>, AppError> {
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
fn supervisors(conn: &mut AnyConnection, provider_id: &str) -> Result<Vec<String>, AppError> {
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
) -> Result<Found, AppError> {
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
    Ok(Found { items, truncated })
}

/// The free slots from `first` to `last` at every place, earliest first, with one query for
/// the sessions holding their rooms or the provider's supervisors then.
fn window(
    conn: &mut AnyConnection,
    plan: &Plan<'_>,
    first: Date,
    last: Date,
    limit: usize,
) -> Result<Vec<(String, Free<String>)>, AppError> {
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
        items.extend(found.into_iter().map(|f| (place.centre.id.clone(), f)));
    }
    items.sort_by(|a, b| (a.1.slot.start, &a.0).cmp(&(b.1.slot.start, &b.0)));
    Ok(items)
}
