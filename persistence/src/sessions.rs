//! Contact sessions and each parent's planned and actual times at them.

use ccm_domain::events::EventKind;
use ccm_domain::schedule::LONGEST_SESSION;
use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::AnyConnection;
use crate::schema::{rooms, session_parties, sessions, users};
use crate::webhooks::Change;
use crate::StoreError;

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
// An absent value is written as NULL (no column has another default), so that SQLite too
// inserts several sessions in one statement instead of one by one.
#[diesel(treat_none_as_default_value = false)]
pub struct Session {
    pub id: String,
    pub referral_id: String,
    pub series_id: Option<String>,
    pub centre_id: String,
    pub service_type: String,
    pub room_id: Option<String>,
    pub supervisor_id: Option<String>,
    pub community_place: Option<String>,
    pub handover_slot: Option<String>,
    pub starts_at: PrimitiveDateTime,
    pub ends_at: PrimitiveDateTime,
    /// provisional, awaiting_payment, confirmed, completed, ended_early or cancelled.
    pub status: String,
    pub charge_id: Option<String>,
    pub cancelled_by: Option<String>,
    pub cancelled_at: Option<PrimitiveDateTime>,
    pub cancel_reason: Option<String>,
    pub notice_minutes: Option<i64>,
    pub cancellation_charge_id: Option<String>,
    pub ended_early_reason: Option<String>,
    pub version: i64,
    pub created_by: String,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = session_parties)]
pub struct SessionParty {
    pub session_id: String,
    pub party: String,
    pub expected_arrival: PrimitiveDateTime,
    pub expected_departure: PrimitiveDateTime,
    pub arrived_at: Option<PrimitiveDateTime>,
    pub departed_at: Option<PrimitiveDateTime>,
    pub late_minutes: Option<i32>,
    pub no_show: bool,
}

#[derive(Clone, Debug, Default, AsChangeset)]
#[diesel(table_name = sessions)]
pub struct SessionChanges {
    pub status: Option<String>,
    pub starts_at: Option<PrimitiveDateTime>,
    pub ends_at: Option<PrimitiveDateTime>,
    pub room_id: Option<Option<String>>,
    pub supervisor_id: Option<Option<String>>,
    pub community_place: Option<Option<String>>,
    pub series_id: Option<Option<String>>,
    pub charge_id: Option<Option<String>>,
    pub cancelled_by: Option<Option<String>>,
    pub cancelled_at: Option<Option<PrimitiveDateTime>>,
    pub cancel_reason: Option<Option<String>>,
    pub notice_minutes: Option<Option<i64>>,
    pub cancellation_charge_id: Option<Option<String>>,
    pub ended_early_reason: Option<Option<String>>,
}

/// One parent's recorded turnout, written back after a check-in, check-out or no-show.
#[derive(Clone, Debug, Default, AsChangeset)]
#[diesel(table_name = session_parties)]
pub struct PartyChanges {
    pub expected_arrival: Option<PrimitiveDateTime>,
    pub expected_departure: Option<PrimitiveDateTime>,
    pub arrived_at: Option<Option<PrimitiveDateTime>>,
    pub departed_at: Option<Option<PrimitiveDateTime>>,
    pub late_minutes: Option<Option<i32>>,
    pub no_show: Option<bool>,
}

/// Another session holding a room or a supervisor, as the clash check needs it.
#[derive(Clone, Debug, PartialEq, Eq, Queryable)]
pub struct Held {
    pub id: String,
    pub starts_at: PrimitiveDateTime,
    pub ends_at: PrimitiveDateTime,
}

pub fn insert(
    conn: &mut AnyConnection,
    session: &Session,
    parties: &[SessionParty],
) -> Result<(), StoreError> {
    diesel::insert_into(sessions::table)
        .values(session)
        .execute(conn)?;
    // One row at a time: batch inserts are not portable across the two backends.
    for party in parties {
        diesel::insert_into(session_parties::table)
            .values(party)
            .execute(conn)?;
    }
    crate::webhooks::emit(
        conn,
        Change {
            referral_id: &session.referral_id,
            kind: EventKind::Session,
            id: &session.id,
            state: &session.status,
            at: session.created_at,
        },
    )
}

pub fn find(conn: &mut AnyConnection, id: &str) -> Result<Session, StoreError> {
    Ok(sessions::table
        .find(id)
        .select(Session::as_select())
        .get_result(conn)?)
}

find_locked!(sessions, Session);

