//! The reads and writes of placing sessions (booking, moving), shaped so that a booking takes
//! few round trips: what needs no lock is read in a few joined queries before the room's lock
//! is taken, and under the lock one query reads every session that can clash or share, and the
//! sessions and all their parents' planned times are written with one statement each.

use diesel::prelude::*;
use diesel::sql_types::{Bool, Text, Timestamp};
use diesel::upsert::excluded;
use diesel::IntoSql;
use time::{Date, PrimitiveDateTime};

use crate::centres::Centre;
use crate::clients::Client;
use crate::db::AnyConnection;
use crate::referrals::Referral;
use crate::rooms::Room;
use crate::scheduling::{KeepApart, Policy};
use crate::schema::{
    api_clients, assessments, centres, keep_apart, offerings, referrals, rooms,
    scheduling_policies, session_parties, sessions, tariff_versions, webhook_subscriptions,
};
use crate::sessions::{Session, SessionParty};
use crate::tariffs::TariffVersion;
use crate::webhooks::Subscription;
use crate::StoreError;

/// The referral, row-locked for the rest of the transaction in one round trip (`FOR UPDATE` on
/// PostgreSQL; SQLite's writer already holds the whole database).
pub fn referral_locked(conn: &mut AnyConnection, id: &str) -> Result<Referral, StoreError> {
    let row = match conn {
        AnyConnection::Postgresql(pg) => referrals::table
            .find(id)
            .select(Referral::as_select())
            .for_update()
            .get_result(pg)
            .optional()?,
        AnyConnection::Sqlite(c) => referrals::table
            .find(id)
            .select(Referral::as_select())
            .get_result(c)
            .optional()?,
    };
    row.ok_or(StoreError::NotFound)
}

/// Where a case's sessions happen, read at once: the centre, its scheduling policy, the
/// tariff version in force on a day for the service (if the centre offers it) and the room
/// asked for, if it is one of the centre's.
pub struct Site {
    pub centre: Centre,
    pub policy: Option<Policy>,
    pub tariff: Option<TariffVersion>,
    pub room: Option<Room>,
}

/// One row of [`site`]: one per tariff version in force.
type SiteRow = (Centre, Option<Policy>, Option<TariffVersion>, Option<Room>);

pub fn site(
    conn: &mut AnyConnection,
    centre_id: &str,
    service: &str,
    room_id: Option<&str>,
    on: Date,
) -> Result<Site, StoreError> {
    // Every tariff version in force by `on` comes back, one row each; the latest applies.
    let (service, room_id) = (service.to_string(), room_id.unwrap_or_default().to_string());
    let rows: Vec<SiteRow> = centres::table
        .left_join(scheduling_policies::table.on(scheduling_policies::centre_id.eq(centres::id)))
        .left_join(
            offerings::table.on(offerings::centre_id
                .eq(centres::id)
                .and(offerings::service_type.eq(service))),
        )
        .left_join(
            tariff_versions::table.on(tariff_versions::tariff_id
                .eq(offerings::tariff_id)
                .and(tariff_versions::effective_from.le(on))),
        )
        .left_join(rooms::table.on(rooms::centre_id.eq(centres::id).and(rooms::id.eq(room_id))))
        .filter(centres::id.eq(centre_id))
        .select((
            Centre::as_select(),
            Option::<Policy>::as_select(),
            Option::<TariffVersion>::as_select(),
            Option::<Room>::as_select(),
        ))
        .load(conn)?;
    let tariff = rows
        .iter()
        .filter_map(|r| r.2.clone())
        .max_by_key(|v| v.effective_from);
    let (centre, policy, _, room) = rows.into_iter().next().ok_or(StoreError::NotFound)?;
    Ok(Site {
        centre,
        policy,
        tariff,
        room,
    })
}

/// The families a placement may plan together: the named referrals, and those with a session
/// (not cancelled) in one of `rooms` starting at one of `starts` (a superset of the families
/// sharing each slot exactly; the caller picks them out).
pub struct Families<'a> {
    pub referrals: &'a [String],
    pub rooms: &'a [String],
    pub starts: &'a [PrimitiveDateTime],
}

/// What a placement knows of the families it may plan together: each family's assessments'
/// arrival offsets (one row per assessment; a family without any comes back once with none)
/// and, if `pairs`, the keep-apart pairs naming a family on either side, in one query.
pub struct FamilyRows {
    pub offsets: Vec<(String, Option<String>, Option<i32>)>,
    pub pairs: Vec<KeepApart>,
}

/// One row of [`families`]: a family, one of its assessments and one pair naming it.
type FamilyRow = (String, Option<String>, Option<i32>, Option<KeepApart>);

