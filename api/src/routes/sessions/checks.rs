//! What a booking or a move needs and may not do: the room and supervisor the service needs,
//! and no clash with the other sessions holding them. The clash check reads each resource's
//! sessions once over the whole span booked and compares in memory, under the resources' row
//! locks, so two servers cannot both take the last place.

use time::Duration;

use crate::cases::{workflow, Case};
use crate::error::ApiError;
use ccm_domain::opening::hhmm;
use ccm_domain::schedule::booking::{exclusive_clash, shared_clash};
use ccm_domain::schedule::place;
use ccm_domain::schedule::Slot;
use ccm_domain::{london, Role, RoomKind, ServiceType};
use ccm_persistence::sessions::{self, Held, Holder};
use ccm_persistence::{rooms, users, AnyConnection};

/// Where a session happens, as asked for.
pub struct Place {
    pub room_id: Option<String>,
    pub supervisor_id: Option<String>,
    pub community_place: Option<String>,
}

/// The room (with its kind and capacity) and supervisor a session holds.
pub struct Resources {
    pub room: Option<(String, RoomKind, u32)>,
    pub supervisor: Option<String>,
}

/// The room and supervisor the service needs (by `place::needs`), checked against the case's
/// centre and provider.
pub fn resources(
    conn: &mut AnyConnection,
    case: &Case,
    b: &Place,
    service: ServiceType,
) -> Result<Resources, ApiError> {
    let r = &case.referral;
    let refuse = |e: place::PlaceError| ApiError::invalid(e.field(), e.code(), e.to_string());
    let asked = place::Asked {
        room: b.room_id.is_some(),
        supervisor: b.supervisor_id.is_some(),
        community_place: b.community_place.is_some(),
    };
    place::check(service, asked).map_err(refuse)?;
    if let Some(sup) = &b.supervisor_id {
        let user = users::find(conn, sup).ok();
        let fits = user.is_some_and(|u| {
            u.active
                && u.role == Role::Supervisor.as_str()
                && u.provider_id.as_deref() == Some(r.provider_id.as_str())
        });
        if !fits {
            return Err(ApiError::invalid(
                "supervisor_id",
                "not_supervisor",
                "not an active supervisor of this provider",
            ));
        }
    }
    let supervisor = b.supervisor_id.clone();
    let Some(room_id) = &b.room_id else {
        return Ok(Resources {
            room: None,
            supervisor,
        });
    };
    let room = rooms::find(conn, room_id)
        .ok()
        .filter(|room| room.centre_id == r.centre_id && room.active);
    let Some(room) = room else {
        return Err(ApiError::invalid(
            "room_id",
            "not_found",
            "no such room at the case's centre",
        ));
    };
    let kind = room.kind()?;
    place::check_room(service, kind).map_err(refuse)?;
    Ok(Resources {
        room: Some((room.id, kind, u32::try_from(room.capacity).unwrap_or(1))),
        supervisor,
    })
}

fn held(rows: Vec<Held>) -> Vec<(String, Slot)> {
    rows.into_iter()
        .map(|h| {
            (
                h.id,
                Slot {
                    start: h.starts_at.assume_utc(),
                    end: h.ends_at.assume_utc(),
                },
            )
        })
        .collect()
}

fn clash(id: &str, what: &str, slot: &Slot) -> ApiError {
    let local = london::to_local(slot.start);
    ApiError::Clash {
        detail: format!(
            "the {what} is already booked around {} {}",
            local.date(),
            hhmm::text(local.time())
        ),
        session_id: id.to_string(),
    }
}

/// Takes the room's and supervisor's row locks for the rest of the transaction: a concurrent
/// booking of either waits here until this one commits, then sees it.
pub fn lock(conn: &mut AnyConnection, res: &Resources) -> Result<(), ApiError> {
    if let Some((room_id, _, _)) = &res.room {
        sessions::lock_room(conn, room_id)?;
    }
    if let Some(sup) = &res.supervisor {
        sessions::lock_supervisor(conn, sup)?;
    }
    Ok(())
}

/// From the earliest start to the latest end of the slots.
fn span(slots: &[Slot]) -> Option<(time::OffsetDateTime, time::OffsetDateTime)> {
    Some((
        slots.iter().map(|s| s.start).min()?,
        slots.iter().map(|s| s.end).max()?,
    ))
}

/// The sessions held, less those being moved (they do not clash with their own new times).
fn except(rows: Vec<Held>, moving: &[String]) -> Vec<(String, Slot)> {
    held(rows)
        .into_iter()
        .filter(|(id, _)| !moving.contains(id))
        .collect()
}

/// Refuses the slots if any would clash with a session already holding the room or the
/// supervisor (sessions in `moving` are being replaced and do not count).
pub fn check_clashes(
    conn: &mut AnyConnection,
    res: &Resources,
    slots: &[Slot],
    turnaround: Duration,
    moving: &[String],
) -> Result<(), ApiError> {
    let Some((first, last)) = span(slots) else {
        return Ok(());
    };
    let from = workflow::stored(first - turnaround);
    let to = workflow::stored(last + turnaround);
    let others = |rows: Vec<Held>| except(rows, moving);
    if let Some((room_id, kind, capacity)) = &res.room {
        let taken = others(sessions::holding(conn, Holder::Room(room_id), from, to)?);
        for slot in slots {
            let hit = match kind {
                RoomKind::Shared => shared_clash(&taken, slot, *capacity),
                RoomKind::Private => exclusive_clash(&taken, slot, turnaround),
            };
            if let Some(other) = hit {
                return Err(clash(other, "room", slot));
            }
        }
    }
    if let Some(sup) = &res.supervisor {
        let taken = others(sessions::holding(conn, Holder::Supervisor(sup), from, to)?);
        for slot in slots {
            if let Some(other) = exclusive_clash(&taken, slot, turnaround) {
                return Err(clash(other, "supervisor", slot));
            }
        }
    }
    Ok(())
}

/// Refuses slots that overlap the case's own sessions: a family is in one place at a time.
pub fn check_own(
    conn: &mut AnyConnection,
    referral_id: &str,
    slots: &[Slot],
    moving: &[String],
) -> Result<(), ApiError> {
    let Some((first, last)) = span(slots) else {
        return Ok(());
    };
    let rows = sessions::holding(
        conn,
        Holder::Referral(referral_id),
        workflow::stored(first),
        workflow::stored(last),
    )?;
    let mine = except(rows, moving);
    for slot in slots {
        if let Some(other) = exclusive_clash(&mine, slot, Duration::ZERO) {
            return Err(clash(other, "family", slot));
        }
    }
    Ok(())
}
