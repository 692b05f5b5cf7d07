//! Confirming supervised dates held provisionally on receipt of the referral: done before the
//! pre-visits, once the case has a place; the session's charge is raised then.

use actix_web::{post, web, HttpResponse};

use super::{views_of, SessionView};
use crate::cases;
use crate::error::{self, ApiError};
use crate::extract::Principal;
use crate::ids::SessionId;
use crate::state::AppState;
use ccm_app::sessions;

/// Confirm a provisionally held session. The case must have its place (`pre_visits` onwards);
/// a session with a charge then waits for payment.
#[utoipa::path(tag = "sessions", params(SessionId), responses((status = 200, description = "Confirmed, or awaiting payment.", body = SessionView), error::CreateErrors))]
#[post("/sessions/{id}/confirm")]
pub async fn confirm(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<SessionId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let actor = cases::actor(&principal);
    let view = state
        .write(move |conn| {
            let c = sessions::confirm(conn, &actor, &id)?;
            crate::audit::case(&c.case.referral.id);
            views_of(c.case.relation.viewer, vec![(c.session, c.parties)])?
                .pop()
                .ok_or_else(|| ApiError::not_found("session"))
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