pub fn families(
    conn: &mut AnyConnection,
    f: &Families,
    pairs: bool,
) -> Result<FamilyRows, StoreError> {
    let sharing = sessions::table
        .filter(sessions::room_id.eq_any(f.rooms))
        .filter(sessions::starts_at.eq_any(f.starts))
        .filter(sessions::status.ne("cancelled"))
        .select(sessions::referral_id);
    // With no pairs wanted, the join matches nothing rather than changing the query's shape.
    let naming = keep_apart::referral_id
        .eq(referrals::id)
        .or(keep_apart::other_referral_id.eq(referrals::id))
        .and(pairs.into_sql::<Bool>());
    let rows: Vec<FamilyRow> = referrals::table
        .left_join(assessments::table.on(assessments::referral_id.eq(referrals::id)))
        .left_join(keep_apart::table.on(naming))
        .filter(
            referrals::id
                .eq_any(f.referrals)
                .or(referrals::id.eq_any(sharing)),
        )
        .select((
            referrals::id,
            assessments::id.nullable(),
            assessments::arrival_offset_minutes.nullable(),
            Option::<KeepApart>::as_select(),
        ))
        .load(conn)?;
    let mut out = FamilyRows {
        offsets: Vec::new(),
        pairs: Vec::new(),
    };
    for (referral, assessment, offset, pair) in rows {
        out.offsets.push((referral, assessment, offset));
        if let Some(k) = pair {
            if !out.pairs.iter().any(|p| p.id == k.id) {
                out.pairs.push(k);
            }
        }
    }
    out.pairs.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// Who hears of a change to a case created by `creator`: the creator's API client, if it has
/// one, and the client's active webhook subscriptions.
pub fn audience(
    conn: &mut AnyConnection,
    creator: &str,
) -> Result<Option<(Client, Vec<Subscription>)>, StoreError> {
    let rows: Vec<(Client, Option<Subscription>)> = api_clients::table
        .left_join(
            webhook_subscriptions::table.on(webhook_subscriptions::client_id
                .eq(api_clients::id)
                .and(webhook_subscriptions::active.eq(true))),
        )
        .filter(api_clients::user_id.eq(creator))
        .order(webhook_subscriptions::id.nullable())
        .select((Client::as_select(), Option::<Subscription>::as_select()))
        .load(conn)?;
    let mut rows = rows.into_iter();
    let Some((client, first)) = rows.next() else {
        return Ok(None);
    };
    let subscribed = first.into_iter().chain(rows.filter_map(|r| r.1)).collect();
    Ok(Some((client, subscribed)))
}

/// A session (not cancelled) that may clash with or share a placement.
#[derive(Clone, Debug, PartialEq, Eq, Queryable)]
pub struct Neighbour {
    pub id: String,
    pub referral_id: String,
    pub service_type: String,
    pub room_id: Option<String>,
    pub supervisor_id: Option<String>,
    pub starts_at: PrimitiveDateTime,
    pub ends_at: PrimitiveDateTime,
    pub created_at: PrimitiveDateTime,
}

/// Whose sessions a placement reads under its locks.
pub struct Holders<'a> {
    pub rooms: &'a [String],
    pub supervisor: Option<&'a str>,
    pub referral: &'a str,
}

/// The sessions (not cancelled) of the rooms, the supervisor or the family overlapping
/// `from`..`to`, earliest first, in one query.
pub fn neighbours(
    conn: &mut AnyConnection,
    h: &Holders,
    from: PrimitiveDateTime,
    to: PrimitiveDateTime,
) -> Result<Vec<Neighbour>, StoreError> {
    // No session lasts more than a day, so this lower bound on the start lets the
    // (room_id, starts_at) and (supervisor_id, starts_at) indexes end the scan.
    let earliest = from - time::Duration::DAY;
    let holder = sessions::referral_id
        .eq(h.referral)
        .or(sessions::room_id.eq_any(h.rooms))
        .or(sessions::supervisor_id.eq(h.supervisor.unwrap_or_default()));
    Ok(sessions::table
        .filter(holder)
        .filter(sessions::status.ne("cancelled"))
        .filter(sessions::starts_at.ge(earliest))
        .filter(sessions::starts_at.lt(to))
        .filter(sessions::ends_at.gt(from))
        .order((sessions::starts_at, sessions::id))
        .select((
            sessions::id,
            sessions::referral_id,
            sessions::service_type,
            sessions::room_id,
            sessions::supervisor_id,
            sessions::starts_at,
            sessions::ends_at,
            sessions::created_at,
        ))
        .load(conn)?)
}

/// Inserts new sessions, all in one statement.
pub fn insert_sessions(conn: &mut AnyConnection, rows: &[Session]) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    on_backend!(conn, c => diesel::insert_into(sessions::table).values(rows).execute(c))?;
    Ok(())
}

/// Writes parents' planned times, all in one statement: new rows are inserted, and rows that
/// exist get the new times (their turnout is left as recorded).
pub fn plan_parties(conn: &mut AnyConnection, rows: &[SessionParty]) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    match conn {
        AnyConnection::Postgresql(pg) => {
            diesel::insert_into(session_parties::table)
                .values(rows)
                .on_conflict((session_parties::session_id, session_parties::party))
                .do_update()
                .set((
                    session_parties::expected_arrival
                        .eq(excluded(session_parties::expected_arrival)),
                    session_parties::expected_departure
                        .eq(excluded(session_parties::expected_departure)),
                ))
                .execute(pg)?;
        }
        // diesel builds no multi-row upsert for SQLite: the same statement, written out.
        AnyConnection::Sqlite(c) => {
            let values = vec!["(?, ?, ?, ?, NULL, NULL, NULL, ?)"; rows.len()].join(", ");
            let sql = format!(
                "INSERT INTO session_parties (session_id, party, expected_arrival, \
                 expected_departure, arrived_at, departed_at, late_minutes, no_show) \
                 VALUES {values} ON CONFLICT (session_id, party) DO UPDATE SET \
                 expected_arrival = excluded.expected_arrival, \
                 expected_departure = excluded.expected_departure"
            );
            let mut query = diesel::sql_query(sql).into_boxed::<diesel::sqlite::Sqlite>();
            for p in rows {
                query = query
                    .bind::<Text, _>(p.session_id.clone())
                    .bind::<Text, _>(p.party.clone())
                    .bind::<Timestamp, _>(p.expected_arrival)
                    .bind::<Timestamp, _>(p.expected_departure)
                    .bind::<Bool, _>(p.no_show);
            }
            query.execute(c)?;
        }
    }
    Ok(())
}
