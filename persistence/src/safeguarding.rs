//! Safeguarding concerns and the register of disclosures beyond attendance.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::AnyConnection;
use crate::schema::{disclosures, safeguarding_concerns as concerns};
use crate::StoreError;

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = concerns)]
pub struct Concern {
    pub id: String,
    pub referral_id: String,
    pub child_id: String,
    pub session_id: Option<String>,
    pub concern: String,
    pub raised_by: String,
    pub raised_at: PrimitiveDateTime,
    pub suspended_case: bool,
    pub status: String,
    pub decision: Option<String>,
    pub rationale: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<PrimitiveDateTime>,
    pub agency: Option<String>,
    pub agency_contact: Option<String>,
    pub agency_reference: Option<String>,
    pub referred_at: Option<PrimitiveDateTime>,
    pub referred_by: Option<String>,
    pub outcome: Option<String>,
    pub closed_by: Option<String>,
    pub closed_at: Option<PrimitiveDateTime>,
    pub version: i64,
}

pub fn insert(conn: &mut AnyConnection, concern: &Concern) -> Result<(), StoreError> {
    diesel::insert_into(concerns::table)
        .values(concern)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut AnyConnection, id: &str) -> Result<Concern, StoreError> {
    Ok(concerns::table
        .find(id)
        .select(Concern::as_select())
        .get_result(conn)?)
}

find_locked!(concerns, Concern);

/// Writes the whole row back (a step changes several columns at once) with the next version.
pub fn save(conn: &mut AnyConnection, concern: &Concern) -> Result<Concern, StoreError> {
    let next = Concern {
        version: concern.version + 1,
        ..concern.clone()
    };
    diesel::update(concerns::table.find(&concern.id))
        .set((
            concerns::status.eq(&next.status),
            concerns::decision.eq(&next.decision),
            concerns::rationale.eq(&next.rationale),
            concerns::decided_by.eq(&next.decided_by),
            concerns::decided_at.eq(next.decided_at),
            concerns::agency.eq(&next.agency),
            concerns::agency_contact.eq(&next.agency_contact),
            concerns::agency_reference.eq(&next.agency_reference),
            concerns::referred_at.eq(next.referred_at),
            concerns::referred_by.eq(&next.referred_by),
            concerns::outcome.eq(&next.outcome),
            concerns::closed_by.eq(&next.closed_by),
            concerns::closed_at.eq(next.closed_at),
            concerns::version.eq(next.version),
        ))
        .execute(conn)?;
    Ok(next)
}

/// A case's concerns, oldest first.
pub fn for_referral(
    conn: &mut AnyConnection,
    referral_id: &str,
) -> Result<Vec<Concern>, StoreError> {
    Ok(concerns::table
        .filter(concerns::referral_id.eq(referral_id))
        .order(concerns::id)
        .select(Concern::as_select())
        .load(conn)?)
}

/// The concerns raised about one child in a case, oldest first.
pub fn about_child(
    conn: &mut AnyConnection,
    referral_id: &str,
    child_id: &str,
) -> Result<Vec<Concern>, StoreError> {
    Ok(concerns::table
        .filter(concerns::referral_id.eq(referral_id))
        .filter(concerns::child_id.eq(child_id))
        .order(concerns::id)
        .select(Concern::as_select())
        .load(conn)?)
}

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = disclosures)]
pub struct Disclosure {
    pub id: String,
    pub referral_id: String,
    pub recipient: String,
    pub recipient_name: String,
    pub what: String,
    pub safeguarding_reason: String,
    pub concern_id: Option<String>,
    pub disclosed_by: String,
    pub disclosed_at: PrimitiveDateTime,
}

pub fn insert_disclosure(
    conn: &mut AnyConnection,
    disclosure: &Disclosure,
) -> Result<(), StoreError> {
    diesel::insert_into(disclosures::table)
        .values(disclosure)
        .execute(conn)?;
    Ok(())
}

/// A case's disclosures beyond attendance, oldest first.
pub fn disclosures_for(
    conn: &mut AnyConnection,
    referral_id: &str,
) -> Result<Vec<Disclosure>, StoreError> {
    Ok(disclosures::table
        .filter(disclosures::referral_id.eq(referral_id))
        .order(disclosures::id)
        .select(Disclosure::as_select())
        .load(conn)?)
}
