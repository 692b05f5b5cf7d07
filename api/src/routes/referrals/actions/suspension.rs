//! Contact paused and resumed.

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
use ccm_domain::referral::lifecycle::SuspensionReason;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspendBody {
    pub reason: SuspensionReason,
    #[validate(length(min = 1, max = 1000))]
    #[schema(min_length = 1, max_length = 1000)]
    pub notes: Option<String>,
}

/// Suspend contact (a safeguarding concern, non-payment, a breach).
#[utoipa::path(tag = "referrals", params(ReferralId), request_body = SuspendBody,
    responses((status = 200, description = "Suspended.", body = ReferralView), error::CreateErrors))]
#[post("/referrals/{id}/suspend")]
pub async fn suspend(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
    body: ValidJson<SuspendBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let action = Action::Suspend {
        reason: body.reason,
        notes: body.notes,
    };
    act(state, principal, id.into_inner().0, action).await
}

/// Resume contact after a suspension.
#[utoipa::path(tag = "referrals", params(ReferralId), request_body = NotesBody,
    responses((status = 200, description = "Active again.", body = ReferralView), error::CreateErrors))]
#[post("/referrals/{id}/resume")]
pub async fn resume(
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
        Action::Resume { notes },
    )
    .await
}
