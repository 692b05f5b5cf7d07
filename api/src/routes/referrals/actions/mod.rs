//! The lifecycle's actions, one endpoint each: `POST /v1/referrals/{id}/{action}`. Each checks
//! who may take it (403), then asks the lifecycle (409 naming the status and what it allows),
//! then its own rules, and answers with the referral as the caller now sees it.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use validator::Validate;

use super::full_view;
use crate::cases::{self, workflow, workflow::By, Case};
use crate::error::ApiError;
use crate::extract::Principal;
use crate::http::ok_tagged;
use crate::state::AppState;
use ccm_domain::referral::lifecycle::ReferralAction;
use ccm_persistence::referrals::{self, Referral};
use ccm_persistence::AnyConnection;

mod closure;
mod placement;
mod screening;
mod suspension;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(screening::accept)
        .service(screening::decline)
        .service(placement::offer)
        .service(placement::accept_offer)
        .service(placement::decline_offer)
        .service(placement::activate)
        .service(placement::set_priority)
        .service(suspension::suspend)
        .service(suspension::resume)
        .service(closure::close)
        .service(closure::withdraw);
}

/// What an action did: moved the case on, or moved it and still refuses the caller (an offer
/// that expired is closed, then reported as expired).
pub(super) enum Outcome {
    Done,
    Refused(ApiError),
}

/// What the caller must be allowed to do.
#[derive(Clone, Copy)]
pub(super) enum Need {
    /// Take this lifecycle action.
    Action(ReferralAction),
    /// Decide for the provider (coordinators and org admins), outside the lifecycle.
    DecidingStaff,
}

/// Loads and locks the case, checks the caller may do what `need` says, runs `f` in the same
/// transaction, and answers with the case as the caller now sees it.
pub(super) async fn act<F>(
    state: web::Data<AppState>,
    principal: Principal,
    id: String,
    need: Need,
    f: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(&mut AnyConnection, &Case, By, OffsetDateTime) -> Result<Outcome, ApiError>
        + Send
        + 'static,
{
    let offer_days = state.config.offer_expiry_days;
    let (outcome, version, view) = state
        .write(move |conn| {
            let case = cases::load(conn, &id, &principal, true)?;
            match need {
                Need::Action(action) if !case.relation.may(action) => {
                    return Err(ApiError::forbidden(format!(
                        "you may not {} this referral",
                        action.as_str().replace('_', " ")
                    )));
                }
                Need::DecidingStaff => super::require_deciding_staff(&case.relation)?,
                Need::Action(_) => {}
            }
            let now = OffsetDateTime::now_utc();
            let by = By {
                user_id: Some(&principal.user_id),
                role: Some(principal.role),
            };
            let outcome = f(conn, &case, by, now)?;
            // A place freed or a family newly waiting: offer what the service has free.
            let r = referrals::find(conn, &id)?;
            workflow::offer_free_places(conn, &r.centre_id, r.service()?, offer_days, now)?;
            let case = cases::load(conn, &id, &principal, false)?;
            Ok((outcome, case.referral.version, full_view(conn, &case)?))
        })
        .await?;
    match outcome {
        Outcome::Done => Ok(ok_tagged(&view, version)),
        Outcome::Refused(e) => Err(e),
    }
}

pub(super) fn just(r: Result<Referral, impl Into<ApiError>>) -> Result<Outcome, ApiError> {
    r.map(|_| Outcome::Done).map_err(Into::into)
}

#[derive(Deserialize, Validate, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct NotesBody {
    #[validate(length(min = 1, max = 1000))]
    #[schema(min_length = 1, max_length = 1000)]
    pub notes: Option<String>,
}
