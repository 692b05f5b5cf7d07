//! A place: offered, accepted or turned down, contact started; and a waiting family's priority.

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

/// Offer the family a place now. Where the service has a set number of places, freed places
/// are offered in waiting-list order automatically; this offers one by hand.
#[utoipa::path(tag = "referrals", params(ReferralId),
    responses((status = 200, description = "Offered; the balance is now due.", body = ReferralView),
    (status = 401, response = error::Unauthorized), (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound), (status = 409, response = error::Conflict)))]
#[post("/referrals/{id}/offer")]
pub async fn offer(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
) -> Result<HttpResponse, ApiError> {
    act(state, principal, id.into_inner().0, Action::Offer).await
}

/// Accept the place offered (the family, its referrer or staff). After the offer expired: 409.
#[utoipa::path(tag = "referrals", params(ReferralId),
    responses((status = 200, description = "Accepted; next the balance or the pre-visits.", body = ReferralView),
    (status = 401, response = error::Unauthorized), (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound), (status = 409, response = error::Conflict)))]
#[post("/referrals/{id}/accept-offer")]
pub async fn accept_offer(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
) -> Result<HttpResponse, ApiError> {
    act(state, principal, id.into_inner().0, Action::AcceptOffer).await
}

/// Turn down the place offered: the case closes and the place goes to the next family.
#[utoipa::path(tag = "referrals", params(ReferralId), request_body = NotesBody,
    responses((status = 200, description = "Declined and closed.", body = ReferralView), error::CreateErrors))]
#[post("/referrals/{id}/decline-offer")]
pub async fn decline_offer(
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
        Action::DeclineOffer { notes },
    )
    .await
}

/// Start contact, once both sides have had their pre-visit. Reviews then fall due every few
/// months (`CCM_REVIEW_INTERVAL_MONTHS`).
#[utoipa::path(tag = "referrals", params(ReferralId),
    responses((status = 200, description = "Active.", body = ReferralView),
    (status = 401, response = error::Unauthorized), (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound), (status = 409, response = error::Conflict)))]
#[post("/referrals/{id}/activate")]
pub async fn activate(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
) -> Result<HttpResponse, ApiError> {
    act(state, principal, id.into_inner().0, Action::Activate).await
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorityBody {
    /// Higher is offered sooner; 0 is first come first served.
    #[validate(range(min = -10, max = 10))]
    #[schema(minimum = -10, maximum = 10)]
    pub priority: i32,
    #[validate(
        length(min = 1, max = 1000),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(
        min_length = 1,
        max_length = 1000,
        example = "court deadline for a report"
    )]
    pub reason: String,
}

/// Raise or lower a waiting family's priority, with a reason (coordinators).
#[utoipa::path(tag = "referrals", params(ReferralId), request_body = PriorityBody,
    responses((status = 200, description = "Priority set.", body = ReferralView), error::CreateErrors))]
#[post("/referrals/{id}/priority")]
pub async fn set_priority(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
    body: ValidJson<PriorityBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let action = Action::SetPriority {
        priority: body.priority,
        reason: body.reason,
    };
    act(state, principal, id.into_inner().0, action).await
}
