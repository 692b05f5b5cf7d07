//! A place: offered, accepted or turned down, contact started; and a waiting family's priority.

use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::{act, just, Need, NotesBody, Outcome};
use crate::cases::{readiness, workflow, workflow::By};
use crate::error::ProblemType;
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::routes::referrals::ReferralView;
use crate::state::AppState;
use ccm_domain::london;
use ccm_domain::quote::LineKind;
use ccm_domain::referral::casework::{self};
use ccm_domain::referral::lifecycle::{ClosureReason, Event, ReferralAction};
use ccm_persistence::referrals::{self, ReferralChanges};

/// Offer the family a place now. Where the service has a set number of places, freed places
/// are offered in waiting-list order automatically; this offers one by hand.
#[utoipa::path(tag = "referrals", params(("id" = String, Path, description = "Referral id")),
    responses((status = 200, description = "Offered; the balance is now due.", body = ReferralView),
    (status = 401, response = error::Unauthorized), (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound), (status = 409, response = error::Conflict)))]
#[post("/referrals/{id}/offer")]
pub async fn offer(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let days = state.config.offer_expiry_days;
    act(
        state,
        principal,
        id.into_inner(),
        Need::Action(ReferralAction::Offer),
        move |conn, case, by, now| {
            let r = &case.referral;
            ccm_domain::referral::lifecycle::apply(
                r.status()?,
                Event::Action(ReferralAction::Offer),
            )?;
            readiness::require(conn, r, ReferralAction::Offer)?;
            just(workflow::offer(conn, r, by, days, now))
        },
    )
    .await
}

/// Accept the place offered (the family, its referrer or staff). After the offer expired: 409.
#[utoipa::path(tag = "referrals", params(("id" = String, Path, description = "Referral id")),
    responses((status = 200, description = "Accepted; next the balance or the pre-visits.", body = ReferralView),
    (status = 401, response = error::Unauthorized), (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound), (status = 409, response = error::Conflict)))]
#[post("/referrals/{id}/accept-offer")]
pub async fn accept_offer(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    act(
        state,
        principal,
        id.into_inner(),
        Need::Action(ReferralAction::AcceptOffer),
        move |conn, case, by, now| {
            let r = &case.referral;
            if r.offer_expires_at
                .is_some_and(|at| at < workflow::stored(now))
            {
                let changes = ReferralChanges {
                    closure_reason: Some(Some(ClosureReason::OfferExpired.as_str().into())),
                    ..Default::default()
                };
                workflow::transition(conn, r, Event::OfferExpired, By::SYSTEM, None, changes, now)?;
                return Ok(Outcome::Refused(ApiError::conflict(
                    ProblemType::OfferExpired,
                    "the offer expired and the place went to the next family",
                )));
            }
            let balance_due = !workflow::outstanding(conn, &r.id, LineKind::Balance)?.is_zero();
            just(workflow::transition(
                conn,
                r,
                Event::OfferAccepted { balance_due },
                by,
                None,
                ReferralChanges::default(),
                now,
            ))
        },
    )
    .await
}

/// Turn down the place offered: the case closes and the place goes to the next family.
#[utoipa::path(tag = "referrals", params(("id" = String, Path, description = "Referral id")), request_body = NotesBody,
    responses((status = 200, description = "Declined and closed.", body = ReferralView), error::CreateErrors))]
#[post("/referrals/{id}/decline-offer")]
pub async fn decline_offer(
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
        Need::Action(ReferralAction::DeclineOffer),
        move |conn, case, by, now| {
            just(workflow::close_with(
                conn,
                &case.referral,
                ReferralAction::DeclineOffer,
                ClosureReason::OfferDeclined,
                notes.as_deref(),
                by,
                now,
            ))
        },
    )
    .await
}

/// Start contact, once both sides have had their pre-visit. Reviews then fall due every few
/// months (`CCM_REVIEW_INTERVAL_MONTHS`).
#[utoipa::path(tag = "referrals", params(("id" = String, Path, description = "Referral id")),
    responses((status = 200, description = "Active.", body = ReferralView),
    (status = 401, response = error::Unauthorized), (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound), (status = 409, response = error::Conflict)))]
#[post("/referrals/{id}/activate")]
pub async fn activate(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let months = state.config.review_interval_months;
    act(
        state,
        principal,
        id.into_inner(),
        Need::Action(ReferralAction::Activate),
        move |conn, case, by, now| {
            let r = &case.referral;
            ccm_domain::referral::lifecycle::apply(
                r.status()?,
                Event::Action(ReferralAction::Activate),
            )?;
            readiness::require(conn, r, ReferralAction::Activate)?;
            let today = london::local_date(now);
            let changes = ReferralChanges {
                activated_on: Some(Some(today)),
                next_review_on: Some(Some(casework::add_months(today, months))),
                ..Default::default()
            };
            just(workflow::transition(
                conn,
                r,
                Event::Action(ReferralAction::Activate),
                by,
                None,
                changes,
                now,
            ))
        },
    )
    .await
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
#[utoipa::path(tag = "referrals", params(("id" = String, Path, description = "Referral id")), request_body = PriorityBody,
    responses((status = 200, description = "Priority set.", body = ReferralView), error::CreateErrors))]
#[post("/referrals/{id}/priority")]
pub async fn set_priority(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    body: ValidJson<PriorityBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    act(
        state,
        principal,
        id.into_inner(),
        Need::DecidingStaff,
        move |conn, case, _by, now| {
            let r = &case.referral;
            let status = r.status()?;
            if !matches!(
                status,
                ccm_domain::referral::lifecycle::ReferralStatus::Screening
                    | ccm_domain::referral::lifecycle::ReferralStatus::Waitlisted
            ) {
                return Err(ApiError::conflict(
                    ProblemType::NotWaiting,
                    format!("a {status} referral is not waiting for a place"),
                ));
            }
            let changes = ReferralChanges {
                priority: Some(body.priority),
                priority_reason: Some(Some(body.reason.clone())),
                ..Default::default()
            };
            referrals::update(conn, &r.id, &changes, workflow::stored(now))?;
            Ok(Outcome::Done)
        },
    )
    .await
}
