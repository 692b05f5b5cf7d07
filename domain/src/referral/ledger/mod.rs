//! A case's money: charges raised from the tariff, and payments, refunds and waivers against
//! each charge. Every amount is whole pence and every balance is a sum of entries, so totals
//! always reconcile.

use crate::money::Money;
pub use crate::money::{ChargeDue, Payer};

string_enum! {
    /// What a ledger entry records against a charge.
    EntryKind {
        Payment = "payment",
        Refund = "refund",
        /// What is no longer owed: a funder's cover, or a session that will not happen.
        Waiver = "waiver",
        /// What had been paid on a charge written off, moved to its payer's credit.
        Credit = "credit",
        /// Some of the payer's credit settling this charge.
        CreditUsed = "credit_used",
        /// Some of the payer's credit repaid to them, recorded on the charge it came from.
        CreditRefund = "credit_refund",
    }
}

/// What one payer has been charged and where it stands. For every payer
/// `paid - refunded - credit = charged - waived - outstanding`: what the centre keeps from a
/// payer is exactly what settles that payer's charges still standing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PayerBalance {
    pub payer: Payer,
    pub charged: Money,
    /// Money received.
    pub paid: Money,
    /// Money repaid, from a charge or from credit.
    pub refunded: Money,
    pub waived: Money,
    /// Paid for sessions that did not happen, not yet used or refunded.
    pub credit: Money,
    pub outstanding: Money,
}

impl PayerBalance {
    fn new(payer: Payer) -> Self {
        PayerBalance {
            payer,
            charged: Money::ZERO,
            paid: Money::ZERO,
            refunded: Money::ZERO,
            waived: Money::ZERO,
            credit: Money::ZERO,
            outstanding: Money::ZERO,
        }
    }
}

fn add(a: Money, b: Money) -> Money {
    Money::from_pence(a.pence() + b.pence())
}

fn sub(a: Money, b: Money) -> Money {
    Money::from_pence(a.pence() - b.pence())
}

/// Sums each payer's charges, in the order payers first appear. The balances add up to the
/// case's totals because each charge belongs to exactly one payer.
pub fn balances_by_payer<'a>(
    charges: impl IntoIterator<Item = (Payer, &'a ChargeState)>,
) -> Vec<PayerBalance> {
    let mut out: Vec<PayerBalance> = Vec::new();
    for (payer, c) in charges {
        let i = match out.iter().position(|b| b.payer == payer) {
            Some(i) => i,
            None => {
                out.push(PayerBalance::new(payer));
                out.len() - 1
            }
        };
        let b = &mut out[i];
        b.charged = add(b.charged, c.amount);
        b.paid = add(b.paid, c.paid);
        b.refunded = add(b.refunded, add(c.refunded, c.credit_refunded));
        b.waived = add(b.waived, c.waived);
        b.credit = add(b.credit, sub(c.credit_left(), c.credit_used));
        b.outstanding = add(b.outstanding, c.outstanding());
    }
    out
}

/// The credit `payer` holds across the case's charges.
pub fn credit_held<'a>(
    payer: Payer,
    charges: impl IntoIterator<Item = (Payer, &'a ChargeState)>,
) -> Money {
    balances_by_payer(charges)
        .into_iter()
        .find(|b| b.payer == payer)
        .map_or(Money::ZERO, |b| b.credit)
}

/// Where one charge stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChargeState {
    pub amount: Money,
    pub refundable: bool,
    pub paid: Money,
    pub refunded: Money,
    pub waived: Money,
    /// Moved to the payer's credit when the charge was written off.
    pub credited: Money,
    /// The payer's credit used to settle this charge.
    pub credit_used: Money,
    /// Of what this charge credited, repaid to the payer.
    pub credit_refunded: Money,
}

/// Writing a charge off: what moves to the payer's credit, and what is waived.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WriteOff {
    pub credit: Money,
    pub waive: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error("must be more than 0.00")]
    NotPositive,
    #[error("is more than the {0} still owed on this charge")]
    MoreThanOwed(Money),
    #[error("is more than the {0} paid and not yet refunded")]
    MoreThanPaid(Money),
    #[error("is more than the {0} of credit available")]
    MoreThanCredit(Money),
    #[error("this fee is not refundable")]
    NotRefundable,
    #[error("nothing is owed on this charge")]
    NothingOwed,
    #[error("the payer holds no credit")]
    NoCredit,
}

