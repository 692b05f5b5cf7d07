//! Casework records: the suitability assessment, each side's pre-visit, reviews and the
//! next-steps meeting. Each parent sees only their own pre-visit.

use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;
use validator::Validate;

use super::actions::{act, Need, Outcome};
use super::{require_deciding_staff, ReferralView};
use crate::cases::{self, workflow};
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::http::{self, utc, Instant};
use crate::state::AppState;
use ccm_domain::referral::casework::{self, AssessmentOutcome, PreVisit};
use ccm_domain::referral::disclosure::{self, Viewer};
use ccm_domain::referral::lifecycle::{is_final, Event, ReferralAction, ReferralStatus};
use ccm_domain::referral::PartyRole;
use ccm_domain::{london, Role};
use ccm_persistence::casework as records;
use ccm_persistence::new_id;
use ccm_persistence::referrals::ReferralChanges;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(record_assessment)
        .service(get_assessment)
        .service(book_pre_visit)
        .service(list_pre_visits)
        .service(mark_attended)
        .service(record_review)
        .service(record_meeting);
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"outcome": "suitable_with_controls", "separate_entrances": true, "arrival_offset_minutes": 20, "review_on": "2027-02-01"}))]
pub struct AssessmentIn {
    pub outcome: AssessmentOutcome,
    /// Whether unsupervised contact is appropriate (handover needs `true`).
    pub unsupervised_contact_appropriate: Option<bool>,
    /// The parents use separate entrances.
    #[serde(default)]
    pub separate_entrances: bool,
    /// Minutes between the parents' arrivals, if longer than the centre's usual offset.
    #[validate(range(min = 0, max = 120))]
    #[schema(minimum = 0, maximum = 120)]
    pub arrival_offset_minutes: Option<u32>,
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub controls_notes: Option<String>,
    #[serde(default, with = "http::date::format::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub review_on: Option<Date>,
}

#[derive(Serialize, ToSchema)]
pub struct AssessmentView {
    pub id: String,
    pub outcome: AssessmentOutcome,
    pub unsupervised_contact_appropriate: Option<bool>,
    pub separate_entrances: bool,
    pub arrival_offset_minutes: Option<u32>,
    pub controls_notes: Option<String>,
    #[serde(with = "http::date::format::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub review_on: Option<Date>,
    pub assessed_by: String,
    pub created_at: Instant,
}

fn assessment_view(a: records::Assessment) -> Result<AssessmentView, ApiError> {
    Ok(AssessmentView {
        id: a.id,
        outcome: a
            .outcome
            .parse()
            .map_err(|_| ApiError::Internal("stored assessment outcome".into()))?,
        unsupervised_contact_appropriate: a.unsupervised_contact_appropriate,
        separate_entrances: a.separate_entrances,
        arrival_offset_minutes: a.arrival_offset_minutes.and_then(|m| u32::try_from(m).ok()),
        controls_notes: a.controls_notes,
        review_on: a.review_on,
        assessed_by: a.assessed_by,
        created_at: utc(a.created_at),
    })
}

/// Record the suitability and risk assessment (the latest one counts).
#[utoipa::path(tag = "casework", params(("id" = String, Path, description = "Referral id")), request_body = AssessmentIn, security(("bearer" = [])),
    responses((status = 201, description = "Recorded.", body = AssessmentView,
        headers(("Location" = String, description = "The assessment's URL"))), error::CreateErrors))]
