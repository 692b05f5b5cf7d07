//! Booking a case's contact: one session, a series, or a CL handover slot.

use crate::ProblemType;
use time::{Duration, OffsetDateTime, PrimitiveDateTime};

use super::pipeline::{self, stored, Context, Where};
use super::{access, money, times, Actor, Placed};
use crate::AppError;
use ccm_domain::events::EventKind;
use ccm_domain::schedule::request::{self, Admission, Plan, Refusal, RequestError, Times};
use ccm_domain::schedule::series;
use ccm_persistence::sessions::{self, Session};
use ccm_persistence::webhooks::{self, Change};
use ccm_persistence::{new_id, placement, AnyConnection};

/// What to book.
#[derive(Clone, Debug, Default)]
pub struct BookCmd {
    pub times: Times,
    pub place: Where,
    /// Hold supervised dates before contact starts, to confirm before the pre-visit.
    pub provisional: bool,
    /// The gap a room or supervisor needs between sessions.
    pub turnaround: Duration,
}

pub(super) fn refused(e: RequestError) -> AppError {
    AppError::invalid(&e.field, e.code, e.message)
}

/// An instant as the API writes it everywhere else (`2027-07-03T11:30:00Z`), for messages.
fn rfc3339(at: OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| at.to_string())
}

/// Refuses slots outside the centre's hours (a community place or a handover slot keeps its
/// own) or already started.
fn check_when(ctx: &Context, plan: &Plan, now: OffsetDateTime) -> Result<(), AppError> {
    if ctx.place.community_place.is_none() && plan.handover.is_none() {
        let pattern = ctx.site.centre.opening_pattern()?;
        if let Some(day) = series::first_closed(&pattern, &plan.slots) {
            return Err(AppError::invalid(
                plan.field(),
                "centre_closed",
                format!("the centre is not open for the session on {day}"),
            ));
        }
    }
    if let Some(past) = request::first_started(&plan.slots, now) {
        return Err(AppError::invalid(
            plan.field(),
            "past",
            format!("the session at {} has already started", rfc3339(past.start)),
        ));
    }
    Ok(())
}

/// The sessions to insert, each with its charge raised (settled from credit where it can be)
/// unless the dates are only held.
fn sessions_for(
    conn: &mut AnyConnection,
    ctx: &Context,
    plan: &Plan,
    admission: Admission,
    user_id: &str,
    at: PrimitiveDateTime,
) -> Result<Vec<Session>, AppError> {
    let r = &ctx.referral;
    let series_id = plan.series.then(new_id);
    let mut booked = Vec::new();
    for slot in &plan.slots {
        let charge_id = match ctx.price(slot.minutes()) {
            Some(amount) if admission == Admission::Book => {
                Some(money::raise(conn, r, slot, amount, user_id, at)?)
            }
            _ => None,
        };
        let status = match (admission, &charge_id) {
            (Admission::Hold, _) => "provisional",
            (Admission::Book, Some(_)) => "awaiting_payment",
            (Admission::Book, None) => "confirmed",
        };
        booked.push(Session {
            id: new_id(),
            referral_id: r.id.clone(),
            series_id: series_id.clone(),
            centre_id: r.centre_id.clone(),
            service_type: r.service_type.clone(),
            room_id: ctx.room.as_ref().map(|(id, _, _)| id.clone()),
            supervisor_id: ctx.place.supervisor_id.clone(),
            community_place: ctx.place.community_place.clone(),
            handover_slot: plan.handover.map(|h| h.as_str().to_string()),
            starts_at: stored(slot.start),
            ends_at: stored(slot.end),
            status: status.into(),
            charge_id,
            cancelled_by: None,
            cancelled_at: None,
            cancel_reason: None,
            notice_minutes: None,
            cancellation_charge_id: None,
            ended_early_reason: None,
            version: 1,
            created_by: user_id.to_string(),
            created_at: at,
            updated_at: at,
        });
    }
    Ok(booked)
}

/// Books the case's sessions (its coordinators and org admins): checked against the case,
/// the centre's hours and every session holding the room, the supervisor or the family, under
/// the room's and supervisor's locks. Each parent gets their own staggered arrival and
/// departure; a session with a charge waits for payment.
pub fn book(
    conn: &mut AnyConnection,
    actor: &Actor,
    referral_id: &str,
    cmd: BookCmd,
) -> Result<Placed, AppError> {
    let r = access::deciding_case(conn, actor, referral_id)?;
    let service = r.service()?;
    let admission =
        request::admission(service, r.status()?, cmd.provisional).map_err(|e| match e {
            Refusal::NoSessions(_) => AppError::rule(ProblemType::NoSessions, e.to_string()),
            Refusal::NotActive(_) => AppError::conflict(ProblemType::CaseNotActive, e.to_string()),
        })?;
    let plan = request::plan(&cmd.times, service).map_err(refused)?;
    let starts: Vec<_> = plan.slots.iter().map(|s| stored(s.start)).collect();
    let mut ctx = pipeline::context(conn, r, service, cmd.place, &[], &starts)?;
    let now = OffsetDateTime::now_utc();
    check_when(&ctx, &plan, now)?;
    let neighbours = pipeline::lock_and_read(conn, &ctx, &plan.slots, &[], &[], cmd.turnaround)?;
    pipeline::check(&ctx, &neighbours, &plan.slots, &[], cmd.turnaround)?;
    let booked = sessions_for(conn, &ctx, &plan, admission, &actor.user_id, stored(now))?;
    let parties = times::plan_times(conn, &mut ctx, &neighbours, &booked, &[])?;
    placement::insert_sessions(conn, &booked)?;
    placement::plan_parties(conn, &parties)?;
    let changes: Vec<Change> = booked
        .iter()
        .map(|s| Change {
            referral_id: &s.referral_id,
            kind: EventKind::Session,
            id: &s.id,
            state: &s.status,
            at: s.created_at,
        })
        .collect();
    webhooks::emit_to(conn, ctx.audience.as_ref(), &changes)?;
    let referral_id = ctx.referral.id.clone();
    if booked.iter().all(|s| s.charge_id.is_none()) {
        return Ok(pipeline::placed(&referral_id, booked, &parties));
    }
    // A payer's credit may already have settled a session's charge.
    money::confirm_paid(conn, &referral_id, now)?;
    let rows = booked
        .iter()
        .map(|s| sessions::find(conn, &s.id))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(pipeline::placed(&referral_id, rows, &parties))
}
