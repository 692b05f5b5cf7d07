//! Moving sessions: one occurrence, this and the following ones, or all of a series still to
//! come; to another local time or length, room, supervisor or community place. Every moved
//! session goes through the booking pipeline again, and its charge is replaced if its price
//! changes (a paid one cannot change).

use time::{Duration, OffsetDateTime, PrimitiveDateTime};

use super::book::refused;
use super::pipeline::{self, stored, Context, Where};
use super::{access, money, status_of, times, Actor, Placed};
use crate::AppError;
use ccm_domain::schedule::lifecycle::{self, SessionEvent, SessionStatus};
use ccm_domain::schedule::request::{self, RequestError, Retime};
use ccm_domain::schedule::series::{self, EditScope};
use ccm_domain::schedule::Slot;
use ccm_persistence::sessions::{self, Session, SessionChanges};
use ccm_persistence::{new_id, placement, AnyConnection};

/// What to change, and where the sessions go (each `None` keeps the session's own).
#[derive(Clone, Debug, Default)]
pub struct MoveCmd {
    pub change: Retime,
    pub place: Where,
    pub turnaround: Duration,
}

fn slot_of(s: &Session) -> Slot {
    Slot {
        start: s.starts_at.assume_utc(),
        end: s.ends_at.assume_utc(),
    }
}

/// The sessions a move reaches, and whether they become a series of their own.
fn targets(
    conn: &mut AnyConnection,
    this: &Session,
    scope: EditScope,
    now: OffsetDateTime,
) -> Result<(Vec<Session>, bool), AppError> {
    let Some(series_id) = this.series_id.as_ref().filter(|_| scope != EditScope::One) else {
        return Ok((vec![this.clone()], false));
    };
    let all = sessions::in_series(conn, series_id)?;
    let open: Vec<bool> = all
        .iter()
        .map(|s| {
            status_of(s).is_ok_and(|st| lifecycle::apply(st, SessionEvent::Reschedule).is_ok())
                && s.starts_at.assume_utc() > now
        })
        .collect();
    let at = all.iter().position(|s| s.id == this.id).unwrap_or(0);
    // Changing this and the following sessions of a series makes them a series of their own.
    let split = scope == EditScope::Following && at > 0;
    let reached = series::reach(scope, at, &open)
        .into_iter()
        .map(|i| all[i].clone())
        .collect();
    Ok((reached, split))
}

/// Where the moved sessions go: the place asked for, else the session's own.
fn place_after(asked: Where, this: &Session) -> Where {
    Where {
        supervisor_id: asked.supervisor_id.or_else(|| this.supervisor_id.clone()),
        community_place: if asked.room_id.is_some() {
            None
        } else {
            asked
                .community_place
                .clone()
                .or_else(|| this.community_place.clone())
        },
        room_id: if asked.community_place.is_some() {
            None
        } else {
            asked.room_id.or_else(|| this.room_id.clone())
        },
    }
}

/// The moved sessions' new slots, refused if any is wrong, already started or outside the
/// centre's hours (a community place keeps its own).
fn new_slots(
    ctx: &Context,
    wanted: Vec<Result<Slot, RequestError>>,
    field: &str,
    now: OffsetDateTime,
) -> Result<Vec<Slot>, AppError> {
    let mut slots = Vec::new();
    for slot in wanted {
        let slot = slot.map_err(refused)?;
        if slot.start <= now {
            return Err(AppError::invalid(
                field,
                "past",
                "a session cannot be moved into the past",
            ));
        }
        slots.push(slot);
    }
    if ctx.place.community_place.is_none() {
        let pattern = ctx.site.centre.opening_pattern()?;
        if let Some(day) = series::first_closed(&pattern, &slots) {
            return Err(AppError::invalid(
                field,
                "centre_closed",
                format!("the centre is not open for the session on {day}"),
            ));
        }
    }
    Ok(slots)
}