pub fn for_referral(
    conn: &mut AnyConnection,
    referral_id: &str,
) -> Result<Vec<Session>, StoreError> {
    Ok(sessions::table
        .filter(sessions::referral_id.eq(referral_id))
        .order((sessions::starts_at, sessions::id))
        .select(Session::as_select())
        .load(conn)?)
}

pub fn parties(
    conn: &mut AnyConnection,
    session_ids: &[String],
) -> Result<Vec<SessionParty>, StoreError> {
    Ok(session_parties::table
        .filter(session_parties::session_id.eq_any(session_ids))
        .order((session_parties::session_id, session_parties::party))
        .select(SessionParty::as_select())
        .load(conn)?)
}

pub fn update(
    conn: &mut AnyConnection,
    id: &str,
    changes: &SessionChanges,
    at: PrimitiveDateTime,
) -> Result<Session, StoreError> {
    let before = match &changes.status {
        Some(_) => Some(find(conn, id)?.status),
        None => None,
    };
    diesel::update(sessions::table.find(id))
        .set((
            changes,
            sessions::version.eq(sessions::version + 1),
            sessions::updated_at.eq(at),
        ))
        .execute(conn)?;
    let row = find(conn, id)?;
    crate::webhooks::emit_if_changed(
        conn,
        before,
        Change {
            referral_id: &row.referral_id,
            kind: EventKind::Session,
            id: &row.id,
            state: &row.status,
            at,
        },
    )?;
    Ok(row)
}

