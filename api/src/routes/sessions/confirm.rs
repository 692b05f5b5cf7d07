//! Confirming supervised dates held provisionally on receipt of the referral: done before the
//! pre-visits, once the case has a place; the session's charge is raised then.

use actix_web::{post, web, HttpResponse};
use time::OffsetDateTime;

use super::{session_views, status_of, SessionView};
use crate::cases::{self, workflow};
use crate::error::ProblemType;
use crate::error::{self, ApiError};
use crate::extract::Principal;
use crate::routes::referrals::require_deciding_staff;
use crate::state::AppState;
use ccm_domain::referral::lifecycle::ReferralStatus;
use ccm_domain::schedule::lifecycle::{self, SessionEvent};
use ccm_persistence::sessions::{self, SessionChanges};

/// Confirm a provisionally held session. The case must have its place (`pre_visits` onwards);
/// a session with a charge then waits for payment.
#[utoipa::path(tag = "sessions", params(("id" = String, Path, description = "Session id")), responses((status = 200, description = "Confirmed, or awaiting payment.", body = SessionView), error::CreateErrors))]
#[post("/sessions/{id}/confirm")]
pub async fn confirm(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = state
        .write(move |conn| {
            let found =
                sessions::find_locked(conn, &id).map_err(|_| ApiError::not_found("session"))?;
            let case = cases::load(conn, &found.referral_id, &principal, true)
                .map_err(|_| ApiError::not_found("session"))?;
            require_deciding_staff(&case.relation)?;
            // Refused before the case is looked at: only a held date is confirmed.
            lifecycle::apply(status_of(&found)?, SessionEvent::Confirm { prepaid: false })?;
            let status = case.referral.status()?;
            if !matches!(
                status,
                ReferralStatus::PreVisits | ReferralStatus::Active | ReferralStatus::ReviewDue
            ) {
                return Err(ApiError::conflict(
                    ProblemType::CaseHasNoPlace,
                    format!(
                        "a case that is {} has no place yet; held dates are confirmed once it has",
                        status.as_str()
                    ),
                ));
            }
            let now = OffsetDateTime::now_utc();
            let charge_id = super::charges::raise_session_charge(
                conn,
                &case,
                found.starts_at,
                found.ends_at,
                &principal.user_id,
            )?;
            let status = lifecycle::apply(
                status_of(&found)?,
                SessionEvent::Confirm {
                    prepaid: charge_id.is_some(),
                },
            )?;
            let changes = SessionChanges {
                status: Some(status.as_str().into()),
                charge_id: Some(charge_id),
                ..Default::default()
            };
            sessions::update(conn, &found.id, &changes, workflow::stored(now))?;
            // A payer's credit may already have settled the new charge.
            super::confirm_paid(conn, &case.referral.id, now)?;
            let updated = sessions::find(conn, &found.id)?;
            session_views(conn, &case, vec![updated])?
                .pop()
                .ok_or_else(|| ApiError::not_found("session"))
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
