//! What a session costs: the charge raised when it is booked (CL supervised hourly, handover
//! £16) unless the tariff has no session fee or a funder pays; the charge replaced when a move
//! changes the price; sessions confirmed once their charge is settled.

use crate::ProblemType;
use time::{OffsetDateTime, PrimitiveDateTime};

use super::status_of;
use crate::{credit, AppError};
use ccm_domain::london;
use ccm_domain::quote::{session_charge, ChargeDue, Payer};
use ccm_domain::schedule::lifecycle::{self, SessionEvent};
use ccm_domain::schedule::Slot;
use ccm_domain::tariff::Tariff;
use ccm_persistence::ledger::{self, Charge};
use ccm_persistence::referrals::Referral;
use ccm_persistence::sessions::{self, Session, SessionChanges};
use ccm_persistence::{new_id, AnyConnection};

/// The session charge in pence for a session of so many minutes, or `None` where nothing is
/// charged (no tariff, no session fee, or a funder pays).
pub fn price(tariff: Option<&Tariff>, funded: bool, minutes: u32) -> Option<i64> {
    if funded {
        return None;
    }
    session_charge(tariff?, minutes)
        .map(|m| m.pence())
        .filter(|p| *p > 0)
}

/// Raises a session's charge, settled from its payer's credit as far as that goes.
pub fn raise(
    conn: &mut AnyConnection,
    r: &Referral,
    slot: &Slot,
    amount: i64,
    user_id: &str,
    at: PrimitiveDateTime,
) -> Result<String, AppError> {
    let charge = Charge {
        id: new_id(),
        referral_id: r.id.clone(),
        kind: "session".into(),
        description: format!("Session on {}", london::local_date(slot.start)),
        amount_pence: amount,
        refundable: true,
        payer: Payer::NonResidentParent.as_str().into(),
        funder: None,
        due: ChargeDue::BeforeSession.as_str().into(),
        created_at: at,
    };
    ledger::insert_charge(conn, &charge)?;
    credit::settle_new_charge(conn, &r.id, &charge.id, user_id, at)?;
    Ok(charge.id)
}

/// The session's charge after a move to `slot`: unchanged if the price is the same; a paid
/// charge cannot change (409); an unpaid one is written off and replaced.
pub fn reprice(
    conn: &mut AnyConnection,
    r: &Referral,
    s: &Session,
    slot: &Slot,
    wanted: Option<i64>,
    user_id: &str,
    at: PrimitiveDateTime,
) -> Result<Option<String>, AppError> {
    if s.status == "provisional" {
        return Ok(None);
    }
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
        return Err(AppError::conflict(
            ProblemType::SessionChargePaid,
            "the session's charge has been paid; cancel it and book again to change its length",
        ));
    }
    credit::write_off(conn, &r.id, charge_id, "session moved", user_id, at)?;
    match wanted {
        Some(amount) => Ok(Some(raise(conn, r, slot, amount, user_id, at)?)),
        None => Ok(None),
    }
}

/// Confirms the case's sessions waiting for payment whose charge is now paid or waived.
pub fn confirm_paid(
    conn: &mut AnyConnection,
    referral_id: &str,
    now: OffsetDateTime,
) -> Result<usize, AppError> {
    let states = ledger::states(conn, referral_id)?;
    let mut confirmed = 0;
    for s in sessions::for_referral(conn, referral_id)? {
        if s.status != "awaiting_payment" {
            continue;
        }
        let settled = states
            .iter()
            .any(|(c, st)| Some(&c.id) == s.charge_id.as_ref() && st.outstanding().is_zero());
        if settled {
            let status = lifecycle::apply(status_of(&s)?, SessionEvent::Settled)?;
            let changes = SessionChanges {
                status: Some(status.as_str().into()),
                ..Default::default()
            };
            sessions::update(conn, &s.id, &changes, crate::clock::stored(now))?;
            confirmed += 1;
        }
    }
    Ok(confirmed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_funded_case_or_no_tariff_pays_nothing_per_session() {
        assert_eq!(price(None, false, 120), None);
        assert_eq!(price(None, true, 120), None);
    }
}
