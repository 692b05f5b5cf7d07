//! Cancelling a session: who cancelled, when, why and with how much notice; the charge follows
//! the tariff (CL supervised: the cancelling parent pays the session's charge; the centre's own
//! cancellations charge nobody).

use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::{views_of, SessionView};
use crate::cases;
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::ids::{SeriesId, SessionId};
use crate::state::AppState;
use ccm_app::sessions::{self, CancelCmd};
use ccm_domain::quote::CancelledBy;

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
#[utoipa::path(tag = "sessions", params(SessionId), request_body = CancelIn, responses((status = 200, description = "Cancelled.", body = SessionView), error::CreateErrors))]
#[post("/sessions/{id}/cancel")]
pub async fn cancel(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<SessionId>,
    body: ValidJson<CancelIn>,
) -> Result<HttpResponse, ApiError> {
    let c = body.0;
    let cmd = CancelCmd {
        cancelled_by: c.cancelled_by,
        reason: c.reason,
    };
    let id = id.into_inner().0;
    let actor = cases::actor(&principal);
    let view = state
        .write(move |conn| {
            let done = sessions::cancel(conn, &actor, &id, cmd)?;
            crate::audit::case(&done.case.referral.id);
            views_of(done.case.relation.viewer, done.sessions)?
                .pop()
                .ok_or_else(|| ApiError::not_found("session"))
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Cancel every session of a series still to come, as one cancellation each (a parent's
/// cancellation charges follow for each session).
#[utoipa::path(tag = "sessions", params(SeriesId), request_body = CancelIn, responses((status = 200, description = "The sessions cancelled, earliest first.", body = Vec<SessionView>), error::CreateErrors))]
#[post("/series/{id}/cancel")]
pub async fn cancel_series(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<SeriesId>,
    body: ValidJson<CancelIn>,
) -> Result<HttpResponse, ApiError> {
    let c = body.0;
    let cmd = CancelCmd {
        cancelled_by: c.cancelled_by,
        reason: c.reason,
    };
    let id = id.into_inner().0;
    let actor = cases::actor(&principal);
    let views = state
        .write(move |conn| {
            let done = sessions::cancel_series(conn, &actor, &id, cmd)?;
            crate::audit::case(&done.case.referral.id);
            views_of(done.case.relation.viewer, done.sessions)
        })
        .await?;
    Ok(HttpResponse::Ok().json(views))
}
