//! Cancelling a session: who cancelled, when, why and with how much notice; the charge follows
//! the tariff (CL supervised: the cancelling parent pays the session's charge; the centre's own
//! cancellations charge nobody).

use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use validator::Validate;

use super::{session_views, status_of, SessionView};
use crate::cases::{self, cancellation, Case};
use crate::error::ProblemType;
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::state::AppState;
use ccm_domain::quote::CancelledBy;
use ccm_domain::referral::disclosure::Viewer;
use ccm_domain::referral::PartyRole;
use ccm_domain::schedule::lifecycle::{self, SessionEvent};
use ccm_persistence::sessions::{self};

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"cancelled_by": "non_resident_parent", "reason": "unwell"}))]
pub struct CancelIn {
    /// Who cancelled. A parent cancelling through their own account is taken to be themselves.
    pub cancelled_by: CancelledBy,
    #[validate(
        length(min = 1, max = 1000),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 1000)]
    pub reason: String,
}

/// Cancel a session. A parent's cancellation raises the tariff's cancellation charge to that
/// parent; the centre's charges nobody, and what was owed for the session is written off.
#[utoipa::path(tag = "sessions", params(("id" = String, Path, description = "Session id")), request_body = CancelIn, responses((status = 200, description = "Cancelled.", body = SessionView), error::CreateErrors))]
#[post("/sessions/{id}/cancel")]
pub async fn cancel(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    body: ValidJson<CancelIn>,
) -> Result<HttpResponse, ApiError> {
    let c = body.0;
    let id = id.into_inner();
    let view = state
        .write(move |conn| {
            let found =
                sessions::find_locked(conn, &id).map_err(|_| ApiError::not_found("session"))?;
            let case = cases::load(conn, &found.referral_id, &principal, true)
                .map_err(|_| ApiError::not_found("session"))?;
            may_cancel(&case, c.cancelled_by)?;
            let updated = cancellation::cancel_session(
                conn,
                &case.referral,
                &found,
                c.cancelled_by,
                &c.reason,
                &principal.user_id,
                OffsetDateTime::now_utc(),
            )?;
            session_views(conn, &case, vec![updated])?
                .pop()
                .ok_or_else(|| ApiError::not_found("session"))
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Staff (coordinators, org admins) cancel as anyone; a parent only as themselves.
fn may_cancel(case: &Case, cancelled_by: CancelledBy) -> Result<(), ApiError> {
    match case.relation.viewer {
        Viewer::Staff(_) => crate::routes::referrals::require_deciding_staff(&case.relation)?,
        Viewer::Party(side) => {
            let me = match side {
                PartyRole::ResidentParent => CancelledBy::ResidentParent,
                _ => CancelledBy::NonResidentParent,
            };
            if cancelled_by != me {
                return Err(ApiError::invalid(
                    "cancelled_by",
                    "yourself",
                    "a parent cancels as themselves",
                ));
            }
        }
        Viewer::Referrer => return Err(ApiError::forbidden("a referrer does not cancel sessions")),
    }
    Ok(())
}

/// Cancel every session of a series still to come, as one cancellation each (a parent's
/// cancellation charges follow for each session).
#[utoipa::path(tag = "sessions", params(("id" = String, Path, description = "Series id")), request_body = CancelIn, responses((status = 200, description = "The sessions cancelled, earliest first.", body = Vec<SessionView>), error::CreateErrors))]
#[post("/series/{id}/cancel")]
pub async fn cancel_series(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    body: ValidJson<CancelIn>,
) -> Result<HttpResponse, ApiError> {
    let c = body.0;
    let id = id.into_inner();
    let views = state
        .write(move |conn| {
            let all = sessions::in_series(conn, &id)?;
            let Some(first) = all.first() else {
                return Err(ApiError::not_found("series"));
            };
            let case = cases::load(conn, &first.referral_id, &principal, true)
                .map_err(|_| ApiError::not_found("series"))?;
            may_cancel(&case, c.cancelled_by)?;
            let now = OffsetDateTime::now_utc();
            let mut cancelled = Vec::new();
            for s in &all {
                let open =
                    status_of(s).is_ok_and(|st| lifecycle::apply(st, SessionEvent::Cancel).is_ok());
                if open && s.starts_at.assume_utc() > now {
                    let s = sessions::find_locked(conn, &s.id)?;
                    cancelled.push(cancellation::cancel_session(
                        conn,
                        &case.referral,
                        &s,
                        c.cancelled_by,
                        &c.reason,
                        &principal.user_id,
                        now,
                    )?);
                }
            }
            if cancelled.is_empty() {
                return Err(ApiError::conflict(
                    ProblemType::SeriesOver,
                    "no session of this series is still to come",
                ));
            }
            session_views(conn, &case, cancelled)
        })
        .await?;
    Ok(HttpResponse::Ok().json(views))
}