/// What a case still owes over all its charges, from their amounts and its entries summed by
/// kind. A charge's outstanding is its amount plus or minus each entry, so these totals give
/// the sum of the charges' own outstanding amounts.
pub fn outstanding_in_total(
    charged: Money,
    entries: impl IntoIterator<Item = (EntryKind, Money)>,
) -> Money {
    ChargeState::from_entries(charged, false, entries).outstanding()
}

impl ChargeState {
    /// Where a charge stands after its entries.
    pub fn from_entries(
        amount: Money,
        refundable: bool,
        entries: impl IntoIterator<Item = (EntryKind, Money)>,
    ) -> Self {
        let mut s = ChargeState {
            amount,
            refundable,
            ..Default::default()
        };
        for (kind, m) in entries {
            s.record(kind, m);
        }
        s
    }

    pub fn record(&mut self, kind: EntryKind, m: Money) {
        let field = match kind {
            EntryKind::Payment => &mut self.paid,
            EntryKind::Refund => &mut self.refunded,
            EntryKind::Waiver => &mut self.waived,
            EntryKind::Credit => &mut self.credited,
            EntryKind::CreditUsed => &mut self.credit_used,
            EntryKind::CreditRefund => &mut self.credit_refunded,
        };
        *field = add(*field, m);
    }

    /// What the payer's money still settles here: paid and credit used, less refunds and
    /// what moved back to credit.
    pub fn settled(&self) -> Money {
        sub(
            add(self.paid, self.credit_used),
            add(self.refunded, self.credited),
        )
    }

    /// What is still owed: the amount, less what settles it and what is waived.
    pub fn outstanding(&self) -> Money {
        sub(sub(self.amount, self.settled()), self.waived)
    }

    /// Of what this charge credited, what the payer has not had back.
    fn credit_left(&self) -> Money {
        sub(self.credited, self.credit_refunded)
    }

    /// What could be refunded in money: paid and not refunded already.
    pub fn refundable_amount(&self) -> Money {
        sub(self.paid, self.refunded)
    }

    /// A charge for a session that will not happen is owed by nobody; whatever the payer's
    /// money settled on it becomes their credit, never another payer's.
    pub fn write_off(&self) -> WriteOff {
        let credit = self.settled().max(Money::ZERO);
        WriteOff {
            credit,
            waive: sub(self.amount, self.waived).max(Money::ZERO),
        }
    }

    pub fn check_payment(&self, amount: Money) -> Result<(), LedgerError> {
        if amount <= Money::ZERO {
            return Err(LedgerError::NotPositive);
        }
        if amount > self.outstanding() {
            return Err(LedgerError::MoreThanOwed(self.outstanding()));
        }
        Ok(())
    }

    /// A refund on a charge written off repays the payer's credit from it (`CreditRefund`),
    /// however the charge was priced; otherwise money paid on a refundable charge (`Refund`).
    pub fn check_refund(&self, amount: Money, credit: Money) -> Result<EntryKind, LedgerError> {
        if amount <= Money::ZERO {
            return Err(LedgerError::NotPositive);
        }
        if self.credited > Money::ZERO {
            let left = self.credit_left().min(credit);
            if amount > left {
                return Err(LedgerError::MoreThanCredit(left));
            }
            return Ok(EntryKind::CreditRefund);
        }
        if !self.refundable {
            return Err(LedgerError::NotRefundable);
        }
        if amount > self.refundable_amount() {
            return Err(LedgerError::MoreThanPaid(self.refundable_amount()));
        }
        Ok(EntryKind::Refund)
    }

    /// How much of the payer's `credit` settles this charge: `amount` if given, else all it can.
    pub fn check_credit_use(
        &self,
        amount: Option<Money>,
        credit: Money,
    ) -> Result<Money, LedgerError> {
        if credit <= Money::ZERO {
            return Err(LedgerError::NoCredit);
        }
        if self.outstanding() <= Money::ZERO {
            return Err(LedgerError::NothingOwed);
        }
        let amount = amount.unwrap_or(credit.min(self.outstanding()));
        if amount <= Money::ZERO {
            return Err(LedgerError::NotPositive);
        }
        if amount > credit {
            return Err(LedgerError::MoreThanCredit(credit));
        }
        self.check_payment(amount)?;
        Ok(amount)
    }

    /// A funder waives what is still owed.
    pub fn check_waiver(&self) -> Result<Money, LedgerError> {
        match self.outstanding() {
            m if m > Money::ZERO => Ok(m),
            _ => Err(LedgerError::NothingOwed),
        }
    }
}

#[cfg(test)]
mod tests;
