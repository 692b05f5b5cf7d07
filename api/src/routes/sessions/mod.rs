//! Contact sessions of a case: booked one at a time, as a series, or as a CL handover slot;
//! each parent sees only their own arrival and departure times.

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use time::Date;
use utoipa::ToSchema;

use crate::cases;
use crate::error::{self, ApiError};
use crate::extract::Principal;
use crate::http::{utc, Instant};
use crate::ids::{ReferralId, SessionId};
use crate::state::AppState;
use ccm_app::sessions::read;
use ccm_app::sessions::{Session, SessionParty};
use ccm_domain::london;
use ccm_domain::referral::disclosure::Viewer;
use ccm_domain::referral::PartyRole;
use ccm_domain::schedule::projection::{self, SessionTiming};

mod attendance;
mod booking;
mod cancel;
mod confirm;
mod edit;
mod keep_apart;
mod timekeeping;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(booking::book)
        .service(list_for_referral)
        .service(get_session)
        .service(cancel::cancel)
        .service(confirm::confirm)
        .service(attendance::check_in)
        .service(attendance::check_out)
        .service(attendance::no_show)
        .service(attendance::end_early)
        .service(timekeeping::timekeeping)
        .service(keep_apart::record)
        .service(keep_apart::list)
        .service(edit::edit)
        .service(cancel::cancel_series);
}

/// One parent's planned and actual times.
#[derive(Serialize, ToSchema)]
pub struct PartyTimesView {
    pub party: PartyRole,
    pub expected_arrival: Instant,
    pub expected_departure: Instant,
    pub arrived_at: Option<Instant>,
    pub departed_at: Option<Instant>,
    pub late_minutes: Option<i32>,
    pub no_show: bool,
}

#[derive(Serialize, ToSchema)]
pub struct SessionView {
    pub id: String,
    pub referral_id: String,
    pub series_id: Option<String>,
    pub centre_id: String,
    pub service_type: String,
    pub room_id: Option<String>,
    pub supervisor_id: Option<String>,
    /// For supervised contact in the community: where.
    pub community_place: Option<String>,
    /// For handover: `morning` or `afternoon`.
    pub handover_slot: Option<String>,
    /// The session's date in England.
    #[serde(with = "crate::http::date::format")]
    #[schema(value_type = String, format = Date, example = "2027-01-09")]
    pub local_date: Date,
    /// The session's own start and end (for handover, the slot's: 09:00-12:30 or 12:30-16:00
    /// local). Absent for a parent: a session's bounds are always some parent's times, so a
    /// parent reads their own `expected_arrival`/`expected_departure` in `parties` instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub starts_at: Option<Instant>,
    /// The session's own end; absent for a parent, like `starts_at`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub ends_at: Option<Instant>,
    /// `provisional` (held, to confirm before the pre-visit), `awaiting_payment` (confirmed
    /// once its charge is paid), `confirmed`, `completed`, `ended_early` or `cancelled`.
    pub status: String,
    /// The session's charge in the case's ledger, if it has one.
    pub charge_id: Option<String>,
    /// Each parent's own times. A parent sees only their own entry; a referrer sees none.
    pub parties: Vec<PartyTimesView>,
    pub cancellation: Option<CancellationView>,
    /// Why the session ended early, if it did.
    pub ended_early_reason: Option<String>,
    pub version: i64,
}

#[derive(Serialize, ToSchema)]
pub struct CancellationView {
    /// resident_parent, non_resident_parent or centre.
    pub cancelled_by: Option<String>,
    pub cancelled_at: Option<Instant>,
    pub reason: Option<String>,
    /// Minutes between the cancellation and the session's start (never shown to a parent: with
    /// `cancelled_at` it gives the session's start).
    pub notice_minutes: Option<i64>,
    /// The cancellation charge raised, if any.
    pub charge_id: Option<String>,
}

/// One party's row as shown.
pub fn party_times(party: PartyRole, p: &SessionParty) -> PartyTimesView {
    PartyTimesView {
        party,
        expected_arrival: utc(p.expected_arrival),
        expected_departure: utc(p.expected_departure),
        arrived_at: p.arrived_at.map(utc),
        departed_at: p.departed_at.map(utc),
        late_minutes: p.late_minutes,
        no_show: p.no_show,
    }
}

/// What the caller may see of each session's parties.
fn visible_parties(
    timing: SessionTiming,
    parties: Vec<SessionParty>,
) -> Result<Vec<PartyTimesView>, ApiError> {
    let mut out = Vec::new();
    for p in parties {
        let party: PartyRole = p
            .party
            .parse()
            .map_err(|e| ApiError::Internal(format!("session_parties.party: {e}")))?;
        if timing.shows_party(party) {
            out.push(party_times(party, &p));
        }
    }
    Ok(out)
}

/// The sessions, each with its parents' rows, as `viewer` may see them.
pub fn views_of(
    viewer: Viewer,
    rows: Vec<(Session, Vec<SessionParty>)>,
) -> Result<Vec<SessionView>, ApiError> {
    let timing = projection::session_timing(viewer);
    let bounds = timing.shows_bounds();
    rows.into_iter()
        .map(|(s, mine)| {
            let cancellation = s.cancelled_at.map(|at| CancellationView {
                cancelled_by: s.cancelled_by.clone(),
                cancelled_at: Some(utc(at)),
                reason: s.cancel_reason.clone(),
                notice_minutes: s.notice_minutes.filter(|_| bounds),
                charge_id: s.cancellation_charge_id.clone(),
            });
            Ok(SessionView {
                parties: visible_parties(timing, mine)?,
                local_date: london::local_date(s.starts_at.assume_utc()),
                cancellation,
                id: s.id,
                referral_id: s.referral_id,
                series_id: s.series_id,
                centre_id: s.centre_id,
                service_type: s.service_type,
                room_id: s.room_id,
                supervisor_id: s.supervisor_id,
                community_place: s.community_place,
                handover_slot: s.handover_slot,
                starts_at: bounds.then(|| utc(s.starts_at)),
                ends_at: bounds.then(|| utc(s.ends_at)),
                status: s.status,
                charge_id: s.charge_id,
                ended_early_reason: s.ended_early_reason,
                version: s.version,
            })
        })
        .collect()
}

pub use crate::cases::actor;

/// The case's sessions, earliest first (staff, the case's parents and its referrer).
#[utoipa::path(tag = "sessions", params(ReferralId), responses((status = 200, description = "Sessions, earliest first.", body = Vec<SessionView>), (status = 401, response = error::Unauthorized),
    (status = 404, response = error::NotFound)))]
#[get("/referrals/{id}/sessions")]
pub async fn list_for_referral(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let actor = cases::actor(&principal);
    let views = state
        .read(move |conn| {
            let seen = read::for_case(conn, &actor, &id)?;
            crate::audit::case(&seen.case.referral.id);
            views_of(seen.case.relation.viewer, seen.sessions)
        })
        .await?;
    Ok(HttpResponse::Ok().json(views))
}

/// One session, as the caller may see it.
#[utoipa::path(tag = "sessions", params(SessionId), responses((status = 200, description = "The session.", body = SessionView), (status = 401, response = error::Unauthorized),
    (status = 404, response = error::NotFound)))]
#[get("/sessions/{id}")]
pub async fn get_session(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<SessionId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let actor = cases::actor(&principal);
    let view = state
        .read(move |conn| {
            let seen = read::one(conn, &actor, &id)?;
            crate::audit::case(&seen.case.referral.id);
            views_of(seen.case.relation.viewer, seen.sessions)?
                .pop()
                .ok_or_else(|| ApiError::not_found("session"))
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
