//! The suitability and risk assessment: its outcome, the controls it sets, when to look again.

use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::ToSchema;
use validator::Validate;

use crate::cases;
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::http::{self, utc, Instant};
use crate::ids::ReferralId;
use crate::state::AppState;
use ccm_app::casework::assessment::{self, AssessmentCmd};
use ccm_app::casework::Assessment;
use ccm_domain::referral::casework::AssessmentOutcome;

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

fn assessment_view(a: Assessment) -> Result<AssessmentView, ApiError> {
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
#[utoipa::path(tag = "casework", params(ReferralId), request_body = AssessmentIn, responses((status = 201, description = "Recorded.", body = AssessmentView,
        headers(("Location" = String, description = "The assessment's URL"))), error::CreateErrors))]
#[post("/referrals/{id}/assessment")]
pub async fn record_assessment(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
    body: ValidJson<AssessmentIn>,
) -> Result<HttpResponse, ApiError> {
    let a = body.0;
    let id = id.into_inner().0;
    let location = format!("/v1/referrals/{id}/assessment");
    let cmd = AssessmentCmd {
        outcome: a.outcome,
        unsupervised_contact_appropriate: a.unsupervised_contact_appropriate,
        separate_entrances: a.separate_entrances,
        arrival_offset_minutes: a.arrival_offset_minutes,
        controls_notes: a.controls_notes,
        review_on: a.review_on,
    };
    let actor = cases::actor(&principal);
    let view = state
        .write(move |conn| {
            let row = assessment::record(conn, &actor, &id, cmd)?;
            crate::audit::case(&row.referral_id);
            assessment_view(row)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", location))
        .json(view))
}

/// The latest assessment (staff who see the case's risks).
#[utoipa::path(tag = "casework", params(ReferralId), responses((status = 200, description = "The latest assessment.", body = AssessmentView), (status = 401, response = error::Unauthorized),
    (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound)))]
#[get("/referrals/{id}/assessment")]
pub async fn get_assessment(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let actor = cases::actor(&principal);
    let view = state
        .read(move |conn| {
            let a = assessment::latest(conn, &actor, &id)?;
            crate::audit::case(&a.referral_id);
            crate::audit::read(
                "referral",
                &a.referral_id,
                Some(&a.referral_id),
                &["assessment"],
            );
            assessment_view(a)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
