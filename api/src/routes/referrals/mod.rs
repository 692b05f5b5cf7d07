//! Referrals: intake from parents, referrers and staff; lists scoped to who is asking; each
//! case shown as the caller may see it. Actions, money and casework are in the submodules.

use actix_web::{get, web, HttpResponse};
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::cases::{self, Case, Relation};
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidQuery};
use crate::http::{self, list_response, ok_tagged, utc, Instant, PageParams};
use crate::ids::ReferralId;
use crate::state::AppState;
use ccm_app::referrals::read::{self, ListCmd};
use ccm_domain::referral::lifecycle::ReferralStatus;
use ccm_domain::{ReferrerKind, ServiceType};
use ccm_persistence::referrals::Event;
use ccm_persistence::AnyConnection;

mod actions;
pub(crate) mod casework;
mod command;
mod credits;
pub mod dto;
mod ledger;
mod money;
mod submit;
mod update;
pub mod view;

use view::{project, ReferralView};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_referrals)
        .service(submit::create_referral)
        .service(get_referral)
        .service(update::update_referral)
        .service(history);
    actions::configure(cfg);
    money::configure(cfg);
    casework::configure(cfg);
}

list_response!(ReferralList, ReferralView);

/// Builds the view of a loaded case with what only a single read shows (waiting-list
/// position, what the family owes).
pub fn full_view(conn: &mut AnyConnection, case: Case) -> Result<ReferralView, ApiError> {
    let shown = read::shown(conn, case)?;
    project(&shown.case, &shown.extras)
}

#[derive(Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReferralQuery {
    pub status: Option<ReferralStatus>,
    /// Referrals to this centre.
    pub centre: Option<String>,
    pub service: Option<ServiceType>,
    /// Referrals from this kind of referrer.
    pub referrer: Option<ReferrerKind>,
    /// The referring agency's reference.
    pub external_ref: Option<String>,
    /// Received on or after this local date.
    #[serde(default, with = "http::date::format::option")]
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<Date>,
    /// Received on or before this local date.
    #[serde(default, with = "http::date::format::option")]
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<Date>,
}

/// Referrals the caller may see: staff their provider's, a referrer the ones it made, a parent
/// their own. Oldest first.
#[utoipa::path(
    tag = "referrals",
    params(ReferralQuery, PageParams),
    responses(
        (status = 200, description = "A page of referrals, oldest first.", body = ReferralList),
        (status = 400, response = error::BadRequest),
        (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden),
    )
)]
#[get("/referrals")]
pub async fn list_referrals(
    state: web::Data<AppState>,
    principal: Principal,
    query: ValidQuery<ReferralQuery>,
    page: ValidQuery<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = (page.0.limit(), page.0.after()?);
    let q = query.0;
    let cmd = ListCmd {
        status: q.status,
        centre_id: q.centre,
        service: q.service,
        referrer_kind: q.referrer,
        external_ref: q.external_ref,
        from: q.from,
        to: q.to,
    };
    let actor = cases::actor(&principal);
    let filter = read::scope(&actor, cmd)?;
    let views = state
        .read(move |conn| {
            let listed = read::list(conn, &actor, &filter, after.as_deref(), limit)?;
            let items = listed
                .items
                .iter()
                .map(|s| project(&s.case, &s.extras))
                .collect::<Result<_, _>>()?;
            Ok::<_, ApiError>(ReferralList {
                items,
                next_cursor: listed.next_cursor,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(views))
}

/// A referral, as the caller may see it.
#[utoipa::path(
    tag = "referrals",
    params(ReferralId),
    responses(
        (status = 200, description = "The referral.", body = ReferralView, headers(("ETag" = String, description = "Version tag"))),
        (status = 401, response = error::Unauthorized),
        (status = 404, response = error::NotFound),
    )
)]
#[get("/referrals/{id}")]
pub async fn get_referral(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let actor = cases::actor(&principal);
    let (version, view) = state
        .read(move |conn| {
            let shown = read::one(conn, &actor, &id)?;
            crate::audit::case(&shown.case.referral.id);
            let view = project(&shown.case, &shown.extras)?;
            Ok::<_, ApiError>((shown.case.referral.version, view))
        })
        .await?;
    Ok(ok_tagged(&view, version))
}

/// One transition in a case's history.
#[derive(Serialize, ToSchema)]
pub struct HistoryEntry {
    pub from_status: String,
    pub to_status: String,
    pub action: String,
    /// The account that did it; null for the system (a payment, an expiry, a sweep).
    pub actor_user_id: Option<String>,
    pub actor_role: Option<String>,
    pub reason: Option<String>,
    pub at: Instant,
}

fn history_entry(e: Event) -> HistoryEntry {
    HistoryEntry {
        from_status: e.from_status,
        to_status: e.to_status,
        action: e.action,
        actor_user_id: e.actor_user_id,
        actor_role: e.actor_role,
        reason: e.reason,
        at: utc(e.at),
    }
}

/// Who moved the case, from what to what, when and why (staff who see the case's record).
#[utoipa::path(
    tag = "referrals",
    params(ReferralId),
    responses(
        (status = 200, description = "Every transition, oldest first.", body = Vec<HistoryEntry>),
        (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden),
        (status = 404, response = error::NotFound),
    )
)]
#[get("/referrals/{id}/history")]
pub async fn history(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let actor = cases::actor(&principal);
    let entries = state
        .read(move |conn| {
            let events = read::history(conn, &actor, &id)?;
            crate::audit::case(&id);
            Ok::<_, ApiError>(events.into_iter().map(history_entry).collect::<Vec<_>>())
        })
        .await?;
    Ok(HttpResponse::Ok().json(entries))
}

/// Staff of the case who decide (coordinators and org admins), or 403.
pub fn require_deciding_staff(relation: &Relation) -> Result<(), ApiError> {
    Ok(relation.require_deciding_staff()?)
}
