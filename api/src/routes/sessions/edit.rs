//! Moving sessions: one occurrence, this and the following ones, or all of a series still to
//! come; to another local time or length, room, supervisor or community place. Every moved
//! session is checked again (opening hours, clashes, the family's other sessions) under the
//! resources' locks, and its parents' times are planned again.

use actix_web::{patch, web, HttpResponse};
use serde::Deserialize;
use time::{OffsetDateTime, Time};
use utoipa::ToSchema;
use validator::Validate;

use super::checks::{self, Place};
use super::{charges, session_views, status_of, SessionView};
use crate::cases::{self, credit, scheduling, workflow};
use crate::error::ProblemType;
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::routes::referrals::require_deciding_staff;
use crate::state::AppState;
use ccm_domain::opening::hhmm;
use ccm_domain::schedule::arrival;
use ccm_domain::schedule::lifecycle::{self, SessionEvent, SessionStatus};
use ccm_domain::schedule::series::{self, EditScope};
use ccm_domain::schedule::Slot;
use ccm_domain::RoomKind;
use ccm_persistence::sessions::{self, PartyChanges, Session, SessionChanges};
use ccm_persistence::{centres, ledger, new_id};

/// What to change. Times: either `starts_at`/`ends_at` (scope `one` only) or a new local
/// `starts` time and/or `minutes`, applied on each session's own date.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"scope": "following", "starts": "14:00", "minutes": 90}))]
pub struct SessionEdit {
    #[serde(default = "one")]
    pub scope: EditScope,
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub starts_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ends_at: Option<OffsetDateTime>,
    /// Local (Europe/London) start time, "HH:MM".
    #[serde(default, with = "hhmm::option")]
    #[schema(value_type = Option<String>, example = "14:00")]
    pub starts: Option<Time>,
    #[validate(range(min = 1, max = 1440))]
    #[schema(minimum = 1, maximum = 1440)]
    pub minutes: Option<u32>,
    pub room_id: Option<String>,
    pub supervisor_id: Option<String>,
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub community_place: Option<String>,
}

fn one() -> EditScope {
    EditScope::One
}

fn new_slot(e: &SessionEdit, s: &Session) -> Result<Slot, ApiError> {
    let current = Slot {
        start: s.starts_at.assume_utc(),
        end: s.ends_at.assume_utc(),
    };
    match (e.starts_at, e.ends_at) {
        (Some(start), Some(end)) => Slot::new(start, end)
            .map_err(|err| ApiError::invalid("ends_at", "range", err.to_string())),
        (None, None) => series::retime(&current, e.starts, e.minutes)
            .map_err(|err| ApiError::invalid("minutes", "range", err.to_string())),
        (Some(_), None) => Err(ApiError::invalid("ends_at", "required", "give both times")),
        (None, Some(_)) => Err(ApiError::invalid(
            "starts_at",
            "required",
            "give both times",
        )),
    }
}

fn check_request(e: &SessionEdit) -> Result<(), ApiError> {
    let exact = e.starts_at.is_some() || e.ends_at.is_some();
    if exact && e.scope != EditScope::One {
        return Err(ApiError::invalid(
            "starts_at",
            "one_only",
            "exact times move one session; move a series with starts and minutes",
        ));
    }
    if exact && (e.starts.is_some() || e.minutes.is_some()) {
        return Err(ApiError::invalid(
            "starts",
            "one_of",
            "give starts_at/ends_at or starts/minutes, not both",
        ));
    }
    if e.room_id.is_some() && e.community_place.is_some() {
        return Err(ApiError::invalid(
            "room_id",
            "one_of",
            "a session is in a room or in the community, not both",
        ));
    }
    let nothing = !exact
        && e.starts.is_none()
        && e.minutes.is_none()
        && e.room_id.is_none()
        && e.supervisor_id.is_none()
        && e.community_place.is_none();
    if nothing {
        return Err(ApiError::invalid(
            "scope",
            "nothing_to_change",
            "nothing to change was given",
        ));
    }
    Ok(())
}

/// Move a session, or this and the following ones, or all of its series still to come. A
/// session whose paid charge would change is refused (cancel and book again); an unpaid one's
/// charge is replaced. Handover slots are fixed: cancel and book another slot instead.
#[utoipa::path(tag = "sessions", params(("id" = String, Path, description = "Session id")), request_body = SessionEdit, security(("bearer" = [])),
    responses((status = 200, description = "The sessions changed, earliest first.", body = Vec<SessionView>), error::CreateErrors))]