#[post("/referrals/{id}/assessment")]
pub async fn record_assessment(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    body: ValidJson<AssessmentIn>,
) -> Result<HttpResponse, ApiError> {
    let a = body.0;
    let id = id.into_inner();
    let location = format!("/v1/referrals/{id}/assessment");
    let view = state
        .write(move |conn| {
            let case = cases::load(conn, &id, &principal, true)?;
            require_deciding_staff(&case.relation)?;
            if is_final(case.referral.status()?) {
                return Err(ApiError::conflict(
                    "case-closed",
                    "a declined or closed referral is not assessed",
                ));
            }
            let row = records::Assessment {
                id: new_id(),
                referral_id: case.referral.id.clone(),
                outcome: a.outcome.as_str().into(),
                unsupervised_contact_appropriate: a.unsupervised_contact_appropriate,
                separate_entrances: a.separate_entrances,
                arrival_offset_minutes: a
                    .arrival_offset_minutes
                    .and_then(|m| i32::try_from(m).ok()),
                controls_notes: a.controls_notes,
                review_on: a.review_on,
                assessed_by: principal.user_id.clone(),
                created_at: workflow::stored(OffsetDateTime::now_utc()),
            };
            records::insert_assessment(conn, &row)?;
            assessment_view(row)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", location))
        .json(view))
}

/// The latest assessment (staff who see the case's risks).
#[utoipa::path(tag = "casework", params(("id" = String, Path, description = "Referral id")), security(("bearer" = [])),
    responses((status = 200, description = "The latest assessment.", body = AssessmentView), (status = 401, response = error::Unauthorized),
    (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound)))]
#[get("/referrals/{id}/assessment")]
pub async fn get_assessment(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = state
        .read(move |conn| {
            let case = cases::load(conn, &id, &principal, false)?;
            if !disclosure::case(case.relation.viewer, false).risk {
                return Err(ApiError::forbidden(
                    "assessments are for the provider's staff who see risks",
                ));
            }
            let a = records::latest_assessment(conn, &case.referral.id)?
                .ok_or_else(|| ApiError::not_found("assessment"))?;
            assessment_view(a)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"party": "resident_parent", "starts_at": "2027-01-09T10:00:00Z", "ends_at": "2027-01-09T10:45:00Z"}))]
pub struct PreVisitIn {
    pub party: super::dto::ParentSide,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub starts_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub ends_at: OffsetDateTime,
}

#[derive(Serialize, ToSchema)]
pub struct PreVisitView {
    pub id: String,
    pub party: PartyRole,
    pub starts_at: Instant,
    pub ends_at: Instant,
    /// The start in Europe/London wall-clock time, as people read it.
    #[schema(example = "2027-01-09T10:00:00Z")]
    pub starts_local: String,
    pub attended: bool,
}

pub fn domain_visits(rows: &[records::PreVisit]) -> Result<Vec<PreVisit>, ApiError> {
    rows.iter()
        .map(|v| {
            Ok(PreVisit {
                party: v
                    .party_role
                    .parse()
                    .map_err(|_| ApiError::Internal("stored pre-visit party".into()))?,
                starts_at: v.starts_at.assume_utc(),
                ends_at: v.ends_at.assume_utc(),
                attended: v.attended,
            })
        })
        .collect()
}

fn pre_visit_view(v: &records::PreVisit) -> Result<PreVisitView, ApiError> {
    let local = london::to_local(v.starts_at.assume_utc());
    Ok(PreVisitView {
        id: v.id.clone(),
        party: v
            .party_role
            .parse()
            .map_err(|_| ApiError::Internal("stored pre-visit party".into()))?,
        starts_at: utc(v.starts_at),
        ends_at: utc(v.ends_at),
        starts_local: local
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        attended: v.attended,
    })
}

/// Book one side's pre-visit: one per side, never overlapping the other side's, and for
/// supported contact not on the day of the first session.
#[utoipa::path(tag = "casework", params(("id" = String, Path, description = "Referral id")), request_body = PreVisitIn, security(("bearer" = [])),
    responses((status = 201, description = "Booked.", body = PreVisitView,
        headers(("Location" = String, description = "The pre-visits' URL"))), error::CreateErrors))]
