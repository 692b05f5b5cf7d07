//! Records of the casework between offer and closure: assessments, pre-visits, reviews and
//! the next-steps meeting of a court-ordered case.

use diesel::prelude::*;
use time::{Date, PrimitiveDateTime};

use crate::db::AnyConnection;
use crate::schema::{assessments, next_steps_meetings, pre_visits, reviews};
use crate::StoreError;

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = assessments)]
pub struct Assessment {
    pub id: String,
    pub referral_id: String,
    pub outcome: String,
    pub unsupervised_contact_appropriate: Option<bool>,
    pub separate_entrances: bool,
    pub arrival_offset_minutes: Option<i32>,
    pub controls_notes: Option<String>,
    pub review_on: Option<Date>,
    pub assessed_by: String,
    pub created_at: PrimitiveDateTime,
}

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = pre_visits)]
pub struct PreVisit {
    pub id: String,
    pub referral_id: String,
    pub party_role: String,
    pub starts_at: PrimitiveDateTime,
    pub ends_at: PrimitiveDateTime,
    pub attended: bool,
    pub created_at: PrimitiveDateTime,
}

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = reviews)]
pub struct Review {
    pub id: String,
    pub referral_id: String,
    pub held_on: Date,
    pub outcome: String,
    pub notes: Option<String>,
    pub continue_reason: Option<String>,
    pub recorded_by: String,
    pub created_at: PrimitiveDateTime,
}

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = next_steps_meetings)]
pub struct NextStepsMeeting {
    pub id: String,
    pub referral_id: String,
    pub held_on: Date,
    pub attendees: String,
    pub outcome: String,
    pub recorded_by: String,
    pub created_at: PrimitiveDateTime,
}

pub fn insert_assessment(conn: &mut AnyConnection, a: &Assessment) -> Result<(), StoreError> {
    diesel::insert_into(assessments::table)
        .values(a)
        .execute(conn)?;
    Ok(())
}

/// The latest assessment of a referral: the one that counts.
pub fn latest_assessment(
    conn: &mut AnyConnection,
    referral_id: &str,
) -> Result<Option<Assessment>, StoreError> {
    Ok(assessments::table
        .filter(assessments::referral_id.eq(referral_id))
        .order(assessments::id.desc())
        .select(Assessment::as_select())
        .get_result(conn)
        .optional()?)
}

pub fn insert_pre_visit(conn: &mut AnyConnection, v: &PreVisit) -> Result<(), StoreError> {
    diesel::insert_into(pre_visits::table)
        .values(v)
        .execute(conn)?;
    Ok(())
}

pub fn pre_visits(
    conn: &mut AnyConnection,
    referral_id: &str,
) -> Result<Vec<PreVisit>, StoreError> {
    Ok(pre_visits::table
        .filter(pre_visits::referral_id.eq(referral_id))
        .order(pre_visits::starts_at.asc())
        .select(PreVisit::as_select())
        .load(conn)?)
}

pub fn mark_attended(conn: &mut AnyConnection, id: &str) -> Result<(), StoreError> {
    diesel::update(pre_visits::table.find(id))
        .set(pre_visits::attended.eq(true))
        .execute(conn)?;
    Ok(())
}

pub fn insert_review(conn: &mut AnyConnection, r: &Review) -> Result<(), StoreError> {
    diesel::insert_into(reviews::table)
        .values(r)
        .execute(conn)?;
    Ok(())
}

pub fn reviews(conn: &mut AnyConnection, referral_id: &str) -> Result<Vec<Review>, StoreError> {
    Ok(reviews::table
        .filter(reviews::referral_id.eq(referral_id))
        .order(reviews::id.asc())
        .select(Review::as_select())
        .load(conn)?)
}

pub fn insert_meeting(conn: &mut AnyConnection, m: &NextStepsMeeting) -> Result<(), StoreError> {
    diesel::insert_into(next_steps_meetings::table)
        .values(m)
        .execute(conn)?;
    Ok(())
}

pub fn meeting(
    conn: &mut AnyConnection,
    referral_id: &str,
) -> Result<Option<NextStepsMeeting>, StoreError> {
    Ok(next_steps_meetings::table
        .filter(next_steps_meetings::referral_id.eq(referral_id))
        .select(NextStepsMeeting::as_select())
        .get_result(conn)
        .optional()?)
}