/// Takes the room's row lock for the rest of the transaction, so two bookings of one room
/// check and insert one after the other (a no-op UPDATE; SQLite's writer already serialises).
pub fn lock_room(conn: &mut AnyConnection, room_id: &str) -> Result<(), StoreError> {
    crate::statements::lock_taken();
    let n = diesel::update(rooms::table.find(room_id))
        .set(rooms::version.eq(rooms::version))
        .execute(conn)?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The same for a supervisor's account row.
pub fn lock_supervisor(conn: &mut AnyConnection, user_id: &str) -> Result<(), StoreError> {
    crate::statements::lock_taken();
    let n = diesel::update(users::table.find(user_id))
        .set(users::version.eq(users::version))
        .execute(conn)?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Whose sessions a clash check reads.
#[derive(Clone, Copy, Debug)]
pub enum Holder<'a> {
    Room(&'a str),
    Supervisor(&'a str),
    /// A family's own sessions: it is in one place at a time.
    Referral(&'a str),
}

/// The earliest start of a session that can still be running at `from`: bounding the start
/// on both sides lets the `(holder, starts_at)` indexes read only a window, not the holder's
/// whole history.
fn earliest_start(from: PrimitiveDateTime) -> PrimitiveDateTime {
    from - LONGEST_SESSION
}

/// The holder's sessions (not cancelled) that overlap `from`..`to`, earliest first.
pub fn holding(
    conn: &mut AnyConnection,
    holder: Holder,
    from: PrimitiveDateTime,
    to: PrimitiveDateTime,
) -> Result<Vec<Held>, StoreError> {
    let query = sessions::table
        .filter(sessions::status.ne("cancelled"))
        .filter(sessions::starts_at.ge(earliest_start(from)))
        .filter(sessions::starts_at.lt(to))
        .filter(sessions::ends_at.gt(from))
        .order((sessions::starts_at, sessions::id))
        .select((sessions::id, sessions::starts_at, sessions::ends_at))
        .into_boxed();
    let query = match holder {
        Holder::Room(id) => query.filter(sessions::room_id.eq(id.to_string())),
        Holder::Supervisor(id) => query.filter(sessions::supervisor_id.eq(id.to_string())),
        Holder::Referral(id) => query.filter(sessions::referral_id.eq(id.to_string())),
    };
    Ok(query.load(conn)?)
}

pub fn update_party(
    conn: &mut AnyConnection,
    session_id: &str,
    party: &str,
    changes: &PartyChanges,
) -> Result<(), StoreError> {
    let n = diesel::update(session_parties::table.find((session_id, party)))
        .set(changes)
        .execute(conn)?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The sessions of a series, earliest first.
pub fn in_series(conn: &mut AnyConnection, series_id: &str) -> Result<Vec<Session>, StoreError> {
    Ok(sessions::table
        .filter(sessions::series_id.eq(series_id))
        .order((sessions::starts_at, sessions::id))
        .select(Session::as_select())
        .load(conn)?)
}

/// The families sharing a room at exactly these times (a shared supported session), in the
/// order they were booked.
pub fn sharing(
    conn: &mut AnyConnection,
    room_id: &str,
    starts_at: PrimitiveDateTime,
    ends_at: PrimitiveDateTime,
) -> Result<Vec<Session>, StoreError> {
    Ok(sessions::table
        .filter(sessions::room_id.eq(room_id))
        .filter(sessions::status.ne("cancelled"))
        .filter(sessions::starts_at.eq(starts_at))
        .filter(sessions::ends_at.eq(ends_at))
        .order((sessions::created_at, sessions::id))
        .select(Session::as_select())
        .load(conn)?)
}

/// The case's sessions that started before `before` and were attended or missed, most recent
/// first, with the parties' records: the history a lateness rule looks at.
pub fn attended_before(
    conn: &mut AnyConnection,
    referral_id: &str,
    before: PrimitiveDateTime,
) -> Result<Vec<(Session, Vec<SessionParty>)>, StoreError> {
    let rows: Vec<Session> = sessions::table
        .filter(sessions::referral_id.eq(referral_id))
        .filter(sessions::status.eq_any(["confirmed", "completed", "ended_early"]))
        .filter(sessions::starts_at.lt(before))
        .order((sessions::starts_at.desc(), sessions::id.desc()))
        .select(Session::as_select())
        .load(conn)?;
    let ids: Vec<String> = rows.iter().map(|s| s.id.clone()).collect();
    let mut parties = parties(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|s| {
            let mine = parties
                .iter()
                .filter(|p| p.session_id == s.id)
                .cloned()
                .collect();
            parties.retain(|p| p.session_id != s.id);
            (s, mine)
        })
        .collect())
}

/// The case's sessions not yet over or cancelled that start after `after`.
pub fn upcoming(
    conn: &mut AnyConnection,
    referral_id: &str,
    after: PrimitiveDateTime,
) -> Result<Vec<Session>, StoreError> {
    Ok(sessions::table
        .filter(sessions::referral_id.eq(referral_id))
        .filter(sessions::status.eq_any(["provisional", "awaiting_payment", "confirmed"]))
        .filter(sessions::starts_at.gt(after))
        .order((sessions::starts_at, sessions::id))
        .select(Session::as_select())
        .load(conn)?)
}

/// A session (not cancelled) holding a room or a supervisor, for an availability search.
#[derive(Clone, Debug, PartialEq, Eq, Queryable)]
pub struct Holding {
    pub id: String,
    pub room_id: Option<String>,
    pub supervisor_id: Option<String>,
    pub starts_at: PrimitiveDateTime,
    pub ends_at: PrimitiveDateTime,
}

/// The sessions (not cancelled) holding any of `room_ids` or `supervisor_ids` that overlap
/// `from`..`to`, earliest first: one query for the rooms and one for the supervisors (a
/// supervisor's sessions at other centres count too). A session holding both is listed once.
pub fn holding_any(
    conn: &mut AnyConnection,
    room_ids: &[String],
    supervisor_ids: &[String],
    from: PrimitiveDateTime,
    to: PrimitiveDateTime,
) -> Result<Vec<Holding>, StoreError> {
    let earliest = earliest_start(from);
    let columns = (
        sessions::id,
        sessions::room_id,
        sessions::supervisor_id,
        sessions::starts_at,
        sessions::ends_at,
    );
    let mut found: Vec<Holding> = Vec::new();
    if !room_ids.is_empty() {
        found = sessions::table
            .filter(sessions::room_id.eq_any(room_ids))
            .filter(sessions::status.ne("cancelled"))
            .filter(sessions::starts_at.ge(earliest))
            .filter(sessions::starts_at.lt(to))
            .filter(sessions::ends_at.gt(from))
            .select(columns)
            .load(conn)?;
    }
    if !supervisor_ids.is_empty() {
        let seen: std::collections::HashSet<String> = found.iter().map(|h| h.id.clone()).collect();
        let more: Vec<Holding> = sessions::table
            .filter(sessions::supervisor_id.eq_any(supervisor_ids))
            .filter(sessions::status.ne("cancelled"))
            .filter(sessions::starts_at.ge(earliest))
            .filter(sessions::starts_at.lt(to))
            .filter(sessions::ends_at.gt(from))
            .select(columns)
            .load(conn)?;
        found.extend(more.into_iter().filter(|h| !seen.contains(&h.id)));
    }
    found.sort_by(|a, b| (a.starts_at, &a.id).cmp(&(b.starts_at, &b.id)));
    Ok(found)
}
