//! Cancelling a session: who cancelled, when, why and with how much notice; the charge follows
//! the tariff (CL supervised: the cancelling parent pays the session's charge; the centre's own
//! cancellations charge nobody), and the session's own charge is written off: what was paid on
//! it becomes its payer's credit.
//! Closing a case cancels its sessions still to come, as the centre.

use time::OffsetDateTime;

use super::scheduling::{self, status_of};
use super::tariff::current_tariff;
use crate::clock::stored;
use crate::credit;
use crate::AppError;
use ccm_domain::london;
use ccm_domain::quote::{cancellation_charge, CancelledBy};
use ccm_domain::referral::ledger::{ChargeDue, Payer};
use ccm_domain::schedule::lifecycle::{self, SessionEvent};
use ccm_domain::schedule::Slot;
use ccm_persistence::ledger::{self, Charge};
use ccm_persistence::referrals::Referral;
use ccm_persistence::sessions::{self, Session, SessionChanges};
use ccm_persistence::{new_id, rooms, AnyConnection};

/// Cancels one session of the case (the caller has checked who may).
pub fn cancel_session(
    conn: &mut AnyConnection,
    r: &Referral,
    found: &Session,
    by: CancelledBy,
    reason: &str,
    user_id: &str,
    _now: OffsetDateTime,
) -> Result<Session, AppError> {
    let cancelled = lifecycle::apply(status_of(found)?, SessionEvent::Cancel)?;
    let room = match &found.room_id {
        Some(id) => Some(rooms::find(conn, id)?),
        None => None,
    };
    let now = OffsetDateTime::now_utc();
    let at = stored(now);
    let slot = Slot {
        start: found.starts_at.assume_utc(),
        end: found.ends_at.assume_utc(),
    };
    let service = r.service()?;
    // The charge the cancelling parent pays, from today's tariff.
    let tariff = current_tariff(conn, &r.centre_id, service)?.map(|(_, t)| t);
    let fee = tariff
        .as_ref()
        .and_then(|t| cancellation_charge(t, slot.minutes(), by))
        .map(|m| m.pence())
        .filter(|p| *p > 0 && r.funder.is_none() && found.status != "provisional");
    // The session's own charge is not owed for a session that will not happen; what was paid
    // on it becomes its payer's credit, first, so a parent cancelling their own paid session
    // has the cancellation fee settled from it.
    if let Some(charge_id) = &found.charge_id {
        credit::write_off(conn, &r.id, charge_id, "session cancelled", user_id, at)?;
    }
    let cancellation_charge_id = match fee {
        Some(amount) => {
            let payer = match by {
                CancelledBy::ResidentParent => Payer::ResidentParent,
                _ => Payer::NonResidentParent,
            };
            let charge = Charge {
                id: new_id(),
                referral_id: r.id.clone(),
                kind: "cancellation".into(),
                description: format!(
                    "Cancellation of the session on {}",
                    london::local_date(slot.start)
                ),
                amount_pence: amount,
                refundable: false,
                payer: payer.as_str().into(),
                funder: None,
                due: ChargeDue::OnCancellation.as_str().into(),
                created_at: at,
            };
            ledger::insert_charge(conn, &charge)?;
            credit::settle_new_charge(conn, &r.id, &charge.id, user_id, at)?;
            Some(charge.id)
        }
        None => None,
    };
    let changes = SessionChanges {
        status: Some(cancelled.as_str().into()),
        cancelled_by: Some(Some(by.as_str().into())),
        cancelled_at: Some(Some(at)),
        cancel_reason: Some(Some(reason.to_string())),
        notice_minutes: Some(Some((slot.start - now).whole_minutes())),
        cancellation_charge_id: Some(cancellation_charge_id),
        ..Default::default()
    };
    let updated = sessions::update(conn, &found.id, &changes, at)?;
    if let (Some(room_id), Some(rooms::Room { kind, .. })) = (&found.room_id, room) {
        if kind == "shared" {
            scheduling::replan_shared(
                conn,
                &found.centre_id,
                room_id,
                found.starts_at,
                found.ends_at,
            )?;
        }
    }
    Ok(updated)
}

/// Cancels, as the centre, every session of the case still to come (the case has closed).
pub fn cancel_upcoming(
    conn: &mut AnyConnection,
    r: &Referral,
    reason: &str,
    user_id: &str,
    now: OffsetDateTime,
) -> Result<usize, AppError> {
    let upcoming = sessions::upcoming(conn, &r.id, stored(now))?;
    for s in &upcoming {
        cancel_session(conn, r, s, CancelledBy::Centre, reason, user_id, now)?;
    }
    Ok(upcoming.len())
}
