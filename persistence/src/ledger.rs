//! A case's charges and the payments, refunds and waivers recorded against them.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::AnyConnection;
use crate::error::parse_stored;
use crate::schema::{charges, ledger_entries};
use crate::StoreError;
use ccm_domain::referral::ledger::{ChargeDue, ChargeState, EntryKind, Payer};
use ccm_domain::Money;

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = charges, treat_none_as_default_value = false)]
pub struct Charge {
    pub id: String,
    pub referral_id: String,
    /// referral_fee, balance, session, item or cancellation.
    pub kind: String,
    pub description: String,
    pub amount_pence: i64,
    pub refundable: bool,
    /// A `Payer`.
    pub payer: String,
    pub funder: Option<String>,
    /// A `ChargeDue`.
    pub due: String,
    pub created_at: PrimitiveDateTime,
}

impl Charge {
    pub fn payer(&self) -> Result<Payer, StoreError> {
        parse_stored("charges.payer", &self.payer)
    }

    pub fn due(&self) -> Result<ChargeDue, StoreError> {
        parse_stored("charges.due", &self.due)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = ledger_entries, treat_none_as_default_value = false)]
pub struct Entry {
    pub id: String,
    pub referral_id: String,
    pub charge_id: String,
    /// An `EntryKind`.
    pub kind: String,
    pub amount_pence: i64,
    pub method: Option<String>,
    pub reference: Option<String>,
    /// Who paid (payments) or was repaid (refunds).
    pub payer: Option<String>,
    pub funder: Option<String>,
    pub reason: Option<String>,
    pub recorded_by: String,
    pub created_at: PrimitiveDateTime,
}

impl Entry {
    pub fn kind(&self) -> Result<EntryKind, StoreError> {
        parse_stored("ledger_entries.kind", &self.kind)
    }
}

pub fn insert_charge(conn: &mut AnyConnection, charge: &Charge) -> Result<(), StoreError> {
    diesel::insert_into(charges::table)
        .values(charge)
        .execute(conn)?;
    Ok(())
}

/// Several charges in one statement.
pub fn insert_charges(conn: &mut AnyConnection, charges: &[Charge]) -> Result<(), StoreError> {
    insert_rows!(conn, charges::table, charges)?;
    Ok(())
}

/// Several entries in one statement, unpublished: the caller publishes them as payment events
/// (see [`entry_change`] and [`crate::webhooks::publish`]).
pub fn insert_entries_unpublished(
    conn: &mut AnyConnection,
    entries: &[Entry],
) -> Result<(), StoreError> {
    insert_rows!(conn, ledger_entries::table, entries)?;
    Ok(())
}

/// The payment event an entry publishes, if it is one.
pub fn entry_change(entry: &Entry) -> Option<crate::webhooks::Change<'_>> {
    ccm_domain::events::payment_state(&entry.kind).map(|state| crate::webhooks::Change {
        referral_id: &entry.referral_id,
        kind: ccm_domain::events::EventKind::Payment,
        id: &entry.id,
        state,
        at: entry.created_at,
    })
}

/// Records money in or out; every entry is published as a payment event.
pub fn insert_entry(conn: &mut AnyConnection, entry: &Entry) -> Result<(), StoreError> {
    diesel::insert_into(ledger_entries::table)
        .values(entry)
        .execute(conn)?;
    match entry_change(entry) {
        Some(change) => crate::webhooks::emit(conn, change),
        None => Ok(()),
    }
}

pub fn charges(conn: &mut AnyConnection, referral_id: &str) -> Result<Vec<Charge>, StoreError> {
    Ok(charges::table
        .filter(charges::referral_id.eq(referral_id))
        .order(charges::id.asc())
        .select(Charge::as_select())
        .load(conn)?)
}

pub fn entries(conn: &mut AnyConnection, referral_id: &str) -> Result<Vec<Entry>, StoreError> {
    Ok(ledger_entries::table
        .filter(ledger_entries::referral_id.eq(referral_id))
        .order(ledger_entries::id.asc())
        .select(Entry::as_select())
        .load(conn)?)
}

/// Each charge with where it stands, from its entries.
pub fn states(
    conn: &mut AnyConnection,
    referral_id: &str,
) -> Result<Vec<(Charge, ChargeState)>, StoreError> {
    let entries = entries(conn, referral_id)?
        .into_iter()
        .map(|e| Ok((e.kind()?, e)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(charges(conn, referral_id)?
        .into_iter()
        .map(|c| {
            let state = ChargeState::from_entries(
                Money::from_pence(c.amount_pence),
                c.refundable,
                entries
                    .iter()
                    .filter(|(_, e)| e.charge_id == c.id)
                    .map(|(kind, e)| (*kind, Money::from_pence(e.amount_pence))),
            );
            (c, state)
        })
        .collect())
}
