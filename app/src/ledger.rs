//! A case's ledger: reading it (staff who handle money, and the paying parent) and recording
//! money against one charge (a payment, a refund, a funder's waiver, a payer's credit used).
//! Every kind goes through one [`record`]: the case is locked, the caller checked, the charge's
//! state asked in `ccm-domain` whether the amount fits, the entry written, then the fee gate the
//! case waits at opened and the sessions now paid for confirmed.

use time::OffsetDateTime;

use ccm_domain::referral::disclosure;
use ccm_domain::referral::ledger::{ChargeState, EntryKind, LedgerError, Payer};
use ccm_domain::referral::PartyRole;
use ccm_domain::{Funder, Money, Role};
use ccm_persistence::ledger as store;
pub use ccm_persistence::ledger::{Charge, Entry};
use ccm_persistence::{new_id, AnyConnection};

use crate::cases::{self, workflow};
use crate::clock::stored;
use crate::{credit, sessions, Actor, AppError, ProblemType};

/// The roles that record money.
const MONEY_ROLES: &[Role] = &[Role::OrgAdmin, Role::Coordinator, Role::Finance];

/// A case's charges with where each stands, and its entries, oldest first.
pub struct Ledger {
    pub referral_id: String,
    pub charges: Vec<(Charge, ChargeState)>,
    pub entries: Vec<Entry>,
}

/// Money to record against one charge of the case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MoneyCmd {
    pub charge_id: String,
    pub kind: Movement,
}

/// What moves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Movement {
    /// Paid by `payer` (the charge's payer when `None`).
    Payment {
        amount: Money,
        method: String,
        payer: Option<Payer>,
        reference: Option<String>,
    },
    /// Repaid to `payer` (the charge's payer when `None`).
    Refund {
        amount: Money,
        reason: String,
        payer: Option<Payer>,
    },
    /// A funder covers what is still owed.
    Waiver { funder: Funder, reason: String },
    /// Settled from the payer's credit: as much as it and the charge allow when `None`.
    CreditUse { amount: Option<Money> },
}

/// The case's ledger, for staff who handle money and the paying parent.
pub fn read(
    conn: &mut AnyConnection,
    actor: &Actor,
    referral_id: &str,
) -> Result<Ledger, AppError> {
    let case = cases::load(conn, referral_id, actor, false)?;
    let payer =
        case.relation.party == Some(PartyRole::NonResidentParent) && case.referral.funder.is_none();
    if !disclosure::case(case.relation.viewer, payer).ledger {
        return Err(AppError::forbidden(
            "the ledger is for staff who handle money and the paying parent",
        ));
    }
    of(conn, &case.referral.id)
}

fn of(conn: &mut AnyConnection, referral_id: &str) -> Result<Ledger, AppError> {
    Ok(Ledger {
        referral_id: referral_id.to_string(),
        charges: store::states(conn, referral_id)?,
        entries: store::entries(conn, referral_id)?,
    })
}

/// Records money against one charge, opens the fee gate the case waits at if nothing more is
/// owed there, confirms the sessions now paid for, and returns the ledger after it.
pub fn record(
    conn: &mut AnyConnection,
    actor: &Actor,
    referral_id: &str,
    cmd: MoneyCmd,
) -> Result<Ledger, AppError> {
    let case = cases::load(conn, referral_id, actor, true)?;
    if !case.relation.is_staff(MONEY_ROLES) {
        return Err(AppError::forbidden(
            "only the provider's finance, coordinators and org admins record money",
        ));
    }
    let states = store::states(conn, &case.referral.id)?;
    let Some((charge, state)) = states.iter().find(|(c, _)| c.id == cmd.charge_id) else {
        return Err(AppError::invalid(
            "charge_id",
            "not_found",
            "no such charge on this referral",
        ));
    };
    let held = credit::held(&states, charge.payer()?);
    let mut entry = entry_for(charge, state, held, cmd.kind)?;
    entry.referral_id = case.referral.id.clone();
    entry.charge_id = cmd.charge_id;
    entry.recorded_by = actor.user_id.clone();
    store::insert_entry(conn, &entry)?;
    let now = OffsetDateTime::now_utc();
    workflow::settle_gates(conn, case.referral.clone(), now)?;
    sessions::confirm_paid(conn, &case.referral.id, now)?;
    of(conn, &case.referral.id)
}

/// The entry `kind` makes on `charge`, if its state allows the amount.
fn entry_for(
    charge: &Charge,
    state: &ChargeState,
    held: Money,
    kind: Movement,
) -> Result<Entry, AppError> {
    let payer_or = |given: Option<Payer>| {
        given
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| charge.payer.clone())
    };
    Ok(match kind {
        Movement::Payment {
            amount,
            method,
            payer,
            reference,
        } => {
            state.check_payment(amount).map_err(amount_error)?;
            Entry {
                method: Some(method),
                reference,
                payer: Some(payer_or(payer)),
                ..entry(EntryKind::Payment, amount)
            }
        }
        Movement::Refund {
            amount,
            reason,
            payer,
        } => {
            let kind = state.check_refund(amount, held).map_err(amount_error)?;
            Entry {
                reason: Some(reason),
                payer: Some(payer_or(payer)),
                ..entry(kind, amount)
            }
        }
        Movement::Waiver { funder, reason } => {
            let owed = state.check_waiver().map_err(amount_error)?;
            Entry {
                funder: Some(funder.as_str().into()),
                reason: Some(reason),
                ..entry(EntryKind::Waiver, owed)
            }
        }
        Movement::CreditUse { amount } => {
            let amount = state.check_credit_use(amount, held).map_err(amount_error)?;
            Entry {
                payer: Some(charge.payer.clone()),
                reason: Some("settled from the payer's credit".into()),
                ..entry(EntryKind::CreditUsed, amount)
            }
        }
    })
}

fn entry(kind: EntryKind, amount: Money) -> Entry {
    Entry {
        id: new_id(),
        referral_id: String::new(),
        charge_id: String::new(),
        kind: kind.as_str().to_string(),
        amount_pence: amount.pence(),
        method: None,
        reference: None,
        payer: None,
        funder: None,
        reason: None,
        recorded_by: String::new(),
        created_at: stored(OffsetDateTime::now_utc()),
    }
}

fn amount_error(e: LedgerError) -> AppError {
    match e {
        LedgerError::NotRefundable => AppError::conflict(ProblemType::NotRefundable, e.to_string()),
        LedgerError::NothingOwed => AppError::conflict(ProblemType::NothingOwed, e.to_string()),
        LedgerError::NoCredit => AppError::conflict(ProblemType::NoCredit, e.to_string()),
        other => AppError::invalid("amount", "amount", other.to_string()),
    }
}
