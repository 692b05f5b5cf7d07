//! Reviews while contact goes on, and the next-steps meeting that ends a court-ordered case.

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
use crate::routes::referrals::actions::act;
use crate::routes::referrals::ReferralView;
use crate::state::AppState;
use ccm_app::casework::{reviews, Review};
use ccm_app::referrals::actions::Action;

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
#[utoipa::path(tag = "casework", params(ReferralId), request_body = ReviewIn, responses((status = 200, description = "Reviewed; the case continues.", body = ReferralView), error::CreateErrors))]
#[post("/referrals/{id}/reviews")]
pub async fn record_review(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
    body: ValidJson<ReviewIn>,
) -> Result<HttpResponse, ApiError> {
    let review = body.0;
    let action = Action::RecordReview {
        notes: review.notes,
        continue_reason: review.continue_reason,
    };
    act(state, principal, id.into_inner().0, action).await
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
#[utoipa::path(tag = "casework", params(ReferralId), request_body = MeetingIn, responses((status = 200, description = "Recorded.", body = ReferralView), error::CreateErrors))]
#[post("/referrals/{id}/next-steps-meeting")]
pub async fn record_meeting(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
    body: ValidJson<MeetingIn>,
) -> Result<HttpResponse, ApiError> {
    let m = body.0;
    let action = Action::RecordMeeting {
        held_on: m.held_on,
        attendees: m.attendees,
        outcome: m.outcome,
    };
    act(state, principal, id.into_inner().0, action).await
}

#[derive(Serialize, ToSchema)]
pub struct ReviewView {
    pub id: String,
    #[serde(with = "http::date::format")]
    #[schema(value_type = String, format = Date)]
    pub held_on: Date,
    /// What the review decided; `continue` (ending the case is the `close` action).
    pub outcome: String,
    pub notes: Option<String>,
    /// Why contact continues more than six months after it started.
    pub continue_reason: Option<String>,
    pub recorded_by: String,
    pub created_at: Instant,
}

#[derive(Serialize, ToSchema)]
pub struct MeetingView {
    pub id: String,
    #[serde(with = "http::date::format")]
    #[schema(value_type = String, format = Date)]
    pub held_on: Date,
    pub attendees: String,
    pub outcome: String,
    pub recorded_by: String,
    pub created_at: Instant,
}

fn review_view(r: Review) -> ReviewView {
    ReviewView {
        id: r.id,
        held_on: r.held_on,
        outcome: r.outcome,
        notes: r.notes,
        continue_reason: r.continue_reason,
        recorded_by: r.recorded_by,
        created_at: utc(r.created_at),
    }
}

/// The case's reviews, oldest first (staff who see the case's record).
#[utoipa::path(tag = "casework", params(ReferralId), responses((status = 200, description = "Reviews, oldest first.", body = Vec<ReviewView>), (status = 401, response = error::Unauthorized),
    (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound)))]
#[get("/referrals/{id}/reviews")]
pub async fn list_reviews(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let actor = cases::actor(&principal);
    let views = state
        .read(move |conn| {
            let reviews = reviews::list(conn, &actor, &id)?;
            crate::audit::case(&id);
            Ok::<_, ApiError>(reviews.into_iter().map(review_view).collect::<Vec<_>>())
        })
        .await?;
    Ok(HttpResponse::Ok().json(views))
}

/// The next-steps meeting, once recorded (staff who see the case's record).
#[utoipa::path(tag = "casework", params(ReferralId), responses((status = 200, description = "The meeting.", body = MeetingView), (status = 401, response = error::Unauthorized),
    (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound)))]
#[get("/referrals/{id}/next-steps-meeting")]
pub async fn get_meeting(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let actor = cases::actor(&principal);
    let m = state
        .read(move |conn| {
            let m = reviews::meeting(conn, &actor, &id)?;
            crate::audit::case(&m.referral_id);
            Ok::<_, ApiError>(m)
        })
        .await?;
    Ok(HttpResponse::Ok().json(MeetingView {
        id: m.id,
        held_on: m.held_on,
        attendees: m.attendees,
        outcome: m.outcome,
        recorded_by: m.recorded_by,
        created_at: utc(m.created_at),
    }))
}
