//! A centre's waiting list for one service, in the order places are offered: priority, then
//! who has waited longest. For the provider's coordinators and org admins.

use actix_web::{get, web, HttpResponse};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::error::{self, ApiError, OrNotFound, Require};
use crate::extract::{Principal, ValidQuery};
use crate::http::{utc, Instant};
use crate::state::AppState;
use ccm_domain::referral::waitlist::{self, Waiting};
use ccm_domain::ServiceType;
use ccm_persistence::{centres, offerings, referrals};

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
    let q = query.0;
    let view = state
        .read(move |conn| {
            let centre = centres::find(conn, &q.centre).or_not_found("centre")?;
            principal
                .actor()
                .manage_cases(&centre.provider_id)
                .require("centre")?;
            let offering = offerings::find_for(conn, &centre.id, q.service)?
                .ok_or_else(|| ApiError::not_found("service at this centre"))?;
            let mut list: Vec<Waiting<(String, i32, Option<time::PrimitiveDateTime>)>> =
                referrals::waiting(conn, &centre.id, q.service)?
                    .into_iter()
                    .map(|(id, priority, since)| Waiting {
                        key: (id, priority, since),
                        priority,
                        since: since.map_or(OffsetDateTime::UNIX_EPOCH, |s| s.assume_utc()),
                    })
                    .collect();
            waitlist::order(&mut list);
            let holding = referrals::holding_places(conn, &centre.id, q.service)?;
            Ok(WaitingListView {
                centre_id: centre.id,
                service_type: q.service,
                places: offering.places.and_then(|p| u32::try_from(p).ok()),
                holding: u32::try_from(holding).unwrap_or(u32::MAX),
                open: offering.waiting_list_open,
                entries: list
                    .into_iter()
                    .enumerate()
                    .map(|(i, w)| WaitingEntry {
                        position: i + 1,
                        referral_id: w.key.0,
                        priority: w.key.1,
                        waiting_since: w.key.2.map(utc),
                    })
                    .collect(),
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
