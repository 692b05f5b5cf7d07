//! A centre's waiting list for one service, in the order places are offered: priority, then
//! who has waited longest. For the provider's coordinators and org admins.

use actix_web::{get, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidQuery};
use crate::http::{utc, Instant};
use crate::state::AppState;
use ccm_app::waiting_lists;
use ccm_domain::ServiceType;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_waiting_list);
}

#[derive(Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WaitingListQuery {
    pub centre: String,
    pub service: ServiceType,
}

#[derive(Serialize, ToSchema)]
pub struct WaitingListView {
    pub centre_id: String,
    pub service_type: ServiceType,
    /// Families the service takes at once; null when places are offered by hand.
    pub places: Option<u32>,
    /// Cases holding a place now (offered, awaiting balance, pre-visits, active, ...).
    pub holding: u32,
    pub open: bool,
    pub entries: Vec<WaitingEntry>,
}

#[derive(Serialize, ToSchema)]
pub struct WaitingEntry {
    pub position: usize,
    pub referral_id: String,
    pub priority: i32,
    pub waiting_since: Option<Instant>,
}

/// Who is waiting, in the order they will be offered a place.
#[utoipa::path(tag = "referrals", params(WaitingListQuery), responses((status = 200, description = "The waiting list.", body = WaitingListView), (status = 400, response = error::BadRequest),
    (status = 401, response = error::Unauthorized), (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound)))]
#[get("/waiting-lists")]
pub async fn get_waiting_list(
    state: web::Data<AppState>,
    principal: Principal,
    query: ValidQuery<WaitingListQuery>,
) -> Result<HttpResponse, ApiError> {
    let (actor, q) = (principal.caller(), query.0);
    let list = state
        .read(move |conn| Ok(waiting_lists::get(conn, &actor, &q.centre, q.service)?))
        .await?;
    Ok(HttpResponse::Ok().json(WaitingListView {
        centre_id: list.centre_id,
        service_type: q.service,
        places: list.places.and_then(|p| u32::try_from(p).ok()),
        holding: u32::try_from(list.holding).unwrap_or(u32::MAX),
        open: list.open,
        entries: list
            .entries
            .into_iter()
            .enumerate()
            .map(|(i, e)| WaitingEntry {
                position: i + 1,
                referral_id: e.referral_id,
                priority: e.priority,
                waiting_since: e.waiting_since.map(utc),
            })
            .collect(),
    }))
}
