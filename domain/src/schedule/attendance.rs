//! Attendance: how late someone was against their own planned time, and when a handover
//! family's lateness has become the consistent failure that ends the service.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::Slot;

/// How far either side of a session a check-in or check-out may be recorded: a parent can
/// be early, and a late check-out is still part of the session.
pub const ATTENDANCE_MARGIN: Duration = Duration::hours(2);

/// One parent's actual turnout at a session so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PartyAttendance {
    pub arrived_at: Option<OffsetDateTime>,
    pub departed_at: Option<OffsetDateTime>,
    pub no_show: bool,
}

/// Why an attendance record is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AttendanceError {
    #[error("is in the future")]
    InFuture,
    #[error("is more than two hours away from the session")]
    OutsideSession,
    #[error("this parent has already checked in")]
    AlreadyArrived,
    #[error("this parent was marked as not attending")]
    MarkedAbsent,
    #[error("this parent has not checked in")]
    NotArrived,
    #[error("this parent has already checked out")]
    AlreadyDeparted,
    #[error("must be after the check-in")]
    BeforeArrival,
}

impl AttendanceError {
    /// Whether the record conflicts with what is already recorded (409) rather than being a
    /// bad time (422).
    pub fn is_conflict(&self) -> bool {
        !matches!(
            self,
            AttendanceError::InFuture
                | AttendanceError::OutsideSession
                | AttendanceError::BeforeArrival
        )
    }
}

fn plausible(slot: &Slot, at: OffsetDateTime, now: OffsetDateTime) -> Result<(), AttendanceError> {
    if at > now + Duration::minutes(5) {
        return Err(AttendanceError::InFuture);
    }
    if at < slot.start - ATTENDANCE_MARGIN || at > slot.end + ATTENDANCE_MARGIN {
        return Err(AttendanceError::OutsideSession);
    }
    Ok(())
}

impl PartyAttendance {
    pub fn check_in(
        self,
        slot: &Slot,
        at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<PartyAttendance, AttendanceError> {
        if self.no_show {
            return Err(AttendanceError::MarkedAbsent);
        }
        if self.arrived_at.is_some() {
            return Err(AttendanceError::AlreadyArrived);
        }
        plausible(slot, at, now)?;
        Ok(PartyAttendance {
            arrived_at: Some(at),
            ..self
        })
    }

    pub fn check_out(
        self,
        slot: &Slot,
        at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<PartyAttendance, AttendanceError> {
        let Some(arrived) = self.arrived_at else {
            return Err(if self.no_show {
                AttendanceError::MarkedAbsent
            } else {
                AttendanceError::NotArrived
            });
        };
        if self.departed_at.is_some() {
            return Err(AttendanceError::AlreadyDeparted);
        }
        plausible(slot, at, now)?;
        if at < arrived {
            return Err(AttendanceError::BeforeArrival);
        }
        Ok(PartyAttendance {
            departed_at: Some(at),
            ..self
        })
    }

    /// A parent who did not come. Only before they checked in, and not before the session
    /// has started (until then they may still come).
    pub fn no_show(
        self,
        slot: &Slot,
        now: OffsetDateTime,
    ) -> Result<PartyAttendance, AttendanceError> {
        if self.arrived_at.is_some() {
            return Err(AttendanceError::AlreadyArrived);
        }
        if self.no_show {
            return Err(AttendanceError::MarkedAbsent);
        }
        if now < slot.start {
            return Err(AttendanceError::InFuture);
        }
        Ok(PartyAttendance {
            no_show: true,
            ..self
        })
    }

    /// Checked out or absent: nothing more to record for this parent.
    pub fn accounted_for(&self) -> bool {
        self.no_show || self.departed_at.is_some()
    }
}

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

impl LatenessPolicy {
    /// Whether the rule can ever flag a case: it cannot need more strikes than the sessions it
    /// looks at.
    pub fn is_coherent(&self) -> bool {
        self.strikes <= self.window
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

    #[test]
    fn a_lateness_rule_needs_no_more_strikes_than_sessions_it_looks_at() {
        let rule = |strikes, window| LatenessPolicy {
            threshold_minutes: 10,
            strikes,
            window,
        };
        assert!(rule(3, 5).is_coherent());
        assert!(rule(5, 5).is_coherent());
        assert!(!rule(6, 5).is_coherent());
        assert!(LatenessPolicy::default().is_coherent());
    }

    fn saturday() -> Slot {
        Slot::new(
            datetime!(2027-01-09 10:00 UTC),
            datetime!(2027-01-09 12:00 UTC),
        )
        .unwrap()
    }

    #[test]
    fn a_parent_checks_in_then_out_once_each() {
        let slot = saturday();
        let now = datetime!(2027-01-09 13:00 UTC);
        let a = PartyAttendance::default()
            .check_in(&slot, datetime!(2027-01-09 10:20 UTC), now)
            .unwrap();
        assert_eq!(
            a.check_in(&slot, datetime!(2027-01-09 10:21 UTC), now),
            Err(AttendanceError::AlreadyArrived)
        );
        assert_eq!(
            a.check_out(&slot, datetime!(2027-01-09 10:00 UTC), now),
            Err(AttendanceError::BeforeArrival)
        );
        let a = a
            .check_out(&slot, datetime!(2027-01-09 12:05 UTC), now)
            .unwrap();
        assert!(a.accounted_for());
        assert_eq!(
            a.check_out(&slot, datetime!(2027-01-09 12:06 UTC), now),
            Err(AttendanceError::AlreadyDeparted)
        );
    }

    #[test]
    fn times_are_real_and_near_the_session() {
        let slot = saturday();
        let now = datetime!(2027-01-09 10:00 UTC);
        let none = PartyAttendance::default();
        assert_eq!(
            none.check_in(&slot, datetime!(2027-01-09 11:00 UTC), now),
            Err(AttendanceError::InFuture)
        );
        assert_eq!(
            none.check_in(&slot, datetime!(2027-01-09 07:00 UTC), now),
            Err(AttendanceError::OutsideSession)
        );
        assert_eq!(
            none.check_out(&slot, now, now),
            Err(AttendanceError::NotArrived)
        );
    }

    #[test]
    fn a_no_show_is_marked_once_the_session_has_started_and_only_for_someone_not_there() {
        let slot = saturday();
        let none = PartyAttendance::default();
        assert_eq!(
            none.no_show(&slot, datetime!(2027-01-09 09:59 UTC)),
            Err(AttendanceError::InFuture)
        );
        let absent = none
            .no_show(&slot, datetime!(2027-01-09 10:30 UTC))
            .unwrap();
        assert!(absent.accounted_for());
        assert_eq!(
            absent.check_in(
                &slot,
                datetime!(2027-01-09 10:40 UTC),
                datetime!(2027-01-09 10:45 UTC)
            ),
            Err(AttendanceError::MarkedAbsent)
        );
        let here = none
            .check_in(
                &slot,
                datetime!(2027-01-09 10:00 UTC),
                datetime!(2027-01-09 10:00 UTC),
            )
            .unwrap();
        assert_eq!(
            here.no_show(&slot, datetime!(2027-01-09 10:30 UTC)),
            Err(AttendanceError::AlreadyArrived)
        );
    }

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
