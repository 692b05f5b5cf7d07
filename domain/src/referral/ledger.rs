//! A case's money: charges raised from the tariff, and payments, refunds and waivers against
//! each charge. Every amount is whole pence and every balance is a sum of entries, so totals
//! always reconcile.

use crate::money::Money;

string_enum! {
    /// Who pays a charge, or who made a payment.
    Payer {
        NonResidentParent = "non_resident_parent",
        ResidentParent = "resident_parent",
        /// Cafcass, a local authority, a court or a charity's own fund.
        Funder = "funder",
        /// Someone else on the family's behalf (a grandparent, a solicitor's client account).
        Other = "other",
    }
}

string_enum! {
    /// When a charge falls due: the same words on a quote's lines and on the ledger's charges.
    ChargeDue {
        OnReferral = "on_referral",
        /// Once the suitability assessment is done and a place is available; before contact starts.
        OnPlaceOffered = "on_place_offered",
        /// Before the session it pays for (each session, on a quote of several).
        BeforeSession = "before_session",
        /// Before the indirect item it pays for is sent on.
        BeforeSending = "before_sending",
        /// When a parent cancels a session: the cancellation fee.
        OnCancellation = "on_cancellation",
    }
}

/// What one payer has been charged and where it stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PayerBalance {
    pub payer: Payer,
    pub charged: Money,
    pub paid: Money,
    pub refunded: Money,
    pub waived: Money,
    pub outstanding: Money,
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
                out.push(PayerBalance {
                    payer,
                    charged: Money::ZERO,
                    paid: Money::ZERO,
                    refunded: Money::ZERO,
                    waived: Money::ZERO,
                    outstanding: Money::ZERO,
                });
                out.len() - 1
            }
        };
        let b = &mut out[i];
        let add = |a: Money, x: Money| Money::from_pence(a.pence() + x.pence());
        b.charged = add(b.charged, c.amount);
        b.paid = add(b.paid, c.paid);
        b.refunded = add(b.refunded, c.refunded);
        b.waived = add(b.waived, c.waived);
        b.outstanding = add(b.outstanding, c.outstanding());
    }
    out
}

/// Where one charge stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChargeState {
    pub amount: Money,
    pub refundable: bool,
    pub paid: Money,
    pub refunded: Money,
    pub waived: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error("must be more than 0.00")]
    NotPositive,
    #[error("is more than the {0} still owed on this charge")]
    MoreThanOwed(Money),
    #[error("is more than the {0} paid and not yet refunded")]
    MoreThanPaid(Money),
    #[error("this fee is not refundable")]
    NotRefundable,
    #[error("nothing is owed on this charge")]
    NothingOwed,
}

impl ChargeState {
    /// What is still owed: the amount, less payments and waivers, plus refunds.
    pub fn outstanding(&self) -> Money {
        Money::from_pence(
            self.amount.pence() - self.paid.pence() + self.refunded.pence() - self.waived.pence(),
        )
    }

    /// What could be refunded: paid and not refunded already.
    pub fn refundable_amount(&self) -> Money {
        Money::from_pence(self.paid.pence() - self.refunded.pence())
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

    pub fn check_refund(&self, amount: Money) -> Result<(), LedgerError> {
        if !self.refundable {
            return Err(LedgerError::NotRefundable);
        }
        if amount <= Money::ZERO {
            return Err(LedgerError::NotPositive);
        }
        if amount > self.refundable_amount() {
            return Err(LedgerError::MoreThanPaid(self.refundable_amount()));
        }
        Ok(())
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
mod tests {
    use super::*;

    fn balance_110(refundable: bool) -> ChargeState {
        ChargeState {
            amount: Money::pounds(110),
            refundable,
            ..Default::default()
        }
    }

    #[test]
    fn a_payment_must_be_positive_and_no_more_than_is_owed() {
        let c = balance_110(true);
        assert_eq!(c.check_payment(Money::ZERO), Err(LedgerError::NotPositive));
        assert_eq!(
            c.check_payment(Money::from_pence(-1)),
            Err(LedgerError::NotPositive)
        );
        assert_eq!(
            c.check_payment(Money::from_pence(11001)),
            Err(LedgerError::MoreThanOwed(Money::pounds(110)))
        );
        assert_eq!(c.check_payment(Money::pounds(110)), Ok(()));
    }

    #[test]
    fn part_payments_and_refunds_move_what_is_owed() {
        let c = ChargeState {
            paid: Money::pounds(60),
            refunded: Money::pounds(10),
            ..balance_110(true)
        };
        assert_eq!(c.outstanding(), Money::pounds(60));
        assert_eq!(c.refundable_amount(), Money::pounds(50));
        assert_eq!(
            c.check_refund(Money::pounds(51)),
            Err(LedgerError::MoreThanPaid(Money::pounds(50)))
        );
    }

    #[test]
    fn an_admin_fee_is_never_refunded() {
        let admin = ChargeState {
            amount: Money::pounds(30),
            refundable: false,
            paid: Money::pounds(30),
            ..Default::default()
        };
        assert_eq!(
            admin.check_refund(Money::pounds(30)),
            Err(LedgerError::NotRefundable)
        );
    }

    #[test]
    fn a_waiver_clears_what_is_owed_and_nothing_more() {
        let c = ChargeState {
            paid: Money::pounds(10),
            ..balance_110(false)
        };
        assert_eq!(c.check_waiver(), Ok(Money::pounds(100)));
        let settled = ChargeState {
            waived: Money::pounds(100),
            ..c
        };
        assert_eq!(settled.outstanding(), Money::ZERO);
        assert_eq!(settled.check_waiver(), Err(LedgerError::NothingOwed));
    }

    #[test]
    fn balances_per_payer_add_up_to_the_case_totals() {
        let fee = ChargeState {
            paid: Money::from_pence(3000),
            ..ChargeState {
                amount: Money::from_pence(3000),
                ..Default::default()
            }
        };
        let balance = balance_110(true);
        let funded = ChargeState {
            amount: Money::from_pence(19000),
            waived: Money::from_pence(19000),
            ..Default::default()
        };
        let rows = balances_by_payer([
            (Payer::NonResidentParent, &fee),
            (Payer::Funder, &funded),
            (Payer::NonResidentParent, &balance),
        ]);
        assert_eq!(rows.len(), 2);
        let nrp = rows[0];
        assert_eq!(nrp.payer, Payer::NonResidentParent);
        assert_eq!(nrp.charged, Money::from_pence(14000));
        assert_eq!(nrp.outstanding, Money::from_pence(11000));
        assert_eq!(rows[1].outstanding, Money::ZERO);
        let total: i64 = rows.iter().map(|r| r.outstanding.pence()).sum();
        let direct: i64 = [fee, balance, funded]
            .iter()
            .map(|c| c.outstanding().pence())
            .sum();
        assert_eq!(total, direct);
    }
}
