//! Screening's decisions: accept onto the waiting list, or decline with a reason and a signpost.

use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::{act, just, Need};
use crate::cases::workflow;
use crate::error::ProblemType;
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::routes::referrals::ReferralView;
use crate::state::AppState;
use ccm_domain::referral::eligibility::{self, Decision};
use ccm_domain::referral::lifecycle::{Event, ReferralAction};
use ccm_domain::{london, ServiceType};
use ccm_persistence::casework as records;
use ccm_persistence::referrals::ReferralChanges;

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
#[utoipa::path(tag = "referrals", params(("id" = String, Path, description = "Referral id")), request_body = AcceptBody,
    responses((status = 200, description = "Accepted onto the waiting list.", body = ReferralView), error::CreateErrors))]
#[post("/referrals/{id}/accept")]
pub async fn accept(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    body: ValidJson<AcceptBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    act(state, principal, id.into_inner(), Need::Action(ReferralAction::Accept), move |conn, case, by, now| {
        let r = &case.referral;
        ccm_domain::referral::lifecycle::apply(r.status()?, Event::Action(ReferralAction::Accept))?;
        crate::cases::readiness::require(conn, r, ReferralAction::Accept)?;
        let Some(assessment) = records::latest_assessment(conn, &r.id)? else {
            // `require` has just seen it, in this transaction.
            return Err(ApiError::Internal("the assessment went missing".into()));
        };
        let today = london::local_date(now);
        let decision = eligibility::decide(r.service()?, &r.risk()?, assessment.unsupervised_contact_appropriate, today);
        let override_reason = match decision {
            Decision::Eligible => None,
            Decision::Refused { reason, signpost } => {
                return Err(ApiError::rule(ProblemType::NotEligible, format!("{reason}; decline and signpost {signpost} contact")));
            }
            Decision::NeedsOverride { reason, signpost } => match body.override_reason {
                Some(why) => Some(why),
                None => {
                    return Err(ApiError::Unprocessable {
                        code: ProblemType::OverrideRequired,
                        detail: format!("{reason}; accept only with an override_reason, or signpost {signpost} contact"),
                        errors: vec![error::FieldError::new("override_reason", "required", "is required to accept against the rules' advice")],
                    })
                }
            },
        };
        let changes = ReferralChanges { override_reason: Some(override_reason.clone()), ..Default::default() };
        just(workflow::transition(conn, r, Event::Action(ReferralAction::Accept), by, override_reason.as_deref(), changes, now))
    })
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
#[utoipa::path(tag = "referrals", params(("id" = String, Path, description = "Referral id")), request_body = DeclineBody,
    responses((status = 200, description = "Declined.", body = ReferralView), error::CreateErrors))]
#[post("/referrals/{id}/decline")]
pub async fn decline(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    body: ValidJson<DeclineBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    act(
        state,
        principal,
        id.into_inner(),
        Need::Action(ReferralAction::Decline),
        move |conn, case, by, now| {
            let changes = ReferralChanges {
                decline_reason: Some(Some(body.reason.clone())),
                signposted_service: Some(body.signposted_service.map(|s| s.as_str().to_string())),
                ..Default::default()
            };
            just(workflow::transition(
                conn,
                &case.referral,
                Event::Action(ReferralAction::Decline),
                by,
                Some(&body.reason),
                changes,
                now,
            ))
        },
    )
    .await
}