#[patch("/sessions/{id}")]
pub async fn edit(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    body: ValidJson<SessionEdit>,
) -> Result<HttpResponse, ApiError> {
    let e = body.0;
    check_request(&e)?;
    let turnaround = time::Duration::minutes(i64::from(state.config.turnaround_minutes));
    let id = id.into_inner();
    let views = state
        .write(move |conn| {
            let this =
                sessions::find_locked(conn, &id).map_err(|_| ApiError::not_found("session"))?;
            let case = cases::load(conn, &this.referral_id, &principal, true)
                .map_err(|_| ApiError::not_found("session"))?;
            require_deciding_staff(&case.relation)?;
            lifecycle::apply(status_of(&this)?, SessionEvent::Reschedule)?;
            let service = case.referral.service()?;
            if this.handover_slot.is_some() {
                return Err(ApiError::invalid(
                    "scope",
                    "handover_fixed",
                    "handover slots are fixed; cancel and book another slot",
                ));
            }
            let now = OffsetDateTime::now_utc();
            // Changing this and the following sessions of a series makes them a series of their own.
            let (targets, split): (Vec<Session>, bool) = match (&this.series_id, e.scope) {
                (Some(series_id), scope) if scope != EditScope::One => {
                    let all = sessions::in_series(conn, series_id)?;
                    let open: Vec<bool> = all
                        .iter()
                        .map(|s| {
                            status_of(s).is_ok_and(|st| {
                                lifecycle::apply(st, SessionEvent::Reschedule).is_ok()
                            }) && s.starts_at.assume_utc() > now
                        })
                        .collect();
                    let at = all.iter().position(|s| s.id == this.id).unwrap_or(0);
                    let split = scope == EditScope::Following && at > 0;
                    (
                        series::reach(scope, at, &open)
                            .into_iter()
                            .map(|i| all[i].clone())
                            .collect(),
                        split,
                    )
                }
                _ => (vec![this.clone()], false),
            };
            let place = Place {
                supervisor_id: e
                    .supervisor_id
                    .clone()
                    .or_else(|| this.supervisor_id.clone()),
                community_place: if e.room_id.is_some() {
                    None
                } else {
                    e.community_place
                        .clone()
                        .or_else(|| this.community_place.clone())
                },
                room_id: if e.community_place.is_some() {
                    None
                } else {
                    e.room_id.clone().or_else(|| this.room_id.clone())
                },
            };
            let resource = checks::resources(conn, &case, &place, service)?;
            let field = if e.starts_at.is_some() {
                "starts_at"
            } else {
                "starts"
            };
            let mut slots = Vec::new();
            for s in &targets {
                let slot = new_slot(&e, s)?;
                if slot.start <= now {
                    return Err(ApiError::invalid(
                        field,
                        "past",
                        "a session cannot be moved into the past",
                    ));
                }
                slots.push(slot);
            }
            if place.community_place.is_none() {
                let pattern = centres::find(conn, &case.referral.centre_id)?.opening_pattern()?;
                if let Some(day) = series::first_closed(&pattern, &slots) {
                    return Err(ApiError::invalid(
                        field,
                        "centre_closed",
                        format!("the centre is not open for the session on {day}"),
                    ));
                }
            }
            let moving: Vec<String> = targets.iter().map(|s| s.id.clone()).collect();
            checks::lock(conn, &resource)?;
            checks::check_clashes(conn, &resource, &slots, turnaround, &moving)?;
            checks::check_own(conn, &case.referral.id, &slots, &moving)?;
            let policy = scheduling::case_policy(conn, &case)?;
            let price = charges::session_price(conn, &case, service)?;
            let split = split.then(new_id);
            let at = workflow::stored(now);
            let mut changed = Vec::new();
            for (s, slot) in targets.iter().zip(&slots) {
                let charge_id = reprice(
                    conn,
                    &case.referral,
                    s,
                    slot,
                    &price,
                    &principal.user_id,
                    at,
                )?;
                // A charge written off and not replaced leaves nothing to wait for.
                let mut status = lifecycle::apply(status_of(s)?, SessionEvent::Reschedule)?;
                if charge_id.is_none() && status == SessionStatus::AwaitingPayment {
                    status = lifecycle::apply(status, SessionEvent::Settled)?;
                }
                let changes = SessionChanges {
                    status: Some(status.as_str().into()),
                    starts_at: Some(workflow::stored(slot.start)),
                    ends_at: Some(workflow::stored(slot.end)),
                    room_id: Some(resource.room.as_ref().map(|(id, _, _)| id.clone())),
                    supervisor_id: Some(resource.supervisor.clone()),
                    community_place: Some(place.community_place.clone()),
                    series_id: split.clone().map(Some),
                    charge_id: Some(charge_id),
                    ..Default::default()
                };
                let updated = sessions::update(conn, &s.id, &changes, at)?;
                for t in scheduling::party_rows(&s.id, &arrival::plan(slot, policy)) {
                    let times = PartyChanges {
                        expected_arrival: Some(t.expected_arrival),
                        expected_departure: Some(t.expected_departure),
                        ..Default::default()
                    };
                    sessions::update_party(conn, &s.id, &t.party, &times)?;
                }
                // Both the shared session it left and the one it joined are planned again.
                if let Some(old_room) = &s.room_id {
                    if ccm_persistence::rooms::find(conn, old_room)?.kind == "shared" {
                        scheduling::replan_shared(
                            conn,
                            &s.centre_id,
                            old_room,
                            s.starts_at,
                            s.ends_at,
                        )?;
                    }
                }
                if let Some((room_id, RoomKind::Shared, _)) = &resource.room {
                    scheduling::replan_shared(
                        conn,
                        &s.centre_id,
                        room_id,
                        updated.starts_at,
                        updated.ends_at,
                    )?;
                }
                changed.push(updated.id);
            }
            let rows = changed
                .iter()
                .map(|id| sessions::find(conn, id))
                .collect::<Result<Vec<_>, _>>()?;
            session_views(conn, &case, rows)
        })
        .await?;
    Ok(HttpResponse::Ok().json(views))
}

