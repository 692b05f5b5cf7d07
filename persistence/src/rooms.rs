//! Rooms in a centre: shared rooms hold several families, private rooms one.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::AnyConnection;
use crate::error::parse_stored;
use crate::schema::rooms;
use crate::{match_key, Page, StoreError};
use ccm_domain::RoomKind;

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = rooms)]
pub struct Room {
    pub id: String,
    pub centre_id: String,
    pub name: String,
    pub kind: String,
    /// Families at once; always 1 for a private room.
    pub capacity: i32,
    pub active: bool,
    pub version: i64,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

impl Room {
    pub fn kind(&self) -> Result<RoomKind, StoreError> {
        parse_stored("rooms.kind", &self.kind)
    }
}

#[derive(Clone, Debug, Default, AsChangeset)]
#[diesel(table_name = rooms)]
pub struct RoomChanges {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub capacity: Option<i32>,
    pub active: Option<bool>,
}

pub fn insert(conn: &mut AnyConnection, room: &Room) -> Result<(), StoreError> {
    diesel::insert_into(rooms::table)
        .values((room, rooms::name_key.eq(match_key(&room.name))))
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut AnyConnection, id: &str) -> Result<Room, StoreError> {
    Ok(rooms::table
        .find(id)
        .select(Room::as_select())
        .get_result(conn)?)
}

find_locked!(rooms, Room);

pub fn name_taken(
    conn: &mut AnyConnection,
    centre_id: &str,
    name: &str,
    except_id: Option<&str>,
) -> Result<bool, StoreError> {
    let mut query = rooms::table
        .filter(rooms::centre_id.eq(centre_id))
        .filter(rooms::name_key.eq(match_key(name)))
        .select(rooms::id)
        .into_boxed();
    if let Some(id) = except_id {
        query = query.filter(rooms::id.ne(id.to_string()));
    }
    Ok(query.get_result::<String>(conn).optional()?.is_some())
}

pub fn list_for_centre(
    conn: &mut AnyConnection,
    centre_id: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<Room>, StoreError> {
    let mut query = rooms::table
        .filter(rooms::centre_id.eq(centre_id))
        .select(Room::as_select())
        .order(rooms::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(rooms::id.gt(after.to_string()));
    }
    Ok(Page::from_overfetch(query.load(conn)?, limit))
}

pub fn update(
    conn: &mut AnyConnection,
    id: &str,
    changes: &RoomChanges,
    now: PrimitiveDateTime,
) -> Result<Room, StoreError> {
    diesel::update(rooms::table.find(id))
        .set((
            changes,
            changes
                .name
                .as_deref()
                .map(|n| rooms::name_key.eq(match_key(n))),
            rooms::version.eq(rooms::version + 1),
            rooms::updated_at.eq(now),
        ))
        .execute(conn)?;
    find(conn, id)
}
