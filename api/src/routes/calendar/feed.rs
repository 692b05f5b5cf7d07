//! Serving a feed to a calendar app: no bearer token, the URL's token is the credential.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use time::Duration;

use super::ical::{self, Event, Status};
use super::TOKEN_PREFIX;
use crate::cases::workflow;
use crate::error::{self, ApiError};
use crate::security;
use crate::state::AppState;
use ccm_domain::referral::disclosure::Viewer;
use ccm_domain::referral::PartyRole;
use ccm_domain::schedule::projection;
use ccm_domain::schedule::Slot;
use ccm_domain::Role;
use ccm_persistence::calendar;
use ccm_persistence::sessions::{self, Session};
use ccm_persistence::{now, users, AnyConnection, StoreError};

/// How far back a staff feed reaches; a case's feed has all of the case's sessions.
const STAFF_HISTORY_DAYS: i64 = 90;

/// A calendar feed (`text/calendar`, RFC 5545), for calendar apps to subscribe to. No bearer
/// token: the token in the URL is the credential. An unknown or revoked token is 404.
#[utoipa::path(tag = "calendar", params(("token" = String, Path, description = "The feed's token")),
    responses((status = 200, description = "The feed, as iCalendar.", content_type = "text/calendar", body = String),
        (status = 404, response = error::NotFound)))]
#[get("/calendar/{token}")]
pub async fn serve(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let gone = || ApiError::not_found("calendar");
    let token = token.into_inner();
    if !token.starts_with(TOKEN_PREFIX) || token.len() > 100 {
        return Err(gone());
    }
    let hash = security::token_hash(&token);
    let body = state
        .read(move |conn| {
            let feed = calendar::find_by_token_hash(conn, &hash)?.ok_or_else(gone)?;
            match (feed.referral_id, feed.party, feed.user_id) {
                (Some(referral_id), Some(party), None) => party_feed(conn, &referral_id, &party),
                (None, None, Some(user_id)) => staff_feed(conn, &user_id)?.ok_or_else(gone),
                _ => Err(ApiError::Internal(format!(
                    "calendar feed {} is neither a party's nor a user's",
                    feed.id
                ))),
            }
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        // The URL is a secret: keep the calendar out of shared caches and referrers.
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .body(body))
}

/// One parent's sessions of a case, timed by that parent's own arrival and departure.
fn party_feed(
    conn: &mut AnyConnection,
    referral_id: &str,
    party: &str,
) -> Result<String, ApiError> {
    let role: PartyRole = party
        .parse()
        .map_err(|e| ApiError::Internal(format!("calendar_feeds.party: {e}")))?;
    let timing = projection::session_timing(Viewer::Party(role));
    let rows = sessions::for_referral(conn, referral_id)?;
    let ids: Vec<String> = rows.iter().map(|s| s.id.clone()).collect();
    let times: HashMap<String, _> = sessions::parties(conn, &ids)?
        .into_iter()
        .filter(|p| p.party == party)
        .map(|p| (p.session_id.clone(), p))
        .collect();
    let places = Places::load(conn, &rows)?;
    // The session row changes when the other parent checks in or out, so its `updated_at`
    // would date their arrival; a parent's events are stamped with when the feed is read.
    let served = now();
    let events = rows
        .iter()
        .filter_map(|s| {
            let own = times.get(&s.id).map(|p| Slot {
                start: p.expected_arrival.assume_utc(),
                end: p.expected_departure.assume_utc(),
            });
            let bounds = Slot {
                start: s.starts_at.assume_utc(),
                end: s.ends_at.assume_utc(),
            };
            let span = timing.span(bounds, own)?;
            let mut event = places.event(s, format!("{}-{party}@ccm", s.id));
            event.start = workflow::stored(span.start);
            event.end = workflow::stored(span.end);
            event.stamp = served;
            Some(event)
        })
        .collect::<Vec<_>>();
    Ok(ical::calendar("Contact sessions", &events))
}

/// A staff member's sessions: those they supervise and, for a coordinator or org admin, all at
/// their provider's centres. `None` once the account is deactivated or no longer staff.
fn staff_feed(conn: &mut AnyConnection, user_id: &str) -> Result<Option<String>, ApiError> {
    let user = match users::find(conn, user_id) {
        Err(StoreError::NotFound) => return Ok(None),
        other => other?,
    };
    let role = user.role()?;
    if !user.active || !role.is_provider_staff() {
        return Ok(None);
    }
    let provider = match role {
        Role::Coordinator | Role::OrgAdmin => user.provider_id.as_deref(),
        _ => None,
    };
    let since = now() - Duration::days(STAFF_HISTORY_DAYS);
    let rows = calendar::staff_sessions(conn, user_id, provider, since)?;
    let places = Places::load(conn, &rows)?;
    let events = rows
        .iter()
        .map(|s| {
            let mut event = places.event(s, format!("{}@ccm", s.id));
            let room = s.room_id.as_ref().and_then(|r| places.rooms.get(r));
            let mut notes = Vec::new();
            if let Some(room) = room {
                notes.push(format!("Room: {room}"));
            }
            if s.supervisor_id.as_deref() == Some(user_id) {
                notes.push("You are supervising.".to_string());
            }
            if let Some(slot) = &s.handover_slot {
                notes.push(format!("Handover slot: {slot}"));
            }
            event.description = (!notes.is_empty()).then(|| notes.join("\n"));
            event
        })
        .collect::<Vec<_>>();
    Ok(Some(ical::calendar("Contact sessions (staff)", &events)))
}

/// The centres' names and towns and the rooms' names for a set of sessions, read at once.
struct Places {
    centres: HashMap<String, (String, String)>,
    rooms: HashMap<String, String>,
}

impl Places {
    fn load(conn: &mut AnyConnection, rows: &[Session]) -> Result<Places, ApiError> {
        let mut centre_ids: Vec<String> = rows.iter().map(|s| s.centre_id.clone()).collect();
        centre_ids.sort();
        centre_ids.dedup();
        let mut room_ids: Vec<String> = rows.iter().filter_map(|s| s.room_id.clone()).collect();
        room_ids.sort();
        room_ids.dedup();
        Ok(Places {
            centres: calendar::centre_places(conn, &centre_ids)?
                .into_iter()
                .map(|(id, name, town)| (id, (name, town)))
                .collect(),
            rooms: calendar::room_names(conn, &room_ids)?.into_iter().collect(),
        })
    }

    /// The event for a session over its own times, with what anyone may see of it.
    fn event(&self, s: &Session, uid: String) -> Event {
        let service = match s.service_type.as_str() {
            "supported" => "Supported contact",
            "supervised" => "Supervised contact",
            "handover" => "Handover",
            "indirect" => "Indirect contact",
            _ => "Contact session",
        };
        let centre = self.centres.get(&s.centre_id);
        let centre_name = centre.map_or("the centre", |(name, _)| name.as_str());
        // A session in the community is arranged by the centre but does not happen there.
        let (summary, location) = match &s.community_place {
            Some(place) => (
                format!("{service} arranged by {centre_name}"),
                Some(place.clone()),
            ),
            None => (
                format!("{service} at {centre_name}"),
                centre.map(|(name, town)| format!("{name}, {town}")),
            ),
        };
        let status = match s.status.as_str() {
            "cancelled" => Status::Cancelled,
            "provisional" | "awaiting_payment" => Status::Tentative,
            _ => Status::Confirmed,
        };
        Event {
            uid,
            sequence: s.version,
            stamp: s.updated_at,
            start: s.starts_at,
            end: s.ends_at,
            summary,
            location,
            description: None,
            status,
        }
    }
}