/// The session's charge after the move: unchanged if the price is the same; a paid charge
/// cannot change (409); an unpaid one is written off and replaced.
fn reprice(
    conn: &mut ccm_persistence::AnyConnection,
    r: &ccm_persistence::referrals::Referral,
    s: &Session,
    slot: &Slot,
    price: &impl Fn(u32) -> Option<i64>,
    user_id: &str,
    at: time::PrimitiveDateTime,
) -> Result<Option<String>, ApiError> {
    if s.status == "provisional" {
        return Ok(None);
    }
    let wanted = price(slot.minutes());
    // A session booked without a charge stays free: it was confirmed on those terms.
    let Some(charge_id) = &s.charge_id else {
        return Ok(None);
    };
    let state = ledger::states(conn, &r.id)?
        .into_iter()
        .find(|(c, _)| &c.id == charge_id);
    let Some((charge, st)) = state else {
        return Ok(s.charge_id.clone());
    };
    if Some(charge.amount_pence) == wanted {
        return Ok(s.charge_id.clone());
    }
    if st.outstanding().pence() != charge.amount_pence {
        return Err(ApiError::conflict(
            ProblemType::SessionChargePaid,
            "the session's charge has been paid; cancel it and book again to change its length",
        ));
    }
    credit::write_off(conn, &r.id, charge_id, "session moved", user_id, at)?;
    match wanted {
        Some(amount) => Ok(Some(charges::insert_session_charge(
            conn, r, slot, amount, user_id, at,
        )?)),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_move_needs_something_to_change_and_exact_times_only_for_one_session() {
        let change: SessionEdit =
            serde_json::from_value(serde_json::json!({"scope": "all"})).unwrap();
        assert!(check_request(&change).is_err());
        let change: SessionEdit = serde_json::from_value(serde_json::json!({
            "scope": "all", "starts_at": "2027-01-09T10:00:00Z", "ends_at": "2027-01-09T11:00:00Z"
        }))
        .unwrap();
        assert!(check_request(&change).is_err());
        let change: SessionEdit =
            serde_json::from_value(serde_json::json!({"scope": "following", "starts": "14:00"}))
                .unwrap();
        assert!(check_request(&change).is_ok());
    }
}
