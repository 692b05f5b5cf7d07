//! Password guessing: after too many failed logins in a row for one e-mail address, further
//! attempts are refused for a while. Counted per address whether or not an account exists, so
//! the answer never reveals which addresses have accounts.

use time::{Duration, OffsetDateTime};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LockoutPolicy {
    pub max_failures: u32,
    pub lock_for: Duration,
}

impl Default for LockoutPolicy {
    /// Five wrong passwords in a row lock the address for fifteen minutes.
    fn default() -> Self {
        LockoutPolicy {
            max_failures: 5,
            lock_for: Duration::minutes(15),
        }
    }
}

/// Recent failed attempts for one address.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Attempts {
    pub failures: u32,
    pub locked_until: Option<OffsetDateTime>,
}

impl Attempts {
    /// How much longer the address stays locked, if it is.
    pub fn locked_for(&self, now: OffsetDateTime) -> Option<Duration> {
        self.locked_until
            .filter(|until| *until > now)
            .map(|until| until - now)
    }

    /// The state after another wrong password: the count restarts once a lock has expired,
    /// and reaching the limit locks the address and starts counting afresh.
    pub fn after_failure(self, now: OffsetDateTime, policy: LockoutPolicy) -> Attempts {
        let failures = match self.locked_until {
            Some(until) if until <= now => 1,
            _ => self.failures + 1,
        };
        if failures >= policy.max_failures {
            Attempts {
                failures: 0,
                locked_until: Some(now + policy.lock_for),
            }
        } else {
            Attempts {
                failures,
                locked_until: self.locked_until.filter(|until| *until > now),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-03-28 09:00 UTC);

    fn fail_times(n: u32, at: OffsetDateTime) -> Attempts {
        (0..n).fold(Attempts::default(), |a, _| {
            a.after_failure(at, LockoutPolicy::default())
        })
    }

    #[test]
    fn four_wrong_passwords_do_not_lock() {
        let a = fail_times(4, NOW);
        assert_eq!(a.failures, 4);
        assert_eq!(a.locked_for(NOW), None);
    }

    #[test]
    fn the_fifth_wrong_password_locks_for_fifteen_minutes() {
        let a = fail_times(5, NOW);
        assert_eq!(a.locked_for(NOW), Some(Duration::minutes(15)));
        assert_eq!(
            a.locked_for(NOW + Duration::minutes(14)),
            Some(Duration::minutes(1))
        );
        assert_eq!(a.locked_for(NOW + Duration::minutes(15)), None);
    }

    #[test]
    fn after_the_lock_expires_counting_starts_again() {
        let later = NOW + Duration::minutes(16);
        let a = fail_times(5, NOW).after_failure(later, LockoutPolicy::default());
        assert_eq!(
            a,
            Attempts {
                failures: 1,
                locked_until: None
            }
        );
    }
}