/// Writes each session's new times and place, with its charge repriced, and its status moved
/// on (a charge written off and not replaced leaves nothing to wait for).
fn write_moves<'a>(
    conn: &mut AnyConnection,
    ctx: &Context,
    moves: impl Iterator<Item = (&'a Session, &'a Slot)>,
    split: Option<String>,
    user_id: &str,
    at: PrimitiveDateTime,
) -> Result<Vec<Session>, AppError> {
    let mut changed = Vec::new();
    for (s, slot) in moves {
        let wanted = ctx.price(slot.minutes());
        let charge_id = money::reprice(conn, &ctx.referral, s, slot, wanted, user_id, at)?;
        let mut status = lifecycle::apply(status_of(s)?, SessionEvent::Reschedule)?;
        if charge_id.is_none() && status == SessionStatus::AwaitingPayment {
            status = lifecycle::apply(status, SessionEvent::Settled)?;
        }
        let changes = SessionChanges {
            status: Some(status.as_str().into()),
            starts_at: Some(stored(slot.start)),
            ends_at: Some(stored(slot.end)),
            room_id: Some(ctx.room.as_ref().map(|(id, _, _)| id.clone())),
            supervisor_id: Some(ctx.place.supervisor_id.clone()),
            community_place: Some(ctx.place.community_place.clone()),
            series_id: split.clone().map(Some),
            charge_id: Some(charge_id),
            ..Default::default()
        };
        changed.push(sessions::update(conn, &s.id, &changes, at)?);
    }
    Ok(changed)
}

/// Moves a session, or this and the following ones, or all of its series still to come (the
/// case's coordinators and org admins). Handover slots are fixed: cancel and book another.
pub fn move_sessions(
    conn: &mut AnyConnection,
    actor: &Actor,
    session_id: &str,
    cmd: MoveCmd,
) -> Result<Placed, AppError> {
    request::check_move(&cmd.change).map_err(refused)?;
    let this =
        sessions::find_locked(conn, session_id).map_err(|_| AppError::not_found("session"))?;
    let r = access::deciding_case(conn, actor, &this.referral_id).map_err(|e| match e {
        AppError::NotFound(_) => AppError::not_found("session"),
        other => other,
    })?;
    lifecycle::apply(status_of(&this)?, SessionEvent::Reschedule)?;
    let service = r.service()?;
    if this.handover_slot.is_some() {
        return Err(AppError::invalid(
            "scope",
            "handover_fixed",
            "handover slots are fixed; cancel and book another slot",
        ));
    }
    let now = OffsetDateTime::now_utc();
    let scope = cmd.change.scope.unwrap_or(EditScope::One);
    let (targets, split) = targets(conn, &this, scope, now)?;
    let place = place_after(cmd.place, &this);
    let field = cmd.change.field();
    let wanted: Vec<_> = targets
        .iter()
        .map(|s| request::moved_slot(&cmd.change, &slot_of(s)))
        .collect();
    let vacated: Vec<Slot> = targets.iter().map(slot_of).collect();
    let old_rooms: Vec<String> = targets.iter().filter_map(|s| s.room_id.clone()).collect();
    let starts: Vec<_> = wanted
        .iter()
        .flatten()
        .map(|s| stored(s.start))
        .chain(targets.iter().map(|s| s.starts_at))
        .collect();
    let mut ctx = pipeline::context(conn, r, service, place, &old_rooms, &starts)?;
    let slots = new_slots(&ctx, wanted, field, now)?;
    let moving: Vec<String> = targets.iter().map(|s| s.id.clone()).collect();
    let neighbours =
        pipeline::lock_and_read(conn, &ctx, &slots, &vacated, &old_rooms, cmd.turnaround)?;
    pipeline::check(&ctx, &neighbours, &slots, &moving, cmd.turnaround)?;
    let split = split.then(new_id);
    let moves = targets.iter().zip(&slots);
    let changed = write_moves(conn, &ctx, moves, split, &actor.user_id, stored(now))?;
    let left: Vec<(String, Slot)> = targets
        .iter()
        .filter_map(|s| s.room_id.clone().map(|room| (room, slot_of(s))))
        .collect();
    let planned = times::plan_times(conn, &mut ctx, &neighbours, &changed, &left)?;
    placement::plan_parties(conn, &planned)?;
    let ids: Vec<String> = changed.iter().map(|s| s.id.clone()).collect();
    // Moved sessions keep any turnout already recorded, so their rows are read back.
    let parties = sessions::parties(conn, &ids)?;
    Ok(pipeline::placed(&ctx.referral.id, changed, &parties))
}
