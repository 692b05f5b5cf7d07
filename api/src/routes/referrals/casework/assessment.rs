//! The suitability and risk assessment: its outcome, the controls it sets, when to look again.

use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;
use validator::Validate;

use crate::cases::{self, workflow};
use crate::error::ProblemType;
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::http::{self, utc, Instant};
use crate::routes::referrals::require_deciding_staff;
use crate::state::AppState;
use ccm_domain::referral::casework::AssessmentOutcome;
use ccm_domain::referral::disclosure::{self};
use ccm_domain::referral::lifecycle::is_final;
use ccm_persistence::casework as records;
use ccm_persistence::new_id;

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
#[utoipa::path(tag = "casework", params(("id" = String, Path, description = "Referral id")), request_body = AssessmentIn, responses((status = 201, description = "Recorded.", body = AssessmentView,
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
                    ProblemType::CaseClosed,
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
#[utoipa::path(tag = "casework", params(("id" = String, Path, description = "Referral id")), responses((status = 200, description = "The latest assessment.", body = AssessmentView), (status = 401, response = error::Unauthorized),
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
            crate::audit::read(
                "referral",
                &case.referral.id,
                Some(&case.referral.id),
                &["assessment"],
            );
            assessment_view(a)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
