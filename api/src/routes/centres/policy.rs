//! A centre's scheduling policy: which parent is due first and how far apart, and when late
//! handovers flag a case. Centres that never set one use the defaults.

use actix_web::{get, put, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::http::{ok_tagged, utc, IfMatch, Instant};
use crate::ids::CentreId;
use crate::state::AppState;
use ccm_app::centres::policy::{self, InForce, PolicyCmd};
use ccm_domain::schedule::arrival::ArrivalOrder;

/// A centre's scheduling policy. `arrival_order`: `non_resident_first` (the non-resident
/// parent is settled in the room before the child is brought) or `resident_first`.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"arrival_order": "non_resident_first", "arrival_offset_minutes": 15,
    "lateness_threshold_minutes": 10, "lateness_strikes": 3, "lateness_window": 5}))]
pub struct PolicyBody {
    pub arrival_order: ArrivalOrder,
    /// Minutes between one parent's arrival window and the next.
    #[validate(range(min = 5, max = 120))]
    #[schema(minimum = 5, maximum = 120)]
    pub arrival_offset_minutes: u32,
    /// Handover: arriving later than this many minutes after the planned time is a strike.
    #[validate(range(max = 240))]
    #[schema(maximum = 240)]
    pub lateness_threshold_minutes: u32,
    /// Handover: this many strikes (late or absent) ...
    #[validate(range(min = 1, max = 52))]
    #[schema(minimum = 1, maximum = 52)]
    pub lateness_strikes: u32,
    /// ... within this many most recent sessions flags the case.
    #[validate(range(min = 1, max = 52))]
    #[schema(minimum = 1, maximum = 52)]
    pub lateness_window: u32,
}

/// The policy in force at a centre.
#[derive(Serialize, ToSchema)]
pub struct PolicyView {
    pub centre_id: String,
    pub arrival_order: ArrivalOrder,
    pub arrival_offset_minutes: u32,
    pub lateness_threshold_minutes: u32,
    pub lateness_strikes: u32,
    pub lateness_window: u32,
    /// False while the centre uses the defaults.
    pub customised: bool,
    pub updated_at: Option<Instant>,
}

fn view(p: InForce) -> PolicyView {
    PolicyView {
        arrival_order: p.arrival.order,
        arrival_offset_minutes: p.arrival.offset_minutes,
        lateness_threshold_minutes: p.lateness.threshold_minutes,
        lateness_strikes: p.lateness.strikes,
        lateness_window: p.lateness.window,
        customised: p.stored.is_some(),
        updated_at: p.stored.as_ref().map(|s| utc(s.updated_at)),
        centre_id: p.centre_id,
    }
}

impl PolicyBody {
    fn command(&self) -> PolicyCmd {
        PolicyCmd {
            arrival_order: self.arrival_order,
            arrival_offset_minutes: self.arrival_offset_minutes,
            lateness_threshold_minutes: self.lateness_threshold_minutes,
            lateness_strikes: self.lateness_strikes,
            lateness_window: self.lateness_window,
        }
    }
}

/// The centre's scheduling policy (public, like the centre).
#[utoipa::path(tag = "centres", params(CentreId),
    responses((status = 200, description = "The policy in force.", body = PolicyView, headers(("ETag" = String, description = "Version tag"))),
    (status = 404, response = error::NotFound)))]
#[get("/centres/{id}/scheduling-policy")]
pub async fn get_policy(
    state: web::Data<AppState>,
    id: web::Path<CentreId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let policy = state.read(move |conn| Ok(policy::get(conn, &id)?)).await?;
    let version = policy.version();
    Ok(ok_tagged(&view(policy), version))
}

/// Set the centre's scheduling policy (its org admins). Sessions already booked keep their
/// times; the policy applies to bookings and lateness checks from now on.
#[utoipa::path(tag = "centres", params(CentreId, ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = PolicyBody, responses((status = 200, description = "Saved.", body = PolicyView, headers(("ETag" = String, description = "Version tag"))), error::UpdateErrors))]
#[put("/centres/{id}/scheduling-policy")]
pub async fn put_policy(
    state: web::Data<AppState>,
    principal: Principal,
    if_match: IfMatch,
    id: web::Path<CentreId>,
    body: ValidJson<PolicyBody>,
) -> Result<HttpResponse, ApiError> {
    let (actor, cmd, if_match) = (
        principal.caller(),
        body.0.command(),
        if_match.precondition(),
    );
    let id = id.into_inner().0;
    let policy = state
        .write(move |conn| Ok(policy::set(conn, &actor, &id, cmd, &if_match)?))
        .await?;
    let version = policy.version();
    Ok(ok_tagged(&view(policy), version))
}
