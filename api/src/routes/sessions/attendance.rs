//! Attendance at a session: each parent checked in and out with the actual times (lateness is
//! measured against their own planned arrival), marked absent, or the session ended early.
//! Once every parent is checked out or absent, the session is completed.

use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use validator::Validate;

use super::{views_of, SessionView};
use crate::cases;
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::ids::SessionId;
use crate::state::AppState;
use ccm_app::sessions::attendance::{self, Attended, Step};
use ccm_domain::referral::PartyRole;

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

/// Records one parent's step and answers with the session as the staff see it.
async fn record(
    state: web::Data<AppState>,
    principal: Principal,
    id: String,
    party: PartyRole,
    step: Step,
) -> Result<HttpResponse, ApiError> {
    let days = state.config.report_due_working_days;
    let actor = cases::actor(&principal);
    let view = state
        .write(move |conn| view_of(attendance::record(conn, &actor, &id, party, step, days)?))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

fn view_of(done: Attended) -> Result<SessionView, ApiError> {
    crate::audit::case(&done.case.referral.id);
    views_of(done.case.relation.viewer, vec![done.session])?
        .pop()
        .ok_or_else(|| ApiError::not_found("session"))
}

/// Check a parent in, now or at the time given. Lateness is counted in whole minutes after
/// their own planned arrival. Only on a confirmed session (a cancelled one: 409).
#[utoipa::path(tag = "sessions", params(SessionId), request_body = AttendanceIn, responses((status = 200, description = "Checked in.", body = SessionView), error::CreateErrors))]
#[post("/sessions/{id}/check-in")]
pub async fn check_in(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<SessionId>,
    body: ValidJson<AttendanceIn>,
) -> Result<HttpResponse, ApiError> {
    let b = body.0;
    let at = b.at.unwrap_or_else(OffsetDateTime::now_utc);
    record(state, principal, id.into_inner().0, b.party, Step::In(at)).await
}

/// Check a parent out, now or at the time given; after their check-in.
#[utoipa::path(tag = "sessions", params(SessionId), request_body = AttendanceIn, responses((status = 200, description = "Checked out.", body = SessionView), error::CreateErrors))]
#[post("/sessions/{id}/check-out")]
pub async fn check_out(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<SessionId>,
    body: ValidJson<AttendanceIn>,
) -> Result<HttpResponse, ApiError> {
    let b = body.0;
    let at = b.at.unwrap_or_else(OffsetDateTime::now_utc);
    record(state, principal, id.into_inner().0, b.party, Step::Out(at)).await
}

/// Mark a parent as not attending, once the session has started and before any check-in.
#[utoipa::path(tag = "sessions", params(SessionId), request_body = NoShowIn, responses((status = 200, description = "Marked absent.", body = SessionView), error::CreateErrors))]
#[post("/sessions/{id}/no-show")]
pub async fn no_show(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<SessionId>,
    body: ValidJson<NoShowIn>,
) -> Result<HttpResponse, ApiError> {
    let party = body.0.party;
    record(state, principal, id.into_inner().0, party, Step::Absent).await
}

/// End a confirmed session early, with the reason (the child unwell, a parent's behaviour).
#[utoipa::path(tag = "sessions", params(SessionId), request_body = EndEarlyIn, responses((status = 200, description = "Ended early.", body = SessionView), error::CreateErrors))]
#[post("/sessions/{id}/end-early")]
pub async fn end_early(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<SessionId>,
    body: ValidJson<EndEarlyIn>,
) -> Result<HttpResponse, ApiError> {
    let reason = body.0.reason;
    let days = state.config.report_due_working_days;
    let id = id.into_inner().0;
    let actor = cases::actor(&principal);
    let view = state
        .write(move |conn| {
            let done = attendance::end_early(conn, &actor, &id, &reason, days)?;
            view_of(done)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