#[post("/referrals/{id}/pre-visits")]
pub async fn book_pre_visit(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    body: ValidJson<PreVisitIn>,
) -> Result<HttpResponse, ApiError> {
    let v = body.0;
    let id = id.into_inner();
    let location = format!("/v1/referrals/{id}/pre-visits");
    let view = state
        .write(move |conn| {
            let case = cases::load(conn, &id, &principal, true)?;
            require_deciding_staff(&case.relation)?;
            let r = &case.referral;
            if !matches!(
                r.status()?,
                ReferralStatus::AwaitingBalance | ReferralStatus::PreVisits
            ) {
                return Err(ApiError::conflict(
                    "not-at-pre-visits",
                    format!(
                        "pre-visits are booked once a place is accepted; this referral is {}",
                        r.status
                    ),
                ));
            }
            let existing = records::pre_visits(conn, &r.id)?;
            let new = PreVisit {
                party: v.party.into(),
                starts_at: v.starts_at,
                ends_at: v.ends_at,
                attended: false,
            };
            casework::check_pre_visit(
                &domain_visits(&existing)?,
                new,
                london::local_date(v.starts_at),
                r.service()?,
                r.first_session_on,
            )
            .map_err(|why| ApiError::rule("pre-visit-rule", why))?;
            let row = records::PreVisit {
                id: new_id(),
                referral_id: r.id.clone(),
                party_role: new.party.as_str().into(),
                starts_at: workflow::stored(v.starts_at),
                ends_at: workflow::stored(v.ends_at),
                attended: false,
                created_at: workflow::stored(OffsetDateTime::now_utc()),
            };
            records::insert_pre_visit(conn, &row)?;
            pre_visit_view(&row)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", location))
        .json(view))
}

/// The case's pre-visits: staff see both, each parent only their own.
#[utoipa::path(tag = "casework", params(("id" = String, Path, description = "Referral id")), security(("bearer" = [])),
    responses((status = 200, description = "Pre-visits, earliest first.", body = Vec<PreVisitView>), (status = 401, response = error::Unauthorized),
    (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound)))]
#[get("/referrals/{id}/pre-visits")]
pub async fn list_pre_visits(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let views = state
        .read(move |conn| {
            let case = cases::load(conn, &id, &principal, false)?;
            let visible = |party: &str| match case.relation.viewer {
                Viewer::Staff(_) => true,
                Viewer::Party(me) => me.as_str() == party,
                Viewer::Referrer => false,
            };
            if case.relation.viewer == Viewer::Referrer {
                return Err(ApiError::forbidden(
                    "pre-visit times are for the family and the centre",
                ));
            }
            records::pre_visits(conn, &case.referral.id)?
                .iter()
                .filter(|v| visible(&v.party_role))
                .map(pre_visit_view)
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    Ok(HttpResponse::Ok().json(views))
}

/// Record that a side attended its pre-visit.
#[utoipa::path(tag = "casework", params(("id" = String, Path, description = "Referral id"), ("visit_id" = String, Path, description = "Pre-visit id")),
    security(("bearer" = [])), responses((status = 200, description = "Marked attended.", body = PreVisitView), (status = 401, response = error::Unauthorized),
    (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound)))]
#[post("/referrals/{id}/pre-visits/{visit_id}/attended")]
pub async fn mark_attended(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, visit_id) = path.into_inner();
    let view = state
        .write(move |conn| {
            let case = cases::load(conn, &id, &principal, true)?;
            if !case.relation.is_staff(&[
                Role::OrgAdmin,
                Role::Coordinator,
                Role::Supervisor,
                Role::Volunteer,
            ]) {
                return Err(ApiError::forbidden("the centre's staff record attendance"));
            }
            let visits = records::pre_visits(conn, &case.referral.id)?;
            let visit = visits
                .iter()
                .find(|v| v.id == visit_id)
                .ok_or_else(|| ApiError::not_found("pre-visit"))?;
            records::mark_attended(conn, &visit.id)?;
            pre_visit_view(&records::PreVisit {
                attended: true,
                ..visit.clone()
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewIn {
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub notes: Option<String>,
    /// Required to continue more than six months after contact started.
    #[validate(
        length(min = 1, max = 1000),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 1000)]
    pub continue_reason: Option<String>,
}

/// Record a review: contact continues, and the next review falls due a few months on.
#[utoipa::path(tag = "casework", params(("id" = String, Path, description = "Referral id")), request_body = ReviewIn, security(("bearer" = [])),
    responses((status = 200, description = "Reviewed; the case continues.", body = ReferralView), error::CreateErrors))]
