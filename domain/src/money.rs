//! Money in pounds and pence. Stored and computed as whole pence so sums are exact; shown as a
//! decimal string with two places ("95.00"), never a float.

use std::fmt;
use std::str::FromStr;

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

/// Why a string is not an amount of money.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MoneyParseError {
    #[error("must be a decimal string in pounds such as \"95.00\"")]
    NotDecimal,
    #[error("must not be negative")]
    Negative,
    #[error("must have at most two decimal places (pence)")]
    TooManyDecimals,
    #[error("must be at most £10,000,000.00")]
    TooLarge,
}

impl FromStr for Money {
    type Err = MoneyParseError;

    /// Parses pounds as written by people and by this API: "95", "95.5", "95.00".
    /// Signs, exponents, separators and spaces are refused so nothing is ambiguous.
    fn from_str(s: &str) -> Result<Money, MoneyParseError> {
        let (digits, negative) = match s.strip_prefix('-') {
            Some(rest) => (rest, true),
            None => (s, false),
        };
        let (whole, frac) = match digits.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (digits, None),
        };
        let all_digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(whole) || frac.is_some_and(|f| !all_digits(f)) {
            return Err(MoneyParseError::NotDecimal);
        }
        if negative {
            return Err(MoneyParseError::Negative);
        }
        let frac = frac.unwrap_or("");
        if frac.len() > 2 {
            return Err(MoneyParseError::TooManyDecimals);
        }
        let whole = whole.trim_start_matches('0');
        if whole.len() > 8 {
            return Err(MoneyParseError::TooLarge);
        }
        let pounds: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| MoneyParseError::NotDecimal)?
        };
        let pence: i64 = match frac.len() {
            0 => 0,
            1 => {
                frac.parse::<i64>()
                    .map_err(|_| MoneyParseError::NotDecimal)?
                    * 10
            }
            _ => frac.parse().map_err(|_| MoneyParseError::NotDecimal)?,
        };
        let money = Money(pounds * 100 + pence);
        if money > MAX_INPUT {
            return Err(MoneyParseError::TooLarge);
        }
        Ok(money)
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
    fn reads_pounds_as_people_write_them() {
        assert_eq!("95".parse(), Ok(Money::pounds(95)));
        assert_eq!("95.5".parse(), Ok(Money::from_pence(9550)));
        assert_eq!("95.05".parse(), Ok(Money::from_pence(9505)));
        assert_eq!("0.00".parse(), Ok(Money::ZERO));
    }

    #[test]
    fn refuses_anything_ambiguous() {
        assert_eq!(
            "95.001".parse::<Money>(),
            Err(MoneyParseError::TooManyDecimals)
        );
        assert_eq!("-5.00".parse::<Money>(), Err(MoneyParseError::Negative));
        for bad in [
            "", ".5", "5.", "1e3", "£5", " 5", "5,000", "+5", "NaN", "--5",
        ] {
            assert_eq!(
                bad.parse::<Money>(),
                Err(MoneyParseError::NotDecimal),
                "{bad:?}"
            );
        }
        assert_eq!(
            "10000000.01".parse::<Money>(),
            Err(MoneyParseError::TooLarge)
        );
        assert_eq!(
            "99999999999999999999".parse::<Money>(),
            Err(MoneyParseError::TooLarge)
        );
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
        fn what_is_shown_reads_back_the_same(pence in 0i64..=MAX_INPUT.pence()) {
            let m = Money::from_pence(pence);
            prop_assert_eq!(m.to_string().parse::<Money>(), Ok(m));
        }

        #[test]
        fn whole_hours_are_exact(pence in 0i64..=MAX_INPUT.pence(), hours in 0u32..=24) {
            let m = Money::from_pence(pence);
            prop_assert_eq!(m.per_hour_for(hours * 60), m.checked_mul(hours));
        }
    }
}
