//! The lifecycle's actions, one endpoint each: `POST /v1/referrals/{id}/{action}`. Each checks
//! who may take it (403), then asks the lifecycle (409 naming the status and what it allows),
//! then its own rules, and answers with the referral as the caller now sees it.

use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use validator::Validate;

use super::{full_view, ReferralView};
use crate::cases::{self, workflow, workflow::By, Case};
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::http::ok_tagged;
use crate::state::AppState;
use ccm_domain::quote::LineKind;
use ccm_domain::referral::casework::{self, closure_needs_next_steps};
use ccm_domain::referral::eligibility::{self, Decision};
use ccm_domain::referral::lifecycle::{ClosureReason, Event, ReferralAction, SuspensionReason};
use ccm_domain::referral::waitlist;
use ccm_domain::{london, ServiceType};
use ccm_persistence::referrals::{self, Referral, ReferralChanges};
use ccm_persistence::{casework as records, offerings, AnyConnection};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(accept)
        .service(decline)
        .service(offer)
        .service(accept_offer)
        .service(decline_offer)
        .service(activate)
        .service(suspend)
        .service(resume)
        .service(close)
        .service(withdraw)
        .service(set_priority);
}

/// What an action did: moved the case on, or moved it and still refuses the caller (an offer
/// that expired is closed, then reported as expired).
pub(super) enum Outcome {
    Done,
    Refused(ApiError),
}

/// What the caller must be allowed to do.
#[derive(Clone, Copy)]
pub(super) enum Need {
    /// Take this lifecycle action.
    Action(ReferralAction),
    /// Decide for the provider (coordinators and org admins), outside the lifecycle.
    DecidingStaff,
}

/// Loads and locks the case, checks the caller may do what `need` says, runs `f` in the same
/// transaction, and answers with the case as the caller now sees it.
pub(super) async fn act<F>(
    state: web::Data<AppState>,
    principal: Principal,
    id: String,
    need: Need,
    f: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(&mut AnyConnection, &Case, By, OffsetDateTime) -> Result<Outcome, ApiError>
        + Send
        + 'static,
{
    let offer_days = state.config.offer_expiry_days;
    let (outcome, version, view) = state
        .write(move |conn| {
            let case = cases::load(conn, &id, &principal, true)?;
            match need {
                Need::Action(action) if !case.relation.may(action) => {
                    return Err(ApiError::forbidden(format!(
                        "you may not {} this referral",
                        action.as_str().replace('_', " ")
                    )));
                }
                Need::DecidingStaff => super::require_deciding_staff(&case.relation)?,
                Need::Action(_) => {}
            }
            let now = OffsetDateTime::now_utc();
            let by = By {
                user_id: Some(&principal.user_id),
                role: Some(principal.role),
            };
            let outcome = f(conn, &case, by, now)?;
            // A place freed or a family newly waiting: offer what the service has free.
            let r = referrals::find(conn, &id)?;
            workflow::offer_free_places(conn, &r.centre_id, r.service()?, offer_days, now)?;
            let case = cases::load(conn, &id, &principal, false)?;
            Ok((outcome, case.referral.version, full_view(conn, &case)?))
        })
        .await?;
    match outcome {
        Outcome::Done => Ok(ok_tagged(&view, version)),
        Outcome::Refused(e) => Err(e),
    }
}

fn just(r: Result<Referral, ApiError>) -> Result<Outcome, ApiError> {
    r.map(|_| Outcome::Done)
}

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
    security(("bearer" = [])), responses((status = 200, description = "Accepted onto the waiting list.", body = ReferralView), error::CreateErrors))]
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
        let Some(assessment) = records::latest_assessment(conn, &r.id)? else {
            return Err(ApiError::conflict("assessment-required", "record a suitability assessment before accepting"));
        };
        if assessment.outcome == casework::AssessmentOutcome::Unsuitable.as_str() {
            return Err(ApiError::conflict("assessed-unsuitable", "the assessment found the family unsuitable: decline and signpost instead"));
        }
        let today = london::local_date(now);
        let decision = eligibility::decide(r.service()?, &r.risk()?, assessment.unsupervised_contact_appropriate, today);
        let override_reason = match decision {
            Decision::Eligible => None,
            Decision::Refused { reason, signpost } => {
                return Err(ApiError::rule("not-eligible", format!("{reason}; decline and signpost {signpost} contact")));
            }
            Decision::NeedsOverride { reason, signpost } => match body.override_reason {
                Some(why) => Some(why),
                None => {
                    return Err(ApiError::Unprocessable {
                        code: "override-required",
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
    security(("bearer" = [])), responses((status = 200, description = "Declined.", body = ReferralView), error::CreateErrors))]
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

/// Offer the family a place now. Where the service has a set number of places, freed places
/// are offered in waiting-list order automatically; this offers one by hand.
#[utoipa::path(tag = "referrals", params(("id" = String, Path, description = "Referral id")),
    security(("bearer" = [])), responses((status = 200, description = "Offered; the balance is now due.", body = ReferralView),
    (status = 401, response = error::Unauthorized), (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound), (status = 409, response = error::Conflict)))]
#[post("/referrals/{id}/offer")]
pub async fn offer(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let days = state.config.offer_expiry_days;
    act(state, principal, id.into_inner(), Need::Action(ReferralAction::Offer), move |conn, case, by, now| {
        let r = &case.referral;
        ccm_domain::referral::lifecycle::apply(r.status()?, Event::Action(ReferralAction::Offer))?;
        if let Some(o) = offerings::find_for(conn, &r.centre_id, r.service()?)? {
            let held = referrals::holding_places(conn, &r.centre_id, r.service()?)?;
            let places = o.places.and_then(|p| u32::try_from(p).ok());
            if places.is_some() && waitlist::free_places(places, usize::try_from(held).unwrap_or(usize::MAX)) == 0 {
                return Err(ApiError::conflict("no-free-place", "every place of this service is taken; the family stays on the waiting list"));
            }
        }
        just(workflow::offer(conn, r, by, days, now))
    })
    .await
}

/// Accept the place offered (the family, its referrer or staff). After the offer expired: 409.
#[utoipa::path(tag = "referrals", params(("id" = String, Path, description = "Referral id")),
    security(("bearer" = [])), responses((status = 200, description = "Accepted; next the balance or the pre-visits.", body = ReferralView),
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
                    "offer-expired",
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

#[derive(Deserialize, Validate, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct NotesBody {
    #[validate(length(min = 1, max = 1000))]
    #[schema(min_length = 1, max_length = 1000)]
    pub notes: Option<String>,
}

/// Turn down the place offered: the case closes and the place goes to the next family.
#[utoipa::path(tag = "referrals", params(("id" = String, Path, description = "Referral id")), request_body = NotesBody,
    security(("bearer" = [])), responses((status = 200, description = "Declined and closed.", body = ReferralView), error::CreateErrors))]
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
            let changes = ReferralChanges {
                closure_reason: Some(Some(ClosureReason::OfferDeclined.as_str().into())),
                closure_notes: Some(notes.clone()),
                ..Default::default()
            };
            just(workflow::transition(
                conn,
                &case.referral,
                Event::Action(ReferralAction::DeclineOffer),
                by,
                notes.as_deref(),
                changes,
                now,
            ))
        },
    )
    .await
}

