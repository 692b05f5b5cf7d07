//! Each side's pre-visit, booked separately and never overlapping; each parent sees only their own.

use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use validator::Validate;

use crate::cases::readiness::domain_visits;
use crate::cases::{self, workflow};
use crate::error::ProblemType;
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::http::{utc, Instant};
use crate::routes::referrals::require_deciding_staff;
use crate::state::AppState;
use ccm_domain::referral::casework::{self, PreVisit};
use ccm_domain::referral::disclosure::Viewer;
use ccm_domain::referral::lifecycle::ReferralStatus;
use ccm_domain::referral::pre_visit;
use ccm_domain::referral::PartyRole;
use ccm_domain::{london, Role};
use ccm_persistence::casework as records;
use ccm_persistence::{centres, new_id};

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

/// Book one side's pre-visit: ahead, while the centre is open, one per side, never overlapping
/// the other side's, and for supported contact not on the day of the first session.
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
                    ProblemType::NotAtPreVisits,
                    format!(
                        "pre-visits are booked once a place is accepted; this referral is {}",
                        r.status
                    ),
                ));
            }
            let opening = centres::find(conn, &r.centre_id)?.opening_pattern()?;
            pre_visit::check_booking(v.starts_at, v.ends_at, OffsetDateTime::now_utc(), &opening)
                .map_err(|e| ApiError::invalid(e.field(), e.code(), e.to_string()))?;
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
            .map_err(|why| ApiError::rule(ProblemType::PreVisitRule, why))?;
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

/// Record that a side attended its pre-visit, once it has started (409 before).
#[utoipa::path(tag = "casework", params(("id" = String, Path, description = "Referral id"), ("visit_id" = String, Path, description = "Pre-visit id")),
    security(("bearer" = [])), responses((status = 200, description = "Marked attended.", body = PreVisitView), (status = 401, response = error::Unauthorized),
    (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound), (status = 409, response = error::Conflict)))]
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
            pre_visit::check_attended(visit.starts_at.assume_utc(), OffsetDateTime::now_utc())
                .map_err(|e| ApiError::conflict(ProblemType::PreVisitNotStarted, e.to_string()))?;
            records::mark_attended(conn, &visit.id)?;
            pre_visit_view(&records::PreVisit {
                attended: true,
                ..visit.clone()
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
