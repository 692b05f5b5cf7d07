//! When a pre-visit can be: ahead of now and while the centre is open, and held (so marked
//! attended) only once it has started.

use time::OffsetDateTime;

use crate::london;
use crate::opening::OpeningPattern;

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PreVisitTimeError {
    #[error("is in the past: book a pre-visit ahead")]
    InThePast,
    #[error("must end after it starts")]
    EndsBeforeStart,
    #[error("is outside the centre's opening hours")]
    CentreClosed,
    #[error("has not started yet: it can be marked attended once it has begun")]
    NotYetStarted,
}

impl PreVisitTimeError {
    /// The field of the booking at fault.
    pub fn field(self) -> &'static str {
        match self {
            PreVisitTimeError::EndsBeforeStart => "ends_at",
            _ => "starts_at",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            PreVisitTimeError::InThePast => "in_the_past",
            PreVisitTimeError::EndsBeforeStart => "before_start",
            PreVisitTimeError::CentreClosed => "centre_closed",
            PreVisitTimeError::NotYetStarted => "not_started",
        }
    }
}

/// A pre-visit from `starts_at` to `ends_at` can be booked `now` at a centre open `opening`:
/// not in the past, and wholly within one of the centre's local opening times.
pub fn check_booking(
    starts_at: OffsetDateTime,
    ends_at: OffsetDateTime,
    now: OffsetDateTime,
    opening: &OpeningPattern,
) -> Result<(), PreVisitTimeError> {
    if starts_at < now {
        return Err(PreVisitTimeError::InThePast);
    }
    if ends_at <= starts_at {
        return Err(PreVisitTimeError::EndsBeforeStart);
    }
    let (from, to) = (london::to_local(starts_at), london::to_local(ends_at));
    if from.date() != to.date() || !opening.is_open(from.date(), from.time(), to.time()) {
        return Err(PreVisitTimeError::CentreClosed);
    }
    Ok(())
}

/// A pre-visit starting at `starts_at` can be recorded as attended `now`.
pub fn check_attended(
    starts_at: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<(), PreVisitTimeError> {
    if now < starts_at {
        Err(PreVisitTimeError::NotYetStarted)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::opening::OpeningRule;
    use crate::Weekday;
    use time::macros::{datetime, time};

    fn saturday_mornings() -> OpeningPattern {
        OpeningPattern {
            rules: vec![OpeningRule {
                weekday: Weekday::Saturday,
                opens: time!(10:00),
                closes: time!(13:00),
                every_weeks: 1,
                starting: None,
            }],
        }
    }

    const NOW: OffsetDateTime = datetime!(2027-01-04 12:00 UTC);

    #[test]
    fn a_pre_visit_is_booked_ahead_while_the_centre_is_open() {
        let open = saturday_mornings();
        let (sat_10, sat_1045) = (
            datetime!(2027-01-09 10:00 UTC),
            datetime!(2027-01-09 10:45 UTC),
        );
        assert_eq!(check_booking(sat_10, sat_1045, NOW, &open), Ok(()));
        let last_saturday = datetime!(2027-01-02 10:00 UTC);
        assert_eq!(
            check_booking(
                last_saturday,
                last_saturday + time::Duration::minutes(45),
                NOW,
                &open
            ),
            Err(PreVisitTimeError::InThePast)
        );
        assert_eq!(
            check_booking(sat_10, sat_10, NOW, &open)
                .unwrap_err()
                .field(),
            "ends_at"
        );
    }

    #[test]
    fn not_outside_the_centres_opening_hours_in_local_time() {
        let open = saturday_mornings();
        let sunday = datetime!(2027-01-10 10:00 UTC);
        assert_eq!(
            check_booking(sunday, sunday + time::Duration::minutes(45), NOW, &open),
            Err(PreVisitTimeError::CentreClosed)
        );
        // 12:30 to 13:30 runs past closing.
        let late = datetime!(2027-01-09 12:30 UTC);
        assert_eq!(
            check_booking(late, late + time::Duration::hours(1), NOW, &open),
            Err(PreVisitTimeError::CentreClosed)
        );
        // In summer 09:30 UTC is 10:30 in London: open.
        let summer = datetime!(2027-07-03 09:30 UTC);
        assert_eq!(
            check_booking(summer, summer + time::Duration::minutes(45), NOW, &open),
            Ok(())
        );
    }

    #[test]
    fn attended_only_once_it_has_started() {
        let start = datetime!(2027-01-09 10:00 UTC);
        assert_eq!(
            check_attended(start, NOW),
            Err(PreVisitTimeError::NotYetStarted)
        );
        assert_eq!(check_attended(start, start), Ok(()));
    }
}
