//! The designated lead's steps on a concern: decide, record the outside referral, close.

use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use validator::Validate;

use super::{load, status_of, view, ConcernView, LEADS};
use crate::cases::workflow;
use crate::error::ProblemType;
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::ids::ConcernId;
use crate::state::AppState;
use ccm_domain::records::safeguarding::{
    self as rules, Agency, ConcernDecision, ConcernError, ConcernEvent,
};
use ccm_persistence::safeguarding::{self as store, Concern};

/// Applies `event` to the concern (by the designated lead) and saves what `change` sets.
async fn step(
    state: web::Data<AppState>,
    principal: Principal,
    id: String,
    event: ConcernEvent,
    change: impl FnOnce(&mut Concern, &str, OffsetDateTime) -> Result<(), ApiError> + Send + 'static,
) -> Result<HttpResponse, ApiError> {
    let view = state
        .write(move |conn| {
            let mut concern = load(conn, &id, &principal, LEADS, true)?;
            let (status, decision) = status_of(&concern)?;
            let to = rules::apply(status, decision, event).map_err(|e| match e {
                ConcernError::Transition { from, .. } => {
                    let allowed = rules::allowed_actions(from, decision);
                    ApiError::Transition {
                        detail: format!("{e}; allowed now: {}", allowed.join(", ")),
                        current_status: from.as_str().to_string(),
                        allowed_actions: allowed.iter().map(|a| a.to_string()).collect(),
                    }
                }
                ConcernError::NotReferable(_) => {
                    ApiError::conflict(ProblemType::NotReferable, e.to_string())
                }
                ConcernError::ReferralOutstanding => {
                    ApiError::conflict(ProblemType::ReferralOutstanding, e.to_string())
                }
            })?;
            concern.status = to.as_str().into();
            change(&mut concern, &principal.user_id, OffsetDateTime::now_utc())?;
            view(store::save(conn, &concern)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"decision": "refer_externally", "rationale": "A disclosure of physical harm: children's social care must know today."}))]
pub struct DecideBody {
    pub decision: ConcernDecision,
    #[validate(
        length(min = 1, max = 5000),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 5000)]
    pub rationale: String,
}

/// The designated lead's decision on a raised concern.
#[utoipa::path(tag = "safeguarding", params(ConcernId), request_body = DecideBody,
    responses((status = 200, description = "Decided.", body = ConcernView), error::CreateErrors))]
#[post("/safeguarding-concerns/{id}/decide")]
pub async fn decide(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ConcernId>,
    body: ValidJson<DecideBody>,
) -> Result<HttpResponse, ApiError> {
    let b = body.0;
    let event = ConcernEvent::Decide(b.decision);
    step(
        state,
        principal,
        id.into_inner().0,
        event,
        move |c, by, now| {
            c.decision = Some(b.decision.as_str().into());
            c.rationale = Some(b.rationale.trim().to_string());
            c.decided_by = Some(by.to_string());
            c.decided_at = Some(workflow::stored(now));
            Ok(())
        },
    )
    .await
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"agency": "childrens_social_care", "contact": "Kent Integrated Children's Services front door",
    "reference": "KCS-2027-0142", "referred_at": "2027-01-09T14:30:00Z"}))]
pub struct ReferBody {
    pub agency: Agency,
    /// Who at the agency: a team, a named officer.
    #[validate(
        length(min = 1, max = 300),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 300)]
    pub contact: String,
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub reference: Option<String>,
    /// When the referral was made, with an offset: after the concern was raised, not in the
    /// future.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub referred_at: OffsetDateTime,
}

/// Record the outside referral the lead decided on: to whom and when.
#[utoipa::path(tag = "safeguarding", params(ConcernId), request_body = ReferBody,
    responses((status = 200, description = "Referred.", body = ConcernView), error::CreateErrors))]
#[post("/safeguarding-concerns/{id}/refer")]
pub async fn refer(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ConcernId>,
    body: ValidJson<ReferBody>,
) -> Result<HttpResponse, ApiError> {
    let b = body.0;
    step(
        state,
        principal,
        id.into_inner().0,
        ConcernEvent::Refer,
        move |c, by, now| {
            rules::referral_time(c.raised_at.assume_utc(), b.referred_at, now)
                .map_err(|e| ApiError::invalid("referred_at", "referral_time", e.to_string()))?;
            c.agency = Some(b.agency.as_str().into());
            c.agency_contact = Some(b.contact.trim().to_string());
            c.agency_reference = b.reference;
            c.referred_at = Some(workflow::stored(b.referred_at));
            c.referred_by = Some(by.to_string());
            Ok(())
        },
    )
    .await
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"outcome": "Social care visited; a child protection plan is in place. Contact resumes supervised."}))]
pub struct ConcernCloseBody {
    #[validate(
        length(min = 1, max = 5000),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 5000)]
    pub outcome: String,
}

/// Close the concern with its outcome.
#[utoipa::path(tag = "safeguarding", params(ConcernId), request_body = ConcernCloseBody,
    responses((status = 200, description = "Closed.", body = ConcernView), error::CreateErrors))]
#[post("/safeguarding-concerns/{id}/close")]
pub async fn close(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ConcernId>,
    body: ValidJson<ConcernCloseBody>,
) -> Result<HttpResponse, ApiError> {
    let outcome = body.0.outcome;
    step(
        state,
        principal,
        id.into_inner().0,
        ConcernEvent::Close,
        move |c, by, now| {
            c.outcome = Some(outcome.trim().to_string());
            c.closed_by = Some(by.to_string());
            c.closed_at = Some(workflow::stored(now));
            Ok(())
        },
    )
    .await
}
