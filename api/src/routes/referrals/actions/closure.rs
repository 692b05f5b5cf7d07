//! The end of a case: closed with a reason, or withdrawn by whoever made it.

use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::{act, just, Need, NotesBody};
use crate::cases::workflow;
use crate::error::ProblemType;
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::routes::referrals::ReferralView;
use crate::state::AppState;
use ccm_domain::referral::casework::closure_needs_next_steps;
use ccm_domain::referral::lifecycle::{ClosureReason, Event, ReferralAction};
use ccm_persistence::casework as records;

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
#[utoipa::path(tag = "referrals", params(("id" = String, Path, description = "Referral id")), request_body = CloseBody,
    responses((status = 200, description = "Closed.", body = ReferralView), error::CreateErrors))]
#[post("/referrals/{id}/close")]
pub async fn close(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    body: ValidJson<CloseBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    if matches!(
        body.reason,
        ClosureReason::OfferDeclined | ClosureReason::OfferExpired
    ) {
        return Err(ApiError::invalid(
            "reason",
            "system_reason",
            "is recorded by answering or letting an offer lapse, not by closing",
        ));
    }
    act(
        state,
        principal,
        id.into_inner(),
        Need::Action(ReferralAction::Close),
        move |conn, case, by, now| {
            let r = &case.referral;
            ccm_domain::referral::lifecycle::apply(
                r.status()?,
                Event::Action(ReferralAction::Close),
            )?;
            let meeting = records::meeting(conn, &r.id)?.is_some();
            if closure_needs_next_steps(r.court_ordered, r.activated_on.is_some(), meeting) {
                return Err(ApiError::conflict(
                    ProblemType::NextStepsMeetingRequired,
                    "a court-ordered case closes after its next-steps meeting is recorded",
                ));
            }
            just(workflow::close_with(
                conn,
                r,
                ReferralAction::Close,
                body.reason,
                body.notes.as_deref(),
                by,
                now,
            ))
        },
    )
    .await
}

/// Withdraw the referral (whoever made it, or staff).
#[utoipa::path(tag = "referrals", params(("id" = String, Path, description = "Referral id")), request_body = NotesBody,
    responses((status = 200, description = "Withdrawn and closed.", body = ReferralView), error::CreateErrors))]
#[post("/referrals/{id}/withdraw")]
pub async fn withdraw(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    body: ValidJson<NotesBody>,
) -> Result<HttpResponse, ApiError> {
    let notes = body.0.notes;
    act(
        state,
        principal,
        id.into_inner(),
        Need::Action(ReferralAction::Withdraw),
        move |conn, case, by, now| {
            just(workflow::close_with(
                conn,
                &case.referral,
                ReferralAction::Withdraw,
                ClosureReason::Withdrawn,
                notes.as_deref(),
                by,
                now,
            ))
        },
    )
    .await
}
