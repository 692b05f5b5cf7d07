//! Incidents at a session: what happened, when and what staff did, for any service (an
//! incident is not an observation: supported and handover centres record them too). Read and
//! written by the provider's coordinators, org admins and supervisors only.

use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use validator::Validate;

use super::READERS;
use crate::cases::{self, workflow};
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::http::{utc, Instant};
use crate::ids::SessionId;
use crate::state::AppState;
use ccm_domain::records::{incident_time, IncidentKind};
use ccm_domain::schedule::Slot;
use ccm_persistence::incidents::{self, Incident};
use ccm_persistence::{new_id, sessions, AnyConnection};

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "behaviour", "occurred_at": "2027-01-09T11:05:00Z",
    "description": "Dad raised his voice when the session was ending.", "action_taken": "The supervisor paused the session; it ended calmly."}))]
pub struct IncidentIn {
    pub kind: IncidentKind,
    /// When it happened, with an offset: at the session, not in the future.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub occurred_at: OffsetDateTime,
    #[validate(
        length(min = 1, max = 5000),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 5000)]
    pub description: String,
    #[validate(
        length(min = 1, max = 5000),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 5000)]
    pub action_taken: String,
}

#[derive(Serialize, ToSchema)]
pub struct IncidentView {
    pub id: String,
    pub session_id: String,
    pub kind: String,
    pub occurred_at: Instant,
    pub description: String,
    pub action_taken: String,
    pub recorded_by: String,
    pub created_at: Instant,
}

fn view(i: Incident) -> IncidentView {
    IncidentView {
        id: i.id,
        session_id: i.session_id,
        kind: i.kind,
        occurred_at: utc(i.occurred_at),
        description: i.description,
        action_taken: i.action_taken,
        recorded_by: i.recorded_by,
        created_at: utc(i.created_at),
    }
}

/// The session, for the staff who may see its incidents.
fn session_for(
    conn: &mut AnyConnection,
    id: &str,
    principal: &Principal,
    for_write: bool,
) -> Result<sessions::Session, ApiError> {
    let session = sessions::find(conn, id).map_err(|_| ApiError::not_found("session"))?;
    let case = cases::load(conn, &session.referral_id, principal, for_write)
        .map_err(|_| ApiError::not_found("session"))?;
    if !case.relation.is_staff(READERS) {
        return Err(ApiError::forbidden(
            "incidents are for the centre's coordinators, admins and supervisors",
        ));
    }
    Ok(session)
}

/// Record an incident at a session.
#[utoipa::path(tag = "reports", params(SessionId), request_body = IncidentIn, responses((status = 201, description = "Recorded.", body = IncidentView), error::CreateErrors))]
#[post("/sessions/{id}/incidents")]
pub async fn record(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<SessionId>,
    body: ValidJson<IncidentIn>,
) -> Result<HttpResponse, ApiError> {
    let b = body.0;
    let id = id.into_inner().0;
    let created = state
        .write(move |conn| {
            let session = session_for(conn, &id, &principal, true)?;
            let now = OffsetDateTime::now_utc();
            let slot = Slot {
                start: session.starts_at.assume_utc(),
                end: session.ends_at.assume_utc(),
            };
            incident_time(&slot, b.occurred_at, now)
                .map_err(|e| ApiError::invalid("occurred_at", "incident_time", e.to_string()))?;
            let incident = Incident {
                id: new_id(),
                session_id: session.id.clone(),
                referral_id: session.referral_id.clone(),
                kind: b.kind.as_str().into(),
                occurred_at: workflow::stored(b.occurred_at),
                description: b.description.trim().to_string(),
                action_taken: b.action_taken.trim().to_string(),
                recorded_by: principal.user_id.clone(),
                created_at: workflow::stored(now),
            };
            incidents::insert(conn, &incident)?;
            Ok(view(incident))
        })
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// The session's incidents in the order they happened.
#[utoipa::path(tag = "reports", params(SessionId), responses((status = 200, description = "Incidents.", body = Vec<IncidentView>), (status = 401, response = error::Unauthorized),
    (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound)))]
#[get("/sessions/{id}/incidents")]
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<SessionId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let views = state
        .read(move |conn| {
            let session = session_for(conn, &id, &principal, false)?;
            crate::audit::read(
                "session",
                &session.id,
                Some(&session.referral_id),
                &["incidents"],
            );
            Ok(incidents::for_session(conn, &session.id)?
                .into_iter()
                .map(view)
                .collect::<Vec<_>>())
        })
        .await?;
    Ok(HttpResponse::Ok().json(views))
}
