//! What a session costs: the charge raised when it is booked (CL supervised hourly, handover
//! £16), unless the tariff has no session fee or a funder pays.

use time::{OffsetDateTime, PrimitiveDateTime};

use crate::cases::{credit, workflow, Case};
use crate::error::ApiError;
use ccm_domain::quote::{session_charge, ChargeDue, Payer};
use ccm_domain::schedule::Slot;
use ccm_domain::{london, ServiceType};
use ccm_persistence::ledger::{self, Charge};
use ccm_persistence::referrals::Referral;
use ccm_persistence::{new_id, AnyConnection};

pub fn insert_session_charge(
    conn: &mut AnyConnection,
    r: &Referral,
    slot: &Slot,
    amount: i64,
    user_id: &str,
    at: PrimitiveDateTime,
) -> Result<String, ApiError> {
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

/// Raises the charge for a stored session's times, if the tariff has one for this case.
pub fn raise_session_charge(
    conn: &mut AnyConnection,
    case: &Case,
    starts_at: PrimitiveDateTime,
    ends_at: PrimitiveDateTime,
    user_id: &str,
) -> Result<Option<String>, ApiError> {
    let slot = Slot {
        start: starts_at.assume_utc(),
        end: ends_at.assume_utc(),
    };
    let price = session_price(conn, case, case.referral.service()?)?;
    match price(slot.minutes()) {
        Some(amount) => {
            let at = workflow::stored(OffsetDateTime::now_utc());
            Ok(Some(insert_session_charge(
                conn,
                &case.referral,
                &slot,
                amount,
                user_id,
                at,
            )?))
        }
        None => Ok(None),
    }
}

/// The session charge in pence for a session of so many minutes, or `None` where nothing is
/// charged (no session fee, or a funder pays).
pub fn session_price(
    conn: &mut AnyConnection,
    case: &Case,
    service: ServiceType,
) -> Result<impl Fn(u32) -> Option<i64>, ApiError> {
    let r = &case.referral;
    let tariff = workflow::current_tariff(conn, &r.centre_id, service)?.map(|(_, t)| t);
    let funded = r.funder.is_some();
    Ok(move |minutes: u32| {
        let tariff = tariff.as_ref()?;
        if funded {
            return None;
        }
        session_charge(tariff, minutes)
            .map(|m| m.pence())
            .filter(|p| *p > 0)
    })
}
