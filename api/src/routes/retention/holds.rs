//! Legal holds: while one is in place on a case, retention touches none of its records.

use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::cases;
use crate::error::ProblemType;
use crate::error::{self, ApiError, OrNotFound};
use crate::extract::{Principal, ValidJson};
use crate::http::{created, utc, Instant};
use crate::ids::{HoldId, ReferralId};
use crate::state::AppState;
use ccm_domain::Role;
use ccm_persistence::retention::{self as store, Hold};
use ccm_persistence::{new_id, now};

#[derive(Serialize, ToSchema)]
pub struct LegalHoldView {
    pub id: String,
    pub referral_id: String,
    #[schema(example = "Family Court appeal lodged; records preserved until it is decided")]
    pub reason: String,
    pub placed_by: String,
    pub placed_at: Instant,
    pub lifted_by: Option<String>,
    pub lifted_at: Option<Instant>,
}

impl LegalHoldView {
    fn from_row(h: &Hold) -> LegalHoldView {
        LegalHoldView {
            id: h.id.clone(),
            referral_id: h.referral_id.clone(),
            reason: h.reason.clone(),
            placed_by: h.placed_by.clone(),
            placed_at: utc(h.placed_at),
            lifted_by: h.lifted_by.clone(),
            lifted_at: h.lifted_at.map(utc),
        }
    }
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LegalHoldIn {
    #[validate(
        length(min = 1, max = 1000),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 1000)]
    pub reason: String,
}

/// Place a legal hold on a case (org admins): none of its records is anonymised or deleted
/// until every hold on it is lifted.
#[utoipa::path(
    tag = "retention",
    params(ReferralId),
    request_body = LegalHoldIn,
    responses(
        (status = 201, description = "Placed.", body = LegalHoldView,
            headers(("Location" = String, description = "The case's holds"), ("ETag" = String, description = "Version tag"))),
        error::CreateErrors,
    )
)]
#[post("/referrals/{id}/legal-holds")]
pub async fn place_hold(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
    body: ValidJson<LegalHoldIn>,
) -> Result<HttpResponse, ApiError> {
    let reason = body.0.reason.trim().to_string();
    let hold = state
        .write(move |conn| {
            let case = cases::load(conn, &id, &principal, true)?;
            if !case.relation.is_staff(&[Role::OrgAdmin]) {
                return Err(ApiError::forbidden("legal holds are placed by org admins"));
            }
            let hold = Hold {
                id: new_id(),
                referral_id: case.referral.id.clone(),
                reason,
                placed_by: principal.user_id.clone(),
                placed_at: now(),
                lifted_by: None,
                lifted_at: None,
            };
            crate::audit::subject("legal_hold", &hold.id);
            store::insert_hold(conn, &hold)?;
            Ok(hold)
        })
        .await?;
    Ok(created(
        &format!("/v1/referrals/{}/legal-holds", hold.referral_id),
        &LegalHoldView::from_row(&hold),
        1,
    ))
}

/// A case's legal holds, current and lifted (org admins and coordinators).
#[utoipa::path(
    tag = "retention",
    params(ReferralId),
    responses(
        (status = 200, description = "The holds, oldest first.", body = Vec<LegalHoldView>),
        (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden),
        (status = 404, response = error::NotFound),
    )
)]
#[get("/referrals/{id}/legal-holds")]
pub async fn list_holds(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
) -> Result<HttpResponse, ApiError> {
    let holds = state
        .read(move |conn| {
            let case = cases::load(conn, &id, &principal, false)?;
            if !case.relation.is_staff(&[Role::OrgAdmin, Role::Coordinator]) {
                return Err(ApiError::forbidden(
                    "legal holds are for org admins and coordinators",
                ));
            }
            Ok(store::holds(conn, &case.referral.id)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(
        holds
            .iter()
            .map(LegalHoldView::from_row)
            .collect::<Vec<_>>(),
    ))
}

/// Lift a legal hold (org admins). Retention applies again once no hold is left on the case.
#[utoipa::path(
    tag = "retention",
    params(HoldId),
    responses(
        (status = 200, description = "Lifted.", body = LegalHoldView),
        (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden),
        (status = 404, response = error::NotFound),
        (status = 409, response = error::Conflict),
    )
)]
#[post("/legal-holds/{id}/lift")]
pub async fn lift_hold(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<HoldId>,
) -> Result<HttpResponse, ApiError> {
    let hold = state
        .write(move |conn| {
            let hold = store::hold(conn, &id).or_not_found("legal hold")?;
            let case = cases::load(conn, &hold.referral_id, &principal, true)
                .map_err(|_| ApiError::not_found("legal hold"))?;
            if !case.relation.is_staff(&[Role::OrgAdmin]) {
                return Err(ApiError::forbidden("legal holds are lifted by org admins"));
            }
            if hold.lifted_at.is_some() {
                return Err(ApiError::conflict(
                    ProblemType::HoldLifted,
                    "this legal hold was already lifted",
                ));
            }
            crate::audit::subject("legal_hold", &hold.id);
            Ok(store::lift_hold(conn, &hold.id, &principal.user_id, now())?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(LegalHoldView::from_row(&hold)))
}
