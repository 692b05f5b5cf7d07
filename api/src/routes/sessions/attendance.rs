//! Attendance at a session: each parent checked in and out with the actual times (lateness is
//! measured against their own planned arrival), marked absent, or the session ended early.
//! Once every parent is checked out or absent, the session is completed.

use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use validator::Validate;

use super::{session_views, status_of, SessionView};
use crate::cases::{self, workflow, Case};
use crate::error::ProblemType;
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::routes::reports;
use crate::state::AppState;
use ccm_domain::referral::PartyRole;
use ccm_domain::schedule::attendance::{lateness_minutes, AttendanceError, PartyAttendance};
use ccm_domain::schedule::lifecycle::{self, SessionEvent};
use ccm_domain::schedule::Slot;
use ccm_domain::Role;
use ccm_persistence::sessions::{self, PartyChanges, Session, SessionChanges, SessionParty};
use ccm_persistence::AnyConnection;

/// Who records attendance: the provider's staff who run sessions.
const RECORDERS: &[Role] = &[
    Role::OrgAdmin,
    Role::Coordinator,
    Role::Supervisor,
    Role::Volunteer,
];

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"party": "non_resident_parent", "at": "2027-01-09T10:20:00Z"}))]
pub struct AttendanceIn {
    pub party: PartyRole,
    /// When it happened, with an offset; now if left out.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub at: Option<OffsetDateTime>,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"party": "resident_parent"}))]
pub struct NoShowIn {
    pub party: PartyRole,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "the child was unwell"}))]
pub struct EndEarlyIn {
    #[validate(
        length(min = 1, max = 1000),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 1000)]
    pub reason: String,
}

/// The session, its case and its parties, locked, for a recorder of attendance.
fn load(
    conn: &mut AnyConnection,
    id: &str,
    principal: &Principal,
) -> Result<(Session, Case, Vec<SessionParty>), ApiError> {
    let session = sessions::find_locked(conn, id).map_err(|_| ApiError::not_found("session"))?;
    let case = cases::load(conn, &session.referral_id, principal, true)
        .map_err(|_| ApiError::not_found("session"))?;
    if !case.relation.is_staff(RECORDERS) {
        return Err(ApiError::forbidden(
            "attendance is recorded by the centre's staff",
        ));
    }
    let parties = sessions::parties(conn, std::slice::from_ref(&session.id))?;
    Ok((session, case, parties))
}

fn slot(s: &Session) -> Slot {
    Slot {
        start: s.starts_at.assume_utc(),
        end: s.ends_at.assume_utc(),
    }
}

fn record_of(p: &SessionParty) -> PartyAttendance {
    PartyAttendance {
        arrived_at: p.arrived_at.map(|t| t.assume_utc()),
        departed_at: p.departed_at.map(|t| t.assume_utc()),
        no_show: p.no_show,
    }
}

fn refused(e: AttendanceError, field: &str) -> ApiError {
    if e.is_conflict() {
        ApiError::conflict(ProblemType::AttendanceRecorded, e.to_string())
    } else {
        ApiError::invalid(field, "attendance_time", e.to_string())
    }
}

enum Step {
    In(OffsetDateTime),
    Out(OffsetDateTime),
    Absent,
}

/// Applies one parent's step, and completes the session once everyone is accounted for.
fn record(
    conn: &mut AnyConnection,
    principal: &Principal,
    id: &str,
    party: PartyRole,
    step: Step,
    report_days: u32,
) -> Result<SessionView, ApiError> {
    let (session, case, parties) = load(conn, id, principal)?;
    lifecycle::apply(status_of(&session)?, SessionEvent::Attendance)?;
    let now = OffsetDateTime::now_utc();
    let span = slot(&session);
    let Some(row) = parties.iter().find(|p| p.party == party.as_str()) else {
        return Err(ApiError::invalid(
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
        arrived_at: Some(after.arrived_at.map(workflow::stored)),
        departed_at: Some(after.departed_at.map(workflow::stored)),
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
    let updated = sessions::update(conn, &session.id, &changes, workflow::stored(now))?;
    if everyone {
        reports::open_due(conn, &updated, report_days, now)?;
    }
    session_views(conn, &case, vec![updated])?
        .pop()
        .ok_or_else(|| ApiError::not_found("session"))
}

/// Check a parent in, now or at the time given. Lateness is counted in whole minutes after
/// their own planned arrival. Only on a confirmed session (a cancelled one: 409).
#[utoipa::path(tag = "sessions", params(("id" = String, Path, description = "Session id")), request_body = AttendanceIn, responses((status = 200, description = "Checked in.", body = SessionView), error::CreateErrors))]
#[post("/sessions/{id}/check-in")]
pub async fn check_in(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    body: ValidJson<AttendanceIn>,
) -> Result<HttpResponse, ApiError> {
    let b = body.0;
    let at = b.at.unwrap_or_else(OffsetDateTime::now_utc);
    let days = state.config.report_due_working_days;
    let id = id.into_inner();
    let view = state
        .write(move |conn| record(conn, &principal, &id, b.party, Step::In(at), days))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Check a parent out, now or at the time given; after their check-in.
#[utoipa::path(tag = "sessions", params(("id" = String, Path, description = "Session id")), request_body = AttendanceIn, responses((status = 200, description = "Checked out.", body = SessionView), error::CreateErrors))]
#[post("/sessions/{id}/check-out")]
pub async fn check_out(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    body: ValidJson<AttendanceIn>,
) -> Result<HttpResponse, ApiError> {
    let b = body.0;
    let at = b.at.unwrap_or_else(OffsetDateTime::now_utc);
    let days = state.config.report_due_working_days;
    let id = id.into_inner();
    let view = state
        .write(move |conn| record(conn, &principal, &id, b.party, Step::Out(at), days))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Mark a parent as not attending, once the session has started and before any check-in.
#[utoipa::path(tag = "sessions", params(("id" = String, Path, description = "Session id")), request_body = NoShowIn, responses((status = 200, description = "Marked absent.", body = SessionView), error::CreateErrors))]
#[post("/sessions/{id}/no-show")]
pub async fn no_show(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    body: ValidJson<NoShowIn>,
) -> Result<HttpResponse, ApiError> {
    let party = body.0.party;
    let days = state.config.report_due_working_days;
    let id = id.into_inner();
    let view = state
        .write(move |conn| record(conn, &principal, &id, party, Step::Absent, days))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// End a confirmed session early, with the reason (the child unwell, a parent's behaviour).
#[utoipa::path(tag = "sessions", params(("id" = String, Path, description = "Session id")), request_body = EndEarlyIn, responses((status = 200, description = "Ended early.", body = SessionView), error::CreateErrors))]
#[post("/sessions/{id}/end-early")]
pub async fn end_early(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    body: ValidJson<EndEarlyIn>,
) -> Result<HttpResponse, ApiError> {
    let reason = body.0.reason;
    let days = state.config.report_due_working_days;
    let id = id.into_inner();
    let view = state
        .write(move |conn| {
            let (session, case, _) = load(conn, &id, &principal)?;
            let now = OffsetDateTime::now_utc();
            if now < session.starts_at.assume_utc() {
                return Err(ApiError::conflict(
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
            let updated = sessions::update(conn, &session.id, &changes, workflow::stored(now))?;
            reports::open_due(conn, &updated, days, now)?;
            session_views(conn, &case, vec![updated])?
                .pop()
                .ok_or_else(|| ApiError::not_found("session"))
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
