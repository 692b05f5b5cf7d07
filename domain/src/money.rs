//! Money in pounds and pence. Stored and computed as whole pence so sums are exact; shown as a
//! decimal string with two places ("95.00"), never a float. Reading decimal input is the API's
//! job (rust_decimal at the edge); it hands over pence.

use std::fmt;

/// An amount of sterling in whole pence. May be negative only as the result of arithmetic
/// (a refund line); fees and prices parsed from input are never negative.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(i64);

/// The largest amount accepted as input: £10 million. Far above any contact-centre fee and far
/// below the point where sums of many lines could overflow 64-bit pence.
pub const MAX_INPUT: Money = Money(1_000_000_000);

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_pence(pence: i64) -> Money {
        Money(pence)
    }

    pub const fn pounds(pounds: i64) -> Money {
        Money(pounds * 100)
    }

    pub const fn pence(self) -> i64 {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    pub fn checked_mul(self, times: u32) -> Option<Money> {
        self.0.checked_mul(i64::from(times)).map(Money)
    }

    /// The amount for `minutes` at this hourly rate, rounded half up to the penny.
    pub fn per_hour_for(self, minutes: u32) -> Option<Money> {
        let scaled = self.0.checked_mul(i64::from(minutes))?;
        // Half up, away from zero for the (never expected) negative rate.
        let rounded = if scaled >= 0 {
            (scaled + 30) / 60
        } else {
            (scaled - 30) / 60
        };
        Some(Money(rounded))
    }

    /// Sums amounts, or `None` on overflow.
    pub fn sum<I: IntoIterator<Item = Money>>(amounts: I) -> Option<Money> {
        amounts
            .into_iter()
            .try_fold(Money::ZERO, |acc, m| acc.checked_add(m))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn shows_pounds_with_two_places() {
        assert_eq!(Money::pounds(95).to_string(), "95.00");
        assert_eq!(Money::from_pence(5).to_string(), "0.05");
        assert_eq!(Money::from_pence(-150).to_string(), "-1.50");
    }

    #[test]
    fn an_hourly_rate_is_charged_for_the_minutes_booked() {
        assert_eq!(
            Money::pounds(95).per_hour_for(120),
            Some(Money::pounds(190))
        );
        assert_eq!(
            Money::pounds(95).per_hour_for(90),
            Some(Money::from_pence(14250))
        );
        // £10.01 for 20 minutes is 333.666p: rounded half up to 334p.
        assert_eq!(
            Money::from_pence(1001).per_hour_for(20),
            Some(Money::from_pence(334))
        );
    }

    proptest! {
        #[test]
        fn whole_hours_are_exact(pence in 0i64..=MAX_INPUT.pence(), hours in 0u32..=24) {
            let m = Money::from_pence(pence);
            prop_assert_eq!(m.per_hour_for(hours * 60), m.checked_mul(hours));
        }
    }
}
