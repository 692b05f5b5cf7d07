//! Indirect (letterbox) contact: a case's agreed schedule and its log of items. Items hold no
//! addresses; the address an item is sent to is its recipient party's, kept with the person.

use crate::webhooks::Change;
use ccm_domain::events::EventKind;
use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::AnyConnection;
use crate::schema::{indirect_items, indirect_schedules};
use crate::{Page, StoreError};

/// The schedule agreed for a case. `kinds`, `directions` and `occasions` are JSON arrays.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = indirect_schedules, primary_key(referral_id))]
pub struct Schedule {
    pub referral_id: String,
    pub kinds: String,
    pub directions: String,
    pub frequency: String,
    pub occasions: String,
    pub notes: Option<String>,
    pub version: i64,
    pub updated_by: String,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

pub fn schedule(
    conn: &mut AnyConnection,
    referral_id: &str,
) -> Result<Option<Schedule>, StoreError> {
    Ok(indirect_schedules::table
        .find(referral_id)
        .select(Schedule::as_select())
        .get_result(conn)
        .optional()?)
}

/// Stores the schedule, replacing the case's previous one.
pub fn save_schedule(conn: &mut AnyConnection, s: &Schedule) -> Result<(), StoreError> {
    let updated = diesel::update(indirect_schedules::table.find(&s.referral_id))
        .set(s)
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(indirect_schedules::table)
            .values(s)
            .execute(conn)?;
    }
    Ok(())
}

/// One item in the log.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = indirect_items)]
pub struct Item {
    pub id: String,
    pub referral_id: String,
    /// to_child or from_child.
    pub direction: String,
    pub kind: String,
    pub from_whom: String,
    pub description: Option<String>,
    pub large_or_valuable: bool,
    pub received_at: PrimitiveDateTime,
    pub status: String,
    pub check_notes: Option<String>,
    pub checked_by: Option<String>,
    pub checked_at: Option<PrimitiveDateTime>,
    pub decided_by: Option<String>,
    pub decided_at: Option<PrimitiveDateTime>,
    pub withheld_reason: Option<String>,
    pub charge_id: Option<String>,
    pub postage: Option<String>,
    pub tracking_number: Option<String>,
    pub sent_by: Option<String>,
    pub sent_at: Option<PrimitiveDateTime>,
    pub delivered_at: Option<PrimitiveDateTime>,
    pub returned_at: Option<PrimitiveDateTime>,
    pub return_reason: Option<String>,
    pub escalated_at: Option<PrimitiveDateTime>,
    pub escalation_notes: Option<String>,
    pub recorded_by: String,
    pub version: i64,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

/// What a step changes on an item; `None` leaves a column as it is.
#[derive(Clone, Debug, Default, AsChangeset)]
#[diesel(table_name = indirect_items)]
pub struct ItemChanges {
    pub status: Option<String>,
    pub check_notes: Option<Option<String>>,
    pub checked_by: Option<Option<String>>,
    pub checked_at: Option<Option<PrimitiveDateTime>>,
    pub decided_by: Option<Option<String>>,
    pub decided_at: Option<Option<PrimitiveDateTime>>,
    pub withheld_reason: Option<Option<String>>,
    pub charge_id: Option<Option<String>>,
    pub postage: Option<Option<String>>,
    pub tracking_number: Option<Option<String>>,
    pub sent_by: Option<Option<String>>,
    pub sent_at: Option<Option<PrimitiveDateTime>>,
    pub delivered_at: Option<Option<PrimitiveDateTime>>,
    pub returned_at: Option<Option<PrimitiveDateTime>>,
    pub return_reason: Option<Option<String>>,
    pub escalated_at: Option<Option<PrimitiveDateTime>>,
    pub escalation_notes: Option<Option<String>>,
}

pub fn insert(conn: &mut AnyConnection, item: &Item) -> Result<(), StoreError> {
    diesel::insert_into(indirect_items::table)
        .values(item)
        .execute(conn)?;
    crate::webhooks::emit(
        conn,
        Change {
            referral_id: &item.referral_id,
            kind: EventKind::IndirectItem,
            id: &item.id,
            state: &item.status,
            at: item.created_at,
        },
    )
}

pub fn find(conn: &mut AnyConnection, id: &str) -> Result<Item, StoreError> {
    Ok(indirect_items::table
        .find(id)
        .select(Item::as_select())
        .get_result(conn)?)
}

find_locked!(indirect_items, Item);

pub fn update(
    conn: &mut AnyConnection,
    id: &str,
    changes: &ItemChanges,
    at: PrimitiveDateTime,
) -> Result<Item, StoreError> {
    let before = match &changes.status {
        Some(_) => Some(find(conn, id)?.status),
        None => None,
    };
    diesel::update(indirect_items::table.find(id))
        .set((
            changes,
            indirect_items::version.eq(indirect_items::version + 1),
            indirect_items::updated_at.eq(at),
        ))
        .execute(conn)?;
    let row = find(conn, id)?;
    crate::webhooks::emit_if_changed(
        conn,
        before,
        Change {
            referral_id: &row.referral_id,
            kind: EventKind::IndirectItem,
            id: &row.id,
            state: &row.status,
            at,
        },
    )?;
    Ok(row)
}

/// A page of the case's items in the order they were logged, after the cursor.
pub fn page(
    conn: &mut AnyConnection,
    referral_id: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<Item>, StoreError> {
    let mut query = indirect_items::table
        .filter(indirect_items::referral_id.eq(referral_id))
        .order(indirect_items::id.asc())
        .limit(limit + 1)
        .select(Item::as_select())
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(indirect_items::id.gt(after.to_string()));
    }
    Ok(Page::from_overfetch(query.load(conn)?, limit))
}

/// The case's whole log, in the order items were logged.
pub fn for_referral(conn: &mut AnyConnection, referral_id: &str) -> Result<Vec<Item>, StoreError> {
    Ok(indirect_items::table
        .filter(indirect_items::referral_id.eq(referral_id))
        .order(indirect_items::id.asc())
        .select(Item::as_select())
        .load(conn)?)
}
