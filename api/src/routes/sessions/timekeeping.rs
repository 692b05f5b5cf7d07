//! Timekeeping: how each parent of a case kept their times at recent sessions, and whether a
//! handover family has failed them consistently enough to end the service (domain.md: "consistent
//! failure to keep these timings without good reason ends the service"). A flagged case is
//! closed through `POST /v1/referrals/{id}/close` with reason `terminated`.

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::cases::scheduling;
use crate::cases::{self, workflow};
use crate::error::{self, ApiError};
use crate::extract::Principal;
use crate::http::{utc, Instant};
use crate::state::AppState;
use ccm_domain::referral::PartyRole;
use ccm_domain::schedule::attendance::{persistently_late, Turnout};
use ccm_domain::{Role, ServiceType};
use ccm_persistence::sessions;

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
#[utoipa::path(tag = "sessions", params(("id" = String, Path, description = "Referral id")), responses((status = 200, description = "Recent timekeeping.", body = TimekeepingView), (status = 401, response = error::Unauthorized),
    (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound)))]
#[get("/referrals/{id}/timekeeping")]
pub async fn timekeeping(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = state
        .read(move |conn| {
            let case = cases::load(conn, &id, &principal, false)?;
            if !case.relation.is_staff(&[
                Role::OrgAdmin,
                Role::Coordinator,
                Role::Supervisor,
                Role::Volunteer,
            ]) {
                return Err(ApiError::forbidden("timekeeping is for the centre's staff"));
            }
            let r = &case.referral;
            let rule = scheduling::for_centre(conn, &r.centre_id)?.lateness;
            let window = usize::try_from(rule.window).unwrap_or(usize::MAX);
            let history = sessions::attended_before(
                conn,
                &r.id,
                workflow::stored(OffsetDateTime::now_utc()),
            )?;
            let mut parties = Vec::new();
            for party in [PartyRole::ResidentParent, PartyRole::NonResidentParent] {
                let mut recent = Vec::new();
                let mut turnout = Vec::new();
                for (session, rows) in &history {
                    let Some(p) = rows.iter().find(|p| p.party == party.as_str()) else {
                        continue;
                    };
                    let t = match (p.no_show, p.late_minutes) {
                        (true, _) => Turnout::NoShow,
                        (false, Some(m)) => Turnout::Attended {
                            late_minutes: u32::try_from(m).unwrap_or(0),
                        },
                        (false, None) => continue,
                    };
                    let strike = match t {
                        Turnout::NoShow => true,
                        Turnout::Attended { late_minutes } => late_minutes > rule.threshold_minutes,
                    };
                    turnout.push(t);
                    recent.push(TurnoutView {
                        session_id: session.id.clone(),
                        starts_at: utc(session.starts_at),
                        expected_arrival: utc(p.expected_arrival),
                        arrived_at: p.arrived_at.map(utc),
                        late_minutes: p.late_minutes,
                        no_show: p.no_show,
                        strike,
                    });
                    if recent.len() == window {
                        break;
                    }
                }
                let strikes = recent.iter().filter(|t| t.strike).count();
                parties.push(PartyTimekeeping {
                    party,
                    persistently_late: persistently_late(&turnout, rule),
                    strikes: u32::try_from(strikes).unwrap_or(u32::MAX),
                    recent,
                });
            }
            let service = r.service()?;
            Ok(TimekeepingView {
                referral_id: r.id.clone(),
                service_type: service,
                lateness_threshold_minutes: rule.threshold_minutes,
                lateness_strikes: rule.strikes,
                lateness_window: rule.window,
                flagged: service == ServiceType::Handover
                    && parties.iter().any(|p| p.persistently_late),
                parties,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
