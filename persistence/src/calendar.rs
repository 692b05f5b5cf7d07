//! Calendar feeds: a secret URL per party of a case or per staff member, serving their
//! sessions as iCalendar. Only a hash of each feed's token is stored.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::AnyConnection;
use crate::schema::{calendar_feeds, centres, rooms, sessions};
use crate::sessions::Session;
use crate::{Page, StoreError};

/// One feed: either a party's (`referral_id` and `party`) or a staff member's (`user_id`).
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = calendar_feeds)]
pub struct CalendarFeed {
    pub id: String,
    /// SHA-256 of the token; the token itself is never stored.
    pub token_hash: String,
    pub referral_id: Option<String>,
    /// resident_parent or non_resident_parent.
    pub party: Option<String>,
    pub user_id: Option<String>,
    pub created_by: String,
    pub created_at: PrimitiveDateTime,
    pub revoked_at: Option<PrimitiveDateTime>,
}

pub fn insert(conn: &mut AnyConnection, feed: &CalendarFeed) -> Result<(), StoreError> {
    diesel::insert_into(calendar_feeds::table)
        .values(feed)
        .execute(conn)?;
    Ok(())
}

/// A live (unrevoked) feed by id.
pub fn find_live(conn: &mut AnyConnection, id: &str) -> Result<CalendarFeed, StoreError> {
    Ok(calendar_feeds::table
        .find(id)
        .filter(calendar_feeds::revoked_at.is_null())
        .select(CalendarFeed::as_select())
        .get_result(conn)?)
}

/// The live feed whose token hashes to `token_hash`, if any.
pub fn find_by_token_hash(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<Option<CalendarFeed>, StoreError> {
    Ok(calendar_feeds::table
        .filter(calendar_feeds::token_hash.eq(token_hash))
        .filter(calendar_feeds::revoked_at.is_null())
        .select(CalendarFeed::as_select())
        .get_result(conn)
        .optional()?)
}

/// A case's live feeds in id (creation) order after the cursor; only `party`'s if given.
pub fn for_referral(
    conn: &mut AnyConnection,
    referral_id: &str,
    party: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<CalendarFeed>, StoreError> {
    let mut query = calendar_feeds::table
        .filter(calendar_feeds::referral_id.eq(referral_id))
        .filter(calendar_feeds::revoked_at.is_null())
        .select(CalendarFeed::as_select())
        .order(calendar_feeds::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(party) = party {
        query = query.filter(calendar_feeds::party.eq(party.to_string()));
    }
    if let Some(after) = after {
        query = query.filter(calendar_feeds::id.gt(after.to_string()));
    }
    Ok(Page::from_overfetch(query.load(conn)?, limit))
}

/// A staff member's live feeds in id (creation) order after the cursor.
pub fn for_user(
    conn: &mut AnyConnection,
    user_id: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<CalendarFeed>, StoreError> {
    let mut query = calendar_feeds::table
        .filter(calendar_feeds::user_id.eq(user_id))
        .filter(calendar_feeds::revoked_at.is_null())
        .select(CalendarFeed::as_select())
        .order(calendar_feeds::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(calendar_feeds::id.gt(after.to_string()));
    }
    Ok(Page::from_overfetch(query.load(conn)?, limit))
}

/// Revokes a live feed; `false` if it was already revoked (or never existed), so that two
/// revocations racing each other see one success.
pub fn revoke(
    conn: &mut AnyConnection,
    id: &str,
    now: PrimitiveDateTime,
) -> Result<bool, StoreError> {
    let n = diesel::update(
        calendar_feeds::table
            .find(id)
            .filter(calendar_feeds::revoked_at.is_null()),
    )
    .set(calendar_feeds::revoked_at.eq(now))
    .execute(conn)?;
    Ok(n == 1)
}

/// The sessions in a staff member's feed, ending at or after `since`, earliest first: those
/// they supervise, and, when `provider_id` is given, every session at that provider's centres.
pub fn staff_sessions(
    conn: &mut AnyConnection,
    user_id: &str,
    provider_id: Option<&str>,
    since: PrimitiveDateTime,
) -> Result<Vec<Session>, StoreError> {
    let query = sessions::table
        .filter(sessions::ends_at.ge(since))
        .select(Session::as_select())
        .order((sessions::starts_at, sessions::id));
    let rows = match provider_id {
        Some(provider) => query
            .filter(
                sessions::supervisor_id
                    .eq(user_id)
                    .or(sessions::centre_id.eq_any(
                        centres::table
                            .filter(centres::provider_id.eq(provider))
                            .select(centres::id),
                    )),
            )
            .load(conn)?,
        None => query
            .filter(sessions::supervisor_id.eq(user_id))
            .load(conn)?,
    };
    Ok(rows)
}

/// Name and town of each centre, as `(id, name, town)`.
pub fn centre_places(
    conn: &mut AnyConnection,
    centre_ids: &[String],
) -> Result<Vec<(String, String, String)>, StoreError> {
    Ok(centres::table
        .filter(centres::id.eq_any(centre_ids))
        .select((centres::id, centres::name, centres::town))
        .load(conn)?)
}

/// Each room's name, as `(id, name)`.
pub fn room_names(
    conn: &mut AnyConnection,
    room_ids: &[String],
) -> Result<Vec<(String, String)>, StoreError> {
    Ok(rooms::table
        .filter(rooms::id.eq_any(room_ids))
        .select((rooms::id, rooms::name))
        .load(conn)?)
}
