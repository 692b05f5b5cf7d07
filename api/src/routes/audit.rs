//! The audit trail, read by org admins (their own organisation's events) and platform admins
//! (everyone's). There is deliberately no way to change or remove an event: no route here
//! writes, and the database refuses UPDATE and DELETE on the table.

use actix_web::{get, web, HttpResponse};
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::cases::stored_json;
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidQuery};
use crate::http::{list_response, next_cursor, utc, Instant, PageParams};
use crate::state::AppState;
use ccm_app::audit::{self, AuditEvent};
use ccm_domain::confidential::AuditKind;
use ccm_domain::Role;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list);
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": "019a5f3e-8d2c-7c1e-9f0a-2b3c4d5e6f70", "at": "2027-01-09T11:05:00Z",
    "request_id": "4d1f6a52-0f55-4c2e-9b5e-6a1b2c3d4e5f", "actor_id": "019a5f3e-0000-7000-8000-000000000001",
    "actor_role": "supervisor", "kind": "read", "action": "GET /v1/people/{id}/contact", "entity_type": "person",
    "entity_id": "019a5f3e-0000-7000-8000-000000000002", "referral_id": "019a5f3e-0000-7000-8000-000000000003",
    "fields": ["address", "phone", "email"], "reason": "Mum is late and not answering the centre phone"}))]
pub struct AuditEventView {
    pub id: String,
    pub at: Instant,
    /// The `X-Request-Id` of the request that caused it.
    pub request_id: Option<String>,
    /// Who: null for a request made before signing in (a login).
    pub actor_id: Option<String>,
    pub actor_role: Option<Role>,
    pub kind: AuditKind,
    /// The operation, as its method and documented path.
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    /// The case the record belongs to, when it belongs to one.
    pub referral_id: Option<String>,
    /// The fields written or read; never their values.
    pub fields: Vec<String>,
    /// Why data outside the caller's normal view was opened.
    pub reason: Option<String>,
}

list_response!(AuditList, AuditEventView);

#[derive(Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only events about this kind of record (`referral`, `session`, `person`, `report`, ...).
    #[validate(length(min = 1, max = 64))]
    #[param(min_length = 1, max_length = 64)]
    pub entity_type: Option<String>,
    /// Only events about this record.
    #[validate(length(min = 1, max = 64))]
    #[param(min_length = 1, max_length = 64)]
    pub entity_id: Option<String>,
    /// Only events about this case and the records that belong to it.
    #[validate(length(min = 1, max = 64))]
    #[param(min_length = 1, max_length = 64)]
    pub referral_id: Option<String>,
    /// Only this person's actions.
    #[validate(length(min = 1, max = 64))]
    #[param(min_length = 1, max_length = 64)]
    pub actor_id: Option<String>,
    pub kind: Option<AuditKind>,
    /// From this instant (RFC 3339, inclusive).
    #[param(format = DateTime)]
    pub from: Option<String>,
    /// Before this instant (RFC 3339, exclusive).
    #[param(format = DateTime)]
    pub to: Option<String>,
}

fn instant(field: &str, value: Option<&str>) -> Result<Option<OffsetDateTime>, ApiError> {
    value
        .map(|v| {
            OffsetDateTime::parse(v, &Rfc3339).map_err(|_| {
                ApiError::bad_query(field, "an RFC 3339 instant, e.g. 2027-01-09T09:00:00Z")
            })
        })
        .transpose()
}

fn view(e: AuditEvent) -> Result<AuditEventView, ApiError> {
    Ok(AuditEventView {
        fields: stored_json(&e.fields)?,
        id: e.id,
        at: utc(e.at),
        request_id: e.request_id,
        actor_id: e.actor_id,
        actor_role: e.actor_role.as_deref().and_then(|r| r.parse().ok()),
        kind: e
            .kind
            .parse()
            .map_err(|_| ApiError::Internal(format!("audit kind {}", e.kind)))?,
        action: e.action,
        entity_type: e.entity_type,
        entity_id: e.entity_id,
        referral_id: e.referral_id,
        reason: e.reason,
    })
}

/// The audit trail: who wrote what, and who read which confidential fields, oldest first.
#[utoipa::path(tag = "audit", params(AuditQuery, PageParams), responses((status = 200, description = "A page of events, oldest first.", body = AuditList),
    (status = 400, response = error::BadRequest), (status = 401, response = error::Unauthorized),
    (status = 403, response = error::Forbidden)))]
#[get("/audit")]
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    query: ValidQuery<AuditQuery>,
    page: ValidQuery<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let (limit, after) = (page.0.limit(), page.0.after()?);
    let reader = audit::reader(&principal.caller())?;
    let query = audit::AuditQuery {
        from: instant("from", q.from.as_deref())?,
        to: instant("to", q.to.as_deref())?,
        entity_type: q.entity_type,
        entity_id: q.entity_id,
        referral_id: q.referral_id,
        actor_id: q.actor_id,
        kind: q.kind,
    };
    let page = state
        .read(move |conn| Ok(audit::list(conn, &reader, query, after.as_deref(), limit)?))
        .await?;
    let next_cursor = next_cursor(&page, |e| &e.id);
    let items = page.items.into_iter().map(view).collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(AuditList { items, next_cursor }))
}
