//! Supervised session reports: opening the report a session needs once it is over.

use time::OffsetDateTime;

use ccm_domain::london;
use ccm_domain::records::may_observe;
use ccm_domain::records::report::{self, ReportStatus};
use ccm_persistence::reports::{self as store, Report};
use ccm_persistence::sessions::Session;
use ccm_persistence::{new_id, AnyConnection, StoreError};

use crate::clock::stored;
use crate::AppError;

/// Opens the report a supervised session needs once it is over, due so many working days
/// after the session's date. Other services keep no notes, so nothing is opened for them.
pub fn open_due(
    conn: &mut AnyConnection,
    session: &Session,
    working_days: u32,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let service = session
        .service_type
        .parse()
        .map_err(|e| StoreError::Corrupt(format!("sessions.service_type: {e}")))?;
    if may_observe(service).is_err() || store::for_session(conn, &session.id)?.is_some() {
        return Ok(());
    }
    let at = stored(now);
    store::insert(
        conn,
        &Report {
            id: new_id(),
            session_id: session.id.clone(),
            referral_id: session.referral_id.clone(),
            status: ReportStatus::Due.as_str().into(),
            author_id: None,
            arrival: None,
            activities: None,
            interaction: None,
            presentation: None,
            incidents: None,
            departure: None,
            ending: None,
            due_on: report::due_on(
                london::local_date(session.starts_at.assume_utc()),
                working_days,
            ),
            qa_by: None,
            qa_notes: None,
            amendment_reason: None,
            released_versions: 0,
            version: 1,
            created_at: at,
            updated_at: at,
        },
    )?;
    Ok(())
}
