//! The lifecycle's actions, one endpoint each: `POST /v1/referrals/{id}/{action}`. Each turns
//! its request into an [`Action`] for `ccm_app::referrals::actions::act`, which checks who may
//! take it (403), asks the lifecycle (409 naming the status and what it allows), then the
//! action's own rules, and writes; the answer is the referral as the caller now sees it.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::full_view;
use crate::cases;
use crate::error::ApiError;
use crate::extract::Principal;
use crate::http::ok_tagged;
use crate::state::AppState;
use ccm_app::referrals::actions::{self, Action, Terms};

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

/// Takes `action` on the case and answers with the case as the caller now sees it (or with
/// the refusal of an action that changed the case all the same).
pub(super) async fn act(
    state: web::Data<AppState>,
    principal: Principal,
    id: String,
    action: Action,
) -> Result<HttpResponse, ApiError> {
    let terms = Terms {
        offer_expiry_days: state.config.offer_expiry_days,
        review_interval_months: state.config.review_interval_months,
    };
    let actor = cases::actor(&principal);
    let (refused, version, view) = state
        .write(move |conn| {
            let acted = actions::act(conn, &actor, &id, action, &terms)?;
            crate::audit::case(&acted.case.referral.id);
            let version = acted.case.referral.version;
            let view = full_view(conn, acted.case)?;
            Ok((acted.refused.map(ApiError::from), version, view))
        })
        .await?;
    match refused {
        None => Ok(ok_tagged(&view, version)),
        Some(e) => Err(e),
    }
}

#[derive(Deserialize, Validate, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct NotesBody {
    #[validate(length(min = 1, max = 1000))]
    #[schema(min_length = 1, max_length = 1000)]
    pub notes: Option<String>,
}
