//! Attendance at a session: each parent checked in and out with the actual times (lateness is
//! measured against their own planned arrival), marked absent, or the session ended early.
//! Once every parent is checked out or absent, the session is completed and a supervised
//! session's report falls due.

use time::OffsetDateTime;

use ccm_domain::referral::PartyRole;
use ccm_domain::schedule::attendance::{lateness_minutes, AttendanceError, PartyAttendance};
use ccm_domain::schedule::lifecycle::{self, SessionEvent};
use ccm_domain::schedule::Slot;
use ccm_domain::Role;
use ccm_persistence::sessions::{self, PartyChanges, Session, SessionChanges, SessionParty};
use ccm_persistence::AnyConnection;

use super::parties::with_parties;
use super::status_of;
use crate::cases::{self, Case};
use crate::clock::stored;
use crate::{reports, Actor, AppError, ProblemType};

/// Who records attendance: the provider's staff who run sessions.
const RECORDERS: &[Role] = &[
    Role::OrgAdmin,
    Role::Coordinator,
    Role::Supervisor,
    Role::Volunteer,
];

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    In(OffsetDateTime),
    Out(OffsetDateTime),
    Absent,
}

/// The session after it, with its parents' rows, and its case.
pub struct Attended {
    pub case: Case,
    pub session: (Session, Vec<SessionParty>),
}

/// The session, its case and its parties, locked, for a recorder of attendance.
fn load(
    conn: &mut AnyConnection,
    id: &str,
    actor: &Actor,
) -> Result<(Session, Case, Vec<SessionParty>), AppError> {
    let gone = || AppError::not_found("session");
    let session = sessions::find_locked(conn, id).map_err(|_| gone())?;
    let case = cases::load(conn, &session.referral_id, actor, true).map_err(|_| gone())?;
    if !case.relation.is_staff(RECORDERS) {
        return Err(AppError::forbidden(
            "attendance is recorded by the centre's staff",
        ));
    }
    let parties = sessions::parties(conn, std::slice::from_ref(&session.id))?;
    Ok((session, case, parties))
}

fn record_of(p: &SessionParty) -> PartyAttendance {
    PartyAttendance {
        arrived_at: p.arrived_at.map(|t| t.assume_utc()),
        departed_at: p.departed_at.map(|t| t.assume_utc()),
        no_show: p.no_show,
    }
}

fn refused(e: AttendanceError, field: &str) -> AppError {
    if e.is_conflict() {
        AppError::conflict(ProblemType::AttendanceRecorded, e.to_string())
    } else {
        AppError::invalid(field, "attendance_time", e.to_string())
    }
}

/// Applies one parent's step, and completes the session once everyone is accounted for.
pub fn record(
    conn: &mut AnyConnection,
    actor: &Actor,
    session_id: &str,
    party: PartyRole,
    step: Step,
    report_days: u32,
) -> Result<Attended, AppError> {
    let (session, case, parties) = load(conn, session_id, actor)?;
    lifecycle::apply(status_of(&session)?, SessionEvent::Attendance)?;
    let now = OffsetDateTime::now_utc();
    let span = Slot {
        start: session.starts_at.assume_utc(),
        end: session.ends_at.assume_utc(),
    };
    let Some(row) = parties.iter().find(|p| p.party == party.as_str()) else {
        return Err(AppError::invalid(
            "party",
            "not_a_party",
            "only the two parents check in",
        ));
    };
    let before = record_of(row);
    let after = match step {
        Step::In(at) => before.check_in(&span, at, now),
        Step::Out(at) => before.check_out(&span, at, now),
        Step::Absent => before.no_show(&span, now),
    }
    .map_err(|e| refused(e, "at"))?;
    let late = after
        .arrived_at
        .map(|at| lateness_minutes(row.expected_arrival.assume_utc(), at))
        .map(|m| i32::try_from(m).unwrap_or(i32::MAX));
    let changes = PartyChanges {
        arrived_at: Some(after.arrived_at.map(stored)),
        departed_at: Some(after.departed_at.map(stored)),
        late_minutes: Some(late),
        no_show: Some(after.no_show),
        ..Default::default()
    };
    sessions::update_party(conn, &session.id, row.party.as_str(), &changes)?;
    let everyone = parties.iter().all(|p| {
        if p.party == row.party {
            after.accounted_for()
        } else {
            record_of(p).accounted_for()
        }
    });
    let status = if everyone {
        lifecycle::apply(status_of(&session)?, SessionEvent::Finish)?
    } else {
        status_of(&session)?
    };
    let changes = SessionChanges {
        status: Some(status.as_str().into()),
        ..Default::default()
    };
    let updated = sessions::update(conn, &session.id, &changes, stored(now))?;
    if everyone {
        reports::open_due(conn, &updated, report_days, now)?;
    }
    attended(conn, case, updated)
}

/// Ends a confirmed session early, with the reason, once it has started (409 before).
pub fn end_early(
    conn: &mut AnyConnection,
    actor: &Actor,
    session_id: &str,
    reason: &str,
    report_days: u32,
) -> Result<Attended, AppError> {
    let (session, case, _) = load(conn, session_id, actor)?;
    let now = OffsetDateTime::now_utc();
    if now < session.starts_at.assume_utc() {
        return Err(AppError::conflict(
            ProblemType::SessionNotStarted,
            "a session ends early only once it has started; cancel it instead",
        ));
    }
    let status = lifecycle::apply(status_of(&session)?, SessionEvent::EndEarly)?;
    let changes = SessionChanges {
        status: Some(status.as_str().into()),
        ended_early_reason: Some(Some(reason.trim().to_string())),
        ..Default::default()
    };
    let updated = sessions::update(conn, &session.id, &changes, stored(now))?;
    reports::open_due(conn, &updated, report_days, now)?;
    attended(conn, case, updated)
}

fn attended(conn: &mut AnyConnection, case: Case, s: Session) -> Result<Attended, AppError> {
    let session = with_parties(conn, vec![s])?
        .pop()
        .ok_or_else(|| AppError::not_found("session"))?;
    Ok(Attended { case, session })
}