/// Start contact, once both sides have had their pre-visit. Reviews then fall due every few
/// months (`CCM_REVIEW_INTERVAL_MONTHS`).
#[utoipa::path(tag = "referrals", params(("id" = String, Path, description = "Referral id")),
    security(("bearer" = [])), responses((status = 200, description = "Active.", body = ReferralView),
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
            let visits = super::casework::domain_visits(&records::pre_visits(conn, &r.id)?)?;
            if !casework::pre_visits_done(&visits) {
                return Err(ApiError::conflict(
                    "pre-visits-incomplete",
                    "both parents must have attended their pre-visit",
                ));
            }
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
pub struct SuspendBody {
    pub reason: SuspensionReason,
    #[validate(length(min = 1, max = 1000))]
    #[schema(min_length = 1, max_length = 1000)]
    pub notes: Option<String>,
}

/// Suspend contact (a safeguarding concern, non-payment, a breach).
#[utoipa::path(tag = "referrals", params(("id" = String, Path, description = "Referral id")), request_body = SuspendBody,
    security(("bearer" = [])), responses((status = 200, description = "Suspended.", body = ReferralView), error::CreateErrors))]
#[post("/referrals/{id}/suspend")]
pub async fn suspend(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    body: ValidJson<SuspendBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    act(
        state,
        principal,
        id.into_inner(),
        Need::Action(ReferralAction::Suspend),
        move |conn, case, by, now| {
            let changes = ReferralChanges {
                suspension_reason: Some(Some(body.reason.as_str().into())),
                ..Default::default()
            };
            let why = body
                .notes
                .clone()
                .unwrap_or_else(|| body.reason.as_str().into());
            just(workflow::transition(
                conn,
                &case.referral,
                Event::Action(ReferralAction::Suspend),
                by,
                Some(&why),
                changes,
                now,
            ))
        },
    )
    .await
}

/// Resume contact after a suspension.
#[utoipa::path(tag = "referrals", params(("id" = String, Path, description = "Referral id")), request_body = NotesBody,
    security(("bearer" = [])), responses((status = 200, description = "Active again.", body = ReferralView), error::CreateErrors))]
#[post("/referrals/{id}/resume")]
pub async fn resume(
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
        Need::Action(ReferralAction::Resume),
        move |conn, case, by, now| {
            let changes = ReferralChanges {
                suspension_reason: Some(None),
                ..Default::default()
            };
            just(workflow::transition(
                conn,
                &case.referral,
                Event::Action(ReferralAction::Resume),
                by,
                notes.as_deref(),
                changes,
                now,
            ))
        },
    )
    .await
}

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
    security(("bearer" = [])), responses((status = 200, description = "Closed.", body = ReferralView), error::CreateErrors))]
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
                    "next-steps-meeting-required",
                    "a court-ordered case closes after its next-steps meeting is recorded",
                ));
            }
            let changes = ReferralChanges {
                closure_reason: Some(Some(body.reason.as_str().into())),
                closure_notes: Some(body.notes.clone()),
                ..Default::default()
            };
            just(workflow::transition(
                conn,
                r,
                Event::Action(ReferralAction::Close),
                by,
                body.notes.as_deref(),
                changes,
                now,
            ))
        },
    )
    .await
}

/// Withdraw the referral (whoever made it, or staff).
#[utoipa::path(tag = "referrals", params(("id" = String, Path, description = "Referral id")), request_body = NotesBody,
    security(("bearer" = [])), responses((status = 200, description = "Withdrawn and closed.", body = ReferralView), error::CreateErrors))]
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
            let changes = ReferralChanges {
                closure_reason: Some(Some(ClosureReason::Withdrawn.as_str().into())),
                closure_notes: Some(notes.clone()),
                ..Default::default()
            };
            just(workflow::transition(
                conn,
                &case.referral,
                Event::Action(ReferralAction::Withdraw),
                by,
                notes.as_deref(),
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
    security(("bearer" = [])), responses((status = 200, description = "Priority set.", body = ReferralView), error::CreateErrors))]
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
                    "not-waiting",
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
