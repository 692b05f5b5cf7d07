//! Timekeeping: how each parent of a case kept their times at recent sessions, and whether a
//! handover family has failed them consistently enough to end the service (domain.md: "consistent
//! failure to keep these timings without good reason ends the service"). A flagged case is
//! closed through `POST /v1/referrals/{id}/close` with reason `terminated`.

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::cases;
use crate::error::{self, ApiError};
use crate::extract::Principal;
use crate::http::{utc, Instant};
use crate::ids::ReferralId;
use crate::state::AppState;
use ccm_app::sessions::timekeeping::{read, Timekeeping, Turn};
use ccm_domain::referral::PartyRole;
use ccm_domain::ServiceType;

#[derive(Serialize, ToSchema)]
pub struct TurnoutView {
    pub session_id: String,
    pub starts_at: Instant,
    pub expected_arrival: Instant,
    pub arrived_at: Option<Instant>,
    pub late_minutes: Option<i32>,
    pub no_show: bool,
    /// Late beyond the centre's threshold, or absent.
    pub strike: bool,
}

#[derive(Serialize, ToSchema)]
pub struct PartyTimekeeping {
    pub party: PartyRole,
    /// The most recent sessions the rule looks at, most recent first.
    pub recent: Vec<TurnoutView>,
    pub strikes: u32,
    /// This parent broke the centre's lateness rule.
    pub persistently_late: bool,
}

#[derive(Serialize, ToSchema)]
pub struct TimekeepingView {
    pub referral_id: String,
    pub service_type: ServiceType,
    pub lateness_threshold_minutes: u32,
    pub lateness_strikes: u32,
    pub lateness_window: u32,
    pub parties: Vec<PartyTimekeeping>,
    /// A handover case where a parent broke the rule: the coordinator may end the service.
    pub flagged: bool,
}

/// Each parent's recent timekeeping against the centre's lateness policy, for the provider's
/// staff. Sessions with nothing recorded for a parent do not count.
#[utoipa::path(tag = "sessions", params(ReferralId), responses((status = 200, description = "Recent timekeeping.", body = TimekeepingView), (status = 401, response = error::Unauthorized),
    (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound)))]
#[get("/referrals/{id}/timekeeping")]
pub async fn timekeeping(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let actor = cases::actor(&principal);
    let t = state
        .read(move |conn| {
            let t = read(conn, &actor, &id)?;
            crate::audit::case(&t.referral_id);
            Ok::<_, ApiError>(t)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view(t)))
}

fn view(t: Timekeeping) -> TimekeepingView {
    let parties = t
        .parties
        .into_iter()
        .map(|p| PartyTimekeeping {
            party: p.party,
            recent: p.recent.into_iter().map(turnout_view).collect(),
            strikes: p.strikes,
            persistently_late: p.persistently_late,
        })
        .collect();
    TimekeepingView {
        referral_id: t.referral_id,
        service_type: t.service,
        lateness_threshold_minutes: t.rule.threshold_minutes,
        lateness_strikes: t.rule.strikes,
        lateness_window: t.rule.window,
        parties,
        flagged: t.flagged,
    }
}

fn turnout_view(t: Turn) -> TurnoutView {
    TurnoutView {
        session_id: t.session_id,
        starts_at: utc(t.starts_at),
        expected_arrival: utc(t.expected_arrival),
        arrived_at: t.arrived_at.map(utc),
        late_minutes: t.late_minutes,
        no_show: t.no_show,
        strike: t.strike,
    }
}
