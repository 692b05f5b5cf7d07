//! Supervised session reports and their releases.

use ccm_domain::events::EventKind;
use diesel::prelude::*;
use time::{Date, PrimitiveDateTime};

use crate::db::AnyConnection;
use crate::schema::{referrals, report_releases, reports};
use crate::webhooks::Change;
use crate::StoreError;

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = reports)]
pub struct Report {
    pub id: String,
    pub session_id: String,
    pub referral_id: String,
    pub status: String,
    pub author_id: Option<String>,
    pub arrival: Option<String>,
    pub activities: Option<String>,
    pub interaction: Option<String>,
    pub presentation: Option<String>,
    pub incidents: Option<String>,
    pub departure: Option<String>,
    pub ending: Option<String>,
    pub due_on: Date,
    pub qa_by: Option<String>,
    pub qa_notes: Option<String>,
    pub amendment_reason: Option<String>,
    pub released_versions: i32,
    pub version: i64,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

#[derive(Clone, Debug, Default, AsChangeset)]
#[diesel(table_name = reports)]
pub struct ReportChanges {
    pub status: Option<String>,
    pub author_id: Option<Option<String>>,
    pub arrival: Option<Option<String>>,
    pub activities: Option<Option<String>>,
    pub interaction: Option<Option<String>>,
    pub presentation: Option<Option<String>>,
    pub incidents: Option<Option<String>>,
    pub departure: Option<Option<String>>,
    pub ending: Option<Option<String>>,
    pub qa_by: Option<Option<String>>,
    pub qa_notes: Option<Option<String>>,
    pub amendment_reason: Option<Option<String>>,
    pub released_versions: Option<i32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = report_releases)]
pub struct Release {
    pub id: String,
    pub report_id: String,
    pub version_number: i32,
    pub recipient: String,
    /// The sections as released (JSON), kept however the report changes later.
    pub sections: String,
    pub approved_by: String,
    pub released_by: String,
    pub released_at: PrimitiveDateTime,
}

pub fn insert(conn: &mut AnyConnection, report: &Report) -> Result<(), StoreError> {
    diesel::insert_into(reports::table)
        .values(report)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut AnyConnection, id: &str) -> Result<Report, StoreError> {
    Ok(reports::table
        .find(id)
        .select(Report::as_select())
        .get_result(conn)?)
}

find_locked!(reports, Report);

pub fn for_session(
    conn: &mut AnyConnection,
    session_id: &str,
) -> Result<Option<Report>, StoreError> {
    Ok(reports::table
        .filter(reports::session_id.eq(session_id))
        .select(Report::as_select())
        .get_result(conn)
        .optional()?)
}

pub fn update(
    conn: &mut AnyConnection,
    id: &str,
    changes: &ReportChanges,
    at: PrimitiveDateTime,
) -> Result<Report, StoreError> {
    diesel::update(reports::table.find(id))
        .set((
            changes,
            reports::version.eq(reports::version + 1),
            reports::updated_at.eq(at),
        ))
        .execute(conn)?;
    find(conn, id)
}

/// Records a release; the recipient's partner system, if it is one, is told.
pub fn insert_release(conn: &mut AnyConnection, release: &Release) -> Result<(), StoreError> {
    diesel::insert_into(report_releases::table)
        .values(release)
        .execute(conn)?;
    let referral_id: String = reports::table
        .find(&release.report_id)
        .select(reports::referral_id)
        .get_result(conn)?;
    crate::webhooks::emit_release(
        conn,
        Change {
            referral_id: &referral_id,
            kind: EventKind::Report,
            id: &release.report_id,
            state: "released",
            at: release.released_at,
        },
        &release.recipient,
    )
}

/// Every release of the report, oldest first.
pub fn releases(conn: &mut AnyConnection, report_id: &str) -> Result<Vec<Release>, StoreError> {
    Ok(report_releases::table
        .filter(report_releases::report_id.eq(report_id))
        .order((
            report_releases::version_number,
            report_releases::released_at,
            report_releases::recipient,
        ))
        .select(Release::as_select())
        .load(conn)?)
}

/// The provider's reports not yet released whose due date has passed, oldest due first.
pub fn overdue(
    conn: &mut AnyConnection,
    provider_id: &str,
    today: Date,
) -> Result<Vec<Report>, StoreError> {
    Ok(reports::table
        .inner_join(referrals::table)
        .filter(referrals::provider_id.eq(provider_id))
        .filter(reports::status.ne_all(["released", "amended"]))
        .filter(reports::due_on.lt(today))
        .order((reports::due_on, reports::id))
        .select(Report::as_select())
        .load(conn)?)
}

/// What was released to `recipient` from the case's reports, oldest report and version first.
pub fn released_to(
    conn: &mut AnyConnection,
    referral_id: &str,
    recipient: &str,
) -> Result<Vec<(Release, String)>, StoreError> {
    Ok(report_releases::table
        .inner_join(reports::table)
        .filter(reports::referral_id.eq(referral_id))
        .filter(report_releases::recipient.eq(recipient))
        .order((
            reports::id,
            report_releases::version_number,
            report_releases::released_at,
        ))
        .select((Release::as_select(), reports::session_id))
        .load(conn)?)
}
