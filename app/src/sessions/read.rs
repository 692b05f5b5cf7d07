//! Reading sessions: a case's, or one, each with its parents' rows, for staff and the case's
//! parents. A referrer learns attendance dates and times only (domain.md, "Records and
//! disclosure"), not the sessions' rooms, supervisors, charges or cancellation reasons.

use ccm_domain::referral::disclosure::Viewer;
use ccm_persistence::sessions::{self, Session, SessionParty};
use ccm_persistence::AnyConnection;

use super::parties::with_parties;
use crate::cases::{self, Case};
use crate::{Actor, AppError};

/// Sessions as their case's caller may see them.
pub struct Seen {
    pub case: Case,
    pub sessions: Vec<(Session, Vec<SessionParty>)>,
}

fn attendance_only(case: &Case) -> Result<(), AppError> {
    if case.relation.viewer == Viewer::Referrer {
        return Err(AppError::forbidden(
            "a referrer sees the case's attendance record only: GET /v1/referrals/{id}/attendance",
        ));
    }
    Ok(())
}

/// The case's sessions, earliest first.
pub fn for_case(
    conn: &mut AnyConnection,
    actor: &Actor,
    referral_id: &str,
) -> Result<Seen, AppError> {
    let case = cases::load(conn, referral_id, actor, false)?;
    attendance_only(&case)?;
    let rows = sessions::for_referral(conn, &case.referral.id)?;
    let sessions = with_parties(conn, rows)?;
    Ok(Seen { case, sessions })
}

/// One session (404 for one the caller may not know of).
pub fn one(conn: &mut AnyConnection, actor: &Actor, session_id: &str) -> Result<Seen, AppError> {
    let gone = || AppError::not_found("session");
    let session = sessions::find(conn, session_id).map_err(|_| gone())?;
    let case = cases::load(conn, &session.referral_id, actor, false).map_err(|_| gone())?;
    attendance_only(&case)?;
    let sessions = with_parties(conn, vec![session])?;
    Ok(Seen { case, sessions })
}
