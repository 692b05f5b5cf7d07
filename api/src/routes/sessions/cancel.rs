//! Cancelling a session: who cancelled, when, why and with how much notice; the charge follows
//! the tariff (CL supervised: the cancelling parent pays the session's charge; the centre's own
//! cancellations charge nobody).

use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use validator::Validate;

use super::{session_views, SessionView};
use crate::cases::{self, workflow};
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::state::AppState;
use ccm_domain::london;
use ccm_domain::quote::{cancellation_charge, CancelledBy};
use ccm_domain::referral::disclosure::Viewer;
use ccm_domain::referral::ledger::Payer;
use ccm_domain::referral::PartyRole;
use ccm_domain::schedule::Slot;
use ccm_persistence::ledger::{self, Charge, Entry};
use ccm_persistence::sessions::{self, SessionChanges};
use ccm_persistence::{new_id, offerings, tariffs};

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"cancelled_by": "non_resident_parent", "reason": "unwell"}))]
pub struct CancelIn {
    /// Who cancelled. A parent cancelling through their own account is taken to be themselves.
    pub cancelled_by: CancelledBy,
    #[validate(
        length(min = 1, max = 1000),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 1000)]
    pub reason: String,
}

/// Cancel a session. A parent's cancellation raises the tariff's cancellation charge to that
/// parent; the centre's charges nobody, and what was owed for the session is written off.
#[utoipa::path(tag = "sessions", params(("id" = String, Path, description = "Session id")), request_body = CancelIn, security(("bearer" = [])),
    responses((status = 200, description = "Cancelled.", body = SessionView), error::CreateErrors))]
#[post("/sessions/{id}/cancel")]
pub async fn cancel(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    body: ValidJson<CancelIn>,
) -> Result<HttpResponse, ApiError> {
    let c = body.0;
    let id = id.into_inner();
    let view = state
        .write(move |conn| {
            let found =
                sessions::find_locked(conn, &id).map_err(|_| ApiError::not_found("session"))?;
            let case = cases::load(conn, &found.referral_id, &principal, true)
                .map_err(|_| ApiError::not_found("session"))?;
            match case.relation.viewer {
                Viewer::Staff(_) => {
                    crate::routes::referrals::require_deciding_staff(&case.relation)?
                }
                Viewer::Party(side) => {
                    let me = match side {
                        PartyRole::ResidentParent => CancelledBy::ResidentParent,
                        _ => CancelledBy::NonResidentParent,
                    };
                    if c.cancelled_by != me {
                        return Err(ApiError::invalid(
                            "cancelled_by",
                            "yourself",
                            "a parent cancels as themselves",
                        ));
                    }
                }
                Viewer::Referrer => {
                    return Err(ApiError::forbidden("a referrer does not cancel sessions"))
                }
            }
            if !matches!(
                found.status.as_str(),
                "provisional" | "awaiting_payment" | "confirmed"
            ) {
                return Err(ApiError::conflict(
                    "session-not-open",
                    format!("a session that is {} cannot be cancelled", found.status),
                ));
            }
            let now = OffsetDateTime::now_utc();
            let at = workflow::stored(now);
            let slot = Slot {
                start: found.starts_at.assume_utc(),
                end: found.ends_at.assume_utc(),
            };
            let r = &case.referral;
            let service = r.service()?;
            // The charge the cancelling parent pays, from today's tariff.
            let tariff = match offerings::find_for(conn, &r.centre_id, service)? {
                Some(o) => tariffs::version_on(conn, &o.tariff_id, london::local_date(now))?
                    .map(|v| v.to_domain(service))
                    .transpose()?,
                None => None,
            };
            let fee = tariff
                .as_ref()
                .and_then(|t| cancellation_charge(t, slot.minutes(), c.cancelled_by))
                .map(|m| m.pence())
                .filter(|p| *p > 0 && r.funder.is_none() && found.status != "provisional");
            let cancellation_charge_id = match fee {
                Some(amount) => {
                    let payer = match c.cancelled_by {
                        CancelledBy::ResidentParent => Payer::ResidentParent,
                        _ => Payer::NonResidentParent,
                    };
                    let charge = Charge {
                        id: new_id(),
                        referral_id: r.id.clone(),
                        kind: "cancellation".into(),
                        description: format!(
                            "Cancellation of the session on {}",
                            london::local_date(slot.start)
                        ),
                        amount_pence: amount,
                        refundable: false,
                        payer: payer.as_str().into(),
                        funder: None,
                        due: "on_cancellation".into(),
                        created_at: at,
                    };
                    ledger::insert_charge(conn, &charge)?;
                    Some(charge.id)
                }
                None => None,
            };
            // The session's own charge is not owed for a session that will not happen.
            if let Some(charge_id) = &found.charge_id {
                let owed = ledger::states(conn, &r.id)?
                    .into_iter()
                    .find(|(ch, _)| &ch.id == charge_id)
                    .map(|(_, st)| st.outstanding().pence())
                    .unwrap_or(0);
                if owed > 0 {
                    ledger::insert_entry(
                        conn,
                        &Entry {
                            id: new_id(),
                            referral_id: r.id.clone(),
                            charge_id: charge_id.clone(),
                            kind: "waiver".into(),
                            amount_pence: owed,
                            method: None,
                            reference: None,
                            payer: None,
                            funder: None,
                            reason: Some("session cancelled".into()),
                            recorded_by: principal.user_id.clone(),
                            created_at: at,
                        },
                    )?;
                }
            }
            let changes = SessionChanges {
                status: Some("cancelled".into()),
                cancelled_by: Some(Some(c.cancelled_by.as_str().into())),
                cancelled_at: Some(Some(at)),
                cancel_reason: Some(Some(c.reason.clone())),
                notice_minutes: Some(Some((slot.start - now).whole_minutes())),
                cancellation_charge_id: Some(cancellation_charge_id),
                ..Default::default()
            };
            let updated = sessions::update(conn, &found.id, &changes, at)?;
            session_views(conn, &case, vec![updated])?
                .pop()
                .ok_or_else(|| ApiError::not_found("session"))
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
