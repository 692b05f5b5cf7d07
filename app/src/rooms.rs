//! Rooms in a centre: listed by anyone, added and changed by the centre's org admins.

use ccm_domain::catalogue::room_capacity;
use ccm_domain::RoomKind;
use ccm_persistence::rooms::{self, RoomChanges};
use ccm_persistence::{centres, new_id, now, AnyConnection};

pub use ccm_persistence::rooms::Room;

use crate::access::{require, rules};
use crate::{Actor, AppError, IfMatch, OrNotFound, Page, ProblemType};

/// A room to add.
#[derive(Clone, Debug)]
pub struct NewRoom {
    pub name: String,
    pub kind: RoomKind,
    pub capacity: Option<u32>,
    pub active: bool,
}

/// Changes to a room; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct RoomPatch {
    pub name: Option<String>,
    pub kind: Option<RoomKind>,
    pub capacity: Option<u32>,
    pub active: Option<bool>,
}

fn capacity(kind: RoomKind, requested: Option<u32>) -> Result<i32, AppError> {
    room_capacity(kind, requested)
        .map(|c| i32::try_from(c).unwrap_or(1))
        .map_err(|why| AppError::invalid("capacity", "capacity", why))
}

fn ensure_unique_name(
    conn: &mut AnyConnection,
    centre_id: &str,
    name: &str,
    except: Option<&str>,
) -> Result<(), AppError> {
    if rooms::name_taken(conn, centre_id, name, except)? {
        return Err(AppError::conflict(
            ProblemType::DuplicateName,
            "this centre already has a room with this name",
        ));
    }
    Ok(())
}

/// A page of a centre's rooms.
pub fn list(
    conn: &mut AnyConnection,
    centre_id: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<Room>, AppError> {
    centres::find(conn, centre_id).or_not_found("centre")?;
    Ok(rooms::list_for_centre(conn, centre_id, after, limit)?)
}

pub fn get(conn: &mut AnyConnection, id: &str) -> Result<Room, AppError> {
    rooms::find(conn, id).or_not_found("room")
}

/// Adds a room to a centre whose catalogue the actor manages.
pub fn create(
    conn: &mut AnyConnection,
    actor: &Actor,
    centre_id: &str,
    new: NewRoom,
) -> Result<Room, AppError> {
    let capacity = capacity(new.kind, new.capacity)?;
    let centre = centres::find(conn, centre_id).or_not_found("centre")?;
    require(rules(actor).manage_catalogue(&centre.provider_id), "centre")?;
    let name = new.name.trim().to_string();
    ensure_unique_name(conn, &centre.id, &name, None)?;
    let at = now();
    let room = Room {
        id: new_id(),
        centre_id: centre.id,
        name,
        kind: new.kind.as_str().to_string(),
        capacity,
        active: new.active,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    rooms::insert(conn, &room)?;
    Ok(room)
}

/// Changes a room. Changing its kind re-checks the capacity: a shared room made private holds
/// one family.
pub fn update(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: &str,
    patch: RoomPatch,
    if_match: &IfMatch,
) -> Result<Room, AppError> {
    let current = rooms::find_locked(conn, id).or_not_found("room")?;
    let centre = centres::find(conn, &current.centre_id)?;
    require(rules(actor).manage_catalogue(&centre.provider_id), "room")?;
    let kind = patch.kind.unwrap_or(current.kind()?);
    let capacity = match (patch.kind, patch.capacity) {
        (None, None) => None,
        (_, requested) => Some(capacity(
            kind,
            requested.or_else(|| {
                (kind == RoomKind::Shared).then(|| u32::try_from(current.capacity).unwrap_or(1))
            }),
        )?),
    };
    let name = patch.name.map(|n| n.trim().to_string());
    if let Some(name) = &name {
        ensure_unique_name(conn, &current.centre_id, name, Some(&current.id))?;
    }
    let changes = RoomChanges {
        name,
        kind: patch.kind.map(|k| k.as_str().to_string()),
        capacity,
        active: patch.active,
    };
    // Preconditions come last: a request that is wrong anyway gets that answer first.
    if_match.check(current.version)?;
    Ok(rooms::update(conn, &current.id, &changes, now())?)
}
