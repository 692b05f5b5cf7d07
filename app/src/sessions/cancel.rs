//! Cancelling a session, or what is still to come of a series: who cancelled, when, why and
//! with how much notice; the charge follows the tariff (see `cases::cancellation`).

use time::OffsetDateTime;

use ccm_domain::quote::CancelledBy;
use ccm_domain::referral::disclosure::Viewer;
use ccm_domain::referral::PartyRole;
use ccm_domain::schedule::lifecycle::{self, SessionEvent};
use ccm_persistence::sessions::{self, Session, SessionParty};
use ccm_persistence::AnyConnection;

use super::parties::with_parties;
use super::status_of;
use crate::cases::{self, cancellation, Case};
use crate::{Actor, AppError, ProblemType};

/// A cancellation: who cancels and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CancelCmd {
    /// A parent cancelling through their own account must name themselves.
    pub cancelled_by: CancelledBy,
    pub reason: String,
}

/// The sessions cancelled, earliest first, each with its parents' rows, and their case.
pub struct Cancelled {
    pub case: Case,
    pub sessions: Vec<(Session, Vec<SessionParty>)>,
}

/// Cancels one session (404 for a session the caller may not know of).
pub fn cancel(
    conn: &mut AnyConnection,
    actor: &Actor,
    session_id: &str,
    cmd: CancelCmd,
) -> Result<Cancelled, AppError> {
    let gone = || AppError::not_found("session");
    let found = sessions::find_locked(conn, session_id).map_err(|_| gone())?;
    let case = cases::load(conn, &found.referral_id, actor, true).map_err(|_| gone())?;
    may_cancel(&case, cmd.cancelled_by)?;
    let updated = cancellation::cancel_session(
        conn,
        &case.referral,
        &found,
        cmd.cancelled_by,
        &cmd.reason,
        &actor.user_id,
        OffsetDateTime::now_utc(),
    )?;
    let sessions = with_parties(conn, vec![updated])?;
    Ok(Cancelled { case, sessions })
}

/// Cancels every session of a series still to come, one cancellation each (a parent's
/// cancellation charges follow for each); 409 if none is.
pub fn cancel_series(
    conn: &mut AnyConnection,
    actor: &Actor,
    series_id: &str,
    cmd: CancelCmd,
) -> Result<Cancelled, AppError> {
    let all = sessions::in_series(conn, series_id)?;
    let Some(first) = all.first() else {
        return Err(AppError::not_found("series"));
    };
    let case = cases::load(conn, &first.referral_id, actor, true)
        .map_err(|_| AppError::not_found("series"))?;
    may_cancel(&case, cmd.cancelled_by)?;
    let now = OffsetDateTime::now_utc();
    let mut cancelled = Vec::new();
    for s in &all {
        let open = status_of(s).is_ok_and(|st| lifecycle::apply(st, SessionEvent::Cancel).is_ok());
        if open && s.starts_at.assume_utc() > now {
            let s = sessions::find_locked(conn, &s.id)?;
            cancelled.push(cancellation::cancel_session(
                conn,
                &case.referral,
                &s,
                cmd.cancelled_by,
                &cmd.reason,
                &actor.user_id,
                now,
            )?);
        }
    }
    if cancelled.is_empty() {
        return Err(AppError::conflict(
            ProblemType::SeriesOver,
            "no session of this series is still to come",
        ));
    }
    let sessions = with_parties(conn, cancelled)?;
    Ok(Cancelled { case, sessions })
}

/// Staff (coordinators, org admins) cancel as anyone; a parent only as themselves.
fn may_cancel(case: &Case, cancelled_by: CancelledBy) -> Result<(), AppError> {
    match case.relation.viewer {
        Viewer::Staff(_) => case.relation.require_deciding_staff()?,
        Viewer::Party(side) => {
            let me = match side {
                PartyRole::ResidentParent => CancelledBy::ResidentParent,
                _ => CancelledBy::NonResidentParent,
            };
            if cancelled_by != me {
                return Err(AppError::invalid(
                    "cancelled_by",
                    "yourself",
                    "a parent cancels as themselves",
                ));
            }
        }
        Viewer::Referrer => return Err(AppError::forbidden("a referrer does not cancel sessions")),
    }
    Ok(())
}
