//! A payer's credit: what they had paid for a session that will not happen, kept on their own
//! account (never another payer's). It settles their next charge as it is raised, any charge of
//! theirs on request, or is refunded.

use time::PrimitiveDateTime;

use crate::AppError;
use ccm_domain::referral::ledger::{credit_held, ChargeState, EntryKind, Payer};
use ccm_domain::Money;
use ccm_persistence::ledger::{self, Charge, Entry};
use ccm_persistence::{new_id, AnyConnection};

/// The credit `payer` holds on the case, from its charges' states.
pub fn held(states: &[(Charge, ChargeState)], payer: Payer) -> Money {
    credit_held(
        payer,
        states
            .iter()
            .map(|(c, s)| (c.payer().unwrap_or(Payer::Other), s)),
    )
}

/// An entry against `charge` on its payer's account.
pub fn entry(
    charge: &Charge,
    kind: EntryKind,
    amount: Money,
    reason: &str,
    user_id: &str,
    at: PrimitiveDateTime,
) -> Entry {
    Entry {
        id: new_id(),
        referral_id: charge.referral_id.clone(),
        charge_id: charge.id.clone(),
        kind: kind.as_str().into(),
        amount_pence: amount.pence(),
        method: None,
        reference: None,
        payer: Some(charge.payer.clone()),
        funder: None,
        reason: Some(reason.into()),
        recorded_by: user_id.to_string(),
        created_at: at,
    }
}

/// Settles a newly raised charge from its payer's credit, as far as the credit goes.
pub fn settle_new_charge(
    conn: &mut AnyConnection,
    referral_id: &str,
    charge_id: &str,
    user_id: &str,
    at: PrimitiveDateTime,
) -> Result<(), AppError> {
    let states = ledger::states(conn, referral_id)?;
    let Some((charge, state)) = states.iter().find(|(c, _)| c.id == charge_id) else {
        return Ok(());
    };
    let credit = held(&states, charge.payer()?);
    // No credit, or nothing owed: the charge stands as raised.
    if let Ok(amount) = state.check_credit_use(None, credit) {
        let e = entry(
            charge,
            EntryKind::CreditUsed,
            amount,
            "settled from the payer's credit",
            user_id,
            at,
        );
        ledger::insert_entry(conn, &e)?;
    }
    Ok(())
}

/// Writes off a charge for a session that will not happen: nothing on it is owed any more, and
/// whatever its payer's money settled on it becomes their credit.
pub fn write_off(
    conn: &mut AnyConnection,
    referral_id: &str,
    charge_id: &str,
    reason: &str,
    user_id: &str,
    at: PrimitiveDateTime,
) -> Result<(), AppError> {
    let states = ledger::states(conn, referral_id)?;
    let Some((charge, state)) = states.iter().find(|(c, _)| c.id == charge_id) else {
        return Ok(());
    };
    let w = state.write_off();
    for (kind, amount) in [(EntryKind::Credit, w.credit), (EntryKind::Waiver, w.waive)] {
        if amount > Money::ZERO {
            ledger::insert_entry(conn, &entry(charge, kind, amount, reason, user_id, at))?;
        }
    }
    Ok(())
}