#[post("/referrals/{id}/reviews")]
pub async fn record_review(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    body: ValidJson<ReviewIn>,
) -> Result<HttpResponse, ApiError> {
    let review = body.0;
    let months = state.config.review_interval_months;
    act(
        state,
        principal,
        id.into_inner(),
        Need::Action(ReferralAction::RecordReview),
        move |conn, case, by, now| {
            let r = &case.referral;
            ccm_domain::referral::lifecycle::apply(
                r.status()?,
                Event::Action(ReferralAction::RecordReview),
            )?;
            let today = london::local_date(now);
            let started = r.activated_on.unwrap_or(today);
            if casework::continuing_needs_reason(started, today) && review.continue_reason.is_none()
            {
                return Err(ApiError::invalid(
                    "continue_reason",
                    "required",
                    "contact beyond six months is exceptional: give the reason it continues",
                ));
            }
            records::insert_review(
                conn,
                &records::Review {
                    id: new_id(),
                    referral_id: r.id.clone(),
                    held_on: today,
                    outcome: "continue".into(),
                    notes: review.notes.clone(),
                    continue_reason: review.continue_reason.clone(),
                    recorded_by: by.user_id.unwrap_or_default().to_string(),
                    created_at: workflow::stored(now),
                },
            )?;
            let changes = ReferralChanges {
                next_review_on: Some(Some(casework::add_months(today, months))),
                ..Default::default()
            };
            workflow::transition(
                conn,
                r,
                Event::Action(ReferralAction::RecordReview),
                by,
                review.continue_reason.as_deref(),
                changes,
                now,
            )?;
            Ok(Outcome::Done)
        },
    )
    .await
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingIn {
    #[serde(with = "http::date::format")]
    #[schema(value_type = String, format = Date)]
    pub held_on: Date,
    #[validate(
        length(min = 1, max = 1000),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(
        min_length = 1,
        max_length = 1000,
        example = "both parents, Cafcass officer, centre coordinator"
    )]
    pub attendees: String,
    #[validate(
        length(min = 1, max = 4000),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(
        min_length = 1,
        max_length = 4000,
        example = "contact to continue in the community, arranged by the parents"
    )]
    pub outcome: String,
}

/// Record the next-steps meeting that ends a court-ordered case (once).
#[utoipa::path(tag = "casework", params(("id" = String, Path, description = "Referral id")), request_body = MeetingIn, security(("bearer" = [])),
    responses((status = 200, description = "Recorded.", body = ReferralView), error::CreateErrors))]
#[post("/referrals/{id}/next-steps-meeting")]
pub async fn record_meeting(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    body: ValidJson<MeetingIn>,
) -> Result<HttpResponse, ApiError> {
    let m = body.0;
    act(
        state,
        principal,
        id.into_inner(),
        Need::DecidingStaff,
        move |conn, case, by, now| {
            let r = &case.referral;
            if !r.court_ordered {
                return Err(ApiError::rule(
                    "not-court-ordered",
                    "next-steps meetings close court-ordered cases",
                ));
            }
            if records::meeting(conn, &r.id)?.is_some() {
                return Err(ApiError::conflict(
                    "meeting-recorded",
                    "the next-steps meeting is already recorded",
                ));
            }
            records::insert_meeting(
                conn,
                &records::NextStepsMeeting {
                    id: new_id(),
                    referral_id: r.id.clone(),
                    held_on: m.held_on,
                    attendees: m.attendees.clone(),
                    outcome: m.outcome.clone(),
                    recorded_by: by.user_id.unwrap_or_default().to_string(),
                    created_at: workflow::stored(now),
                },
            )?;
            Ok(Outcome::Done)
        },
    )
    .await
}
