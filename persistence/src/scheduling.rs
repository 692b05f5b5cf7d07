//! A centre's scheduling policy (arrival order and offset, handover lateness rule) and the
//! cross-family "keep apart" pairs that shared sessions plan around.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::AnyConnection;
use crate::schema::{keep_apart, scheduling_policies};
use crate::StoreError;

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = scheduling_policies)]
pub struct Policy {
    pub centre_id: String,
    pub arrival_order: String,
    pub arrival_offset_minutes: i32,
    pub lateness_threshold_minutes: i32,
    pub lateness_strikes: i32,
    pub lateness_window: i32,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: PrimitiveDateTime,
}

/// The centre's own policy, if it has set one.
pub fn policy(conn: &mut AnyConnection, centre_id: &str) -> Result<Option<Policy>, StoreError> {
    Ok(scheduling_policies::table
        .find(centre_id)
        .select(Policy::as_select())
        .get_result(conn)
        .optional()?)
}

/// Stores the policy, replacing the centre's previous one.
pub fn save_policy(conn: &mut AnyConnection, p: &Policy) -> Result<(), StoreError> {
    let updated = diesel::update(scheduling_policies::table.find(&p.centre_id))
        .set(p)
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(scheduling_policies::table)
            .values(p)
            .execute(conn)?;
    }
    Ok(())
}

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = keep_apart)]
pub struct KeepApart {
    pub id: String,
    pub referral_id: String,
    pub party: String,
    pub other_referral_id: String,
    pub other_party: String,
    pub reason: String,
    pub created_by: String,
    pub created_at: PrimitiveDateTime,
}

pub fn insert_keep_apart(conn: &mut AnyConnection, k: &KeepApart) -> Result<(), StoreError> {
    diesel::insert_into(keep_apart::table)
        .values(k)
        .execute(conn)?;
    Ok(())
}

/// Every pair that names one of the referrals, on either side.
pub fn keep_apart_for(
    conn: &mut AnyConnection,
    referral_ids: &[String],
) -> Result<Vec<KeepApart>, StoreError> {
    Ok(keep_apart::table
        .filter(
            keep_apart::referral_id
                .eq_any(referral_ids)
                .or(keep_apart::other_referral_id.eq_any(referral_ids)),
        )
        .order(keep_apart::id)
        .select(KeepApart::as_select())
        .load(conn)?)
}
