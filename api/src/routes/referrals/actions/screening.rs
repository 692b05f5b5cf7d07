//! Screening's decisions: accept onto the waiting list, or decline with a reason and a signpost.

use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::act;
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::ids::ReferralId;
use crate::routes::referrals::ReferralView;
use crate::state::AppState;
use ccm_app::referrals::actions::Action;
use ccm_domain::ServiceType;

#[derive(Deserialize, Validate, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct AcceptBody {
    /// Required where the rules expect another service but allow a coordinator to accept
    /// (a non-molestation order in force, criminal proceedings for domestic violence).
    #[validate(
        length(min = 1, max = 1000),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 1000)]
    pub override_reason: Option<String>,
}

/// Accept after screening: the family joins the waiting list. Needs a suitability assessment
/// and the eligibility rules' agreement (or a reasoned override where they allow one).
#[utoipa::path(tag = "referrals", params(ReferralId), request_body = AcceptBody,
    responses((status = 200, description = "Accepted onto the waiting list.", body = ReferralView), error::CreateErrors))]
#[post("/referrals/{id}/accept")]
pub async fn accept(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
    body: ValidJson<AcceptBody>,
) -> Result<HttpResponse, ApiError> {
    let override_reason = body.0.override_reason;
    act(
        state,
        principal,
        id.into_inner().0,
        Action::Accept { override_reason },
    )
    .await
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclineBody {
    #[validate(
        length(min = 1, max = 1000),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(
        min_length = 1,
        max_length = 1000,
        example = "proven domestic abuse: supported contact is not safe"
    )]
    pub reason: String,
    /// The service to point the family to instead.
    pub signposted_service: Option<ServiceType>,
}

/// Decline the referral, with a reason and, usually, a service to signpost instead.
#[utoipa::path(tag = "referrals", params(ReferralId), request_body = DeclineBody,
    responses((status = 200, description = "Declined.", body = ReferralView), error::CreateErrors))]
#[post("/referrals/{id}/decline")]
pub async fn decline(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
    body: ValidJson<DeclineBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let action = Action::Decline {
        reason: body.reason,
        signposted_service: body.signposted_service,
    };
    act(state, principal, id.into_inner().0, action).await
}
