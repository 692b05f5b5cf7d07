//! Attendance: how late someone was against their own planned time, and when a handover
//! family's lateness has become the consistent failure that ends the service.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Minutes after `expected` that `actual` was; 0 when on time or early.
pub fn lateness_minutes(expected: OffsetDateTime, actual: OffsetDateTime) -> u32 {
    u32::try_from((actual - expected).whole_minutes().max(0)).unwrap_or(u32::MAX)
}

/// How a party did at one session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Turnout {
    Attended { late_minutes: u32 },
    NoShow,
}

/// A provider's rule for handover timekeeping: late by more than `threshold_minutes` (or
/// absent) at `strikes` of the last `window` sessions flags the case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatenessPolicy {
    pub threshold_minutes: u32,
    pub strikes: u32,
    pub window: u32,
}

impl Default for LatenessPolicy {
    fn default() -> Self {
        LatenessPolicy {
            threshold_minutes: 10,
            strikes: 3,
            window: 5,
        }
    }
}

/// Whether a party's recent turnout (most recent first) breaks the policy.
pub fn persistently_late(recent: &[Turnout], policy: LatenessPolicy) -> bool {
    let strikes = recent
        .iter()
        .take(usize::try_from(policy.window).unwrap_or(usize::MAX))
        .filter(|t| match t {
            Turnout::NoShow => true,
            Turnout::Attended { late_minutes } => *late_minutes > policy.threshold_minutes,
        })
        .count();
    policy.strikes > 0 && strikes >= usize::try_from(policy.strikes).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;
    use time::Duration;

    #[test]
    fn lateness_counts_whole_minutes_after_the_planned_time() {
        let at = datetime!(2027-01-09 09:15 UTC);
        assert_eq!(lateness_minutes(at, at + Duration::minutes(12)), 12);
        assert_eq!(lateness_minutes(at, at - Duration::minutes(5)), 0);
    }

    #[test]
    fn three_late_or_missed_handovers_in_the_last_five_flag_the_case() {
        let late = Turnout::Attended { late_minutes: 25 };
        let on_time = Turnout::Attended { late_minutes: 3 };
        let policy = LatenessPolicy::default();
        assert!(!persistently_late(
            &[late, on_time, late, on_time, on_time],
            policy
        ));
        assert!(persistently_late(
            &[late, on_time, Turnout::NoShow, late],
            policy
        ));
        assert!(
            !persistently_late(
                &[on_time; 5]
                    .iter()
                    .copied()
                    .chain([late, late, late])
                    .collect::<Vec<_>>(),
                policy
            ),
            "only the last five count"
        );
        assert!(
            !persistently_late(&[Turnout::Attended { late_minutes: 10 }; 5], policy),
            "late by the threshold itself is not beyond it"
        );
    }
}
