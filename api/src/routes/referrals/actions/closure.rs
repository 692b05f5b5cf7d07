//! The end of a case: closed with a reason, or withdrawn by whoever made it.

use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::{act, NotesBody};
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::ids::ReferralId;
use crate::routes::referrals::ReferralView;
use crate::state::AppState;
use ccm_app::referrals::actions::Action;
use ccm_domain::referral::lifecycle::ClosureReason;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseBody {
    pub reason: ClosureReason,
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub notes: Option<String>,
}

/// Close the case with a reason. A court-ordered case that had contact needs its next-steps
/// meeting recorded first.
#[utoipa::path(tag = "referrals", params(ReferralId), request_body = CloseBody,
    responses((status = 200, description = "Closed.", body = ReferralView), error::CreateErrors))]
#[post("/referrals/{id}/close")]
pub async fn close(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
    body: ValidJson<CloseBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let action = Action::Close {
        reason: body.reason,
        notes: body.notes,
    };
    act(state, principal, id.into_inner().0, action).await
}

/// Withdraw the referral (whoever made it, or staff).
#[utoipa::path(tag = "referrals", params(ReferralId), request_body = NotesBody,
    responses((status = 200, description = "Withdrawn and closed.", body = ReferralView), error::CreateErrors))]
#[post("/referrals/{id}/withdraw")]
pub async fn withdraw(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
    body: ValidJson<NotesBody>,
) -> Result<HttpResponse, ApiError> {
    let notes = body.0.notes;
    act(
        state,
        principal,
        id.into_inner().0,
        Action::Withdraw { notes },
    )
    .await
}
