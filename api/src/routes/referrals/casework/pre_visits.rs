//! Each side's pre-visit, booked separately and never overlapping; each parent sees only their own.

use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use validator::Validate;

use crate::cases;
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::http::{utc, Instant};
use crate::ids::ReferralId;
use crate::state::AppState;
use ccm_app::casework::pre_visits::{self, PreVisitCmd};
use ccm_app::casework::PreVisit;
use ccm_domain::london;
use ccm_domain::referral::PartyRole;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"party": "resident_parent", "starts_at": "2027-01-09T10:00:00Z", "ends_at": "2027-01-09T10:45:00Z"}))]
pub struct PreVisitIn {
    pub party: crate::routes::referrals::dto::ParentSide,
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

fn pre_visit_view(v: &PreVisit) -> Result<PreVisitView, ApiError> {
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

/// Book one side's pre-visit: ahead, while the centre is open, one per side, never overlapping
/// the other side's, and for supported contact not on the day of the first session.
#[utoipa::path(tag = "casework", params(ReferralId), request_body = PreVisitIn, responses((status = 201, description = "Booked.", body = PreVisitView,
        headers(("Location" = String, description = "The pre-visits' URL"))), error::CreateErrors))]
#[post("/referrals/{id}/pre-visits")]
pub async fn book_pre_visit(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
    body: ValidJson<PreVisitIn>,
) -> Result<HttpResponse, ApiError> {
    let v = body.0;
    let id = id.into_inner().0;
    let location = format!("/v1/referrals/{id}/pre-visits");
    let cmd = PreVisitCmd {
        party: v.party.into(),
        starts_at: v.starts_at,
        ends_at: v.ends_at,
    };
    let actor = cases::actor(&principal);
    let view = state
        .write(move |conn| {
            let row = pre_visits::book(conn, &actor, &id, cmd)?;
            crate::audit::case(&row.referral_id);
            pre_visit_view(&row)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", location))
        .json(view))
}

/// The case's pre-visits: staff see both, each parent only their own.
#[utoipa::path(tag = "casework", params(ReferralId), responses((status = 200, description = "Pre-visits, earliest first.", body = Vec<PreVisitView>), (status = 401, response = error::Unauthorized),
    (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound)))]
#[get("/referrals/{id}/pre-visits")]
pub async fn list_pre_visits(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let actor = cases::actor(&principal);
    let views = state
        .read(move |conn| {
            let visits = pre_visits::list(conn, &actor, &id)?;
            crate::audit::case(&id);
            visits
                .iter()
                .map(pre_visit_view)
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    Ok(HttpResponse::Ok().json(views))
}

/// Record that a side attended its pre-visit, once it has started (409 before).
#[utoipa::path(tag = "casework", params(("id" = String, Path, description = "Referral id"), ("visit_id" = String, Path, description = "Pre-visit id")),
    responses((status = 200, description = "Marked attended.", body = PreVisitView), (status = 401, response = error::Unauthorized),
    (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound), (status = 409, response = error::Conflict)))]
#[post("/referrals/{id}/pre-visits/{visit_id}/attended")]
pub async fn mark_attended(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, visit_id) = path.into_inner();
    let actor = cases::actor(&principal);
    let view = state
        .write(move |conn| {
            let visit = pre_visits::mark_attended(conn, &actor, &id, &visit_id)?;
            crate::audit::case(&visit.referral_id);
            pre_visit_view(&visit)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
