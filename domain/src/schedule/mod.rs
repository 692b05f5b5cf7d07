//! Sessions in time: series of dated sessions in Europe/London wall-clock time, the arrival
//! and departure plan that keeps two parents apart, booking clashes, attendance and lateness.

pub mod arrival;
pub mod attendance;
pub mod availability;
pub mod booking;
pub mod lifecycle;
pub mod place;
pub mod projection;
pub mod request;
pub mod series;

use time::{Duration, OffsetDateTime};

/// A span of time, start inclusive and end exclusive, in UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Slot {
    pub start: OffsetDateTime,
    pub end: OffsetDateTime,
}

/// The longest a session may last. A clash check relies on it: a session that started longer
/// ago than this has ended, so the search for sessions overlapping a time can start there.
pub const LONGEST_SESSION: Duration = Duration::DAY;

/// Why a session's times are refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SlotError {
    #[error("must end after it starts")]
    EndsBeforeStart,
    #[error("must not last more than a day")]
    LongerThanADay,
}

impl Slot {
    /// A session's times, refused if they end first or last more than a day.
    pub fn new(start: OffsetDateTime, end: OffsetDateTime) -> Result<Slot, SlotError> {
        if end <= start {
            return Err(SlotError::EndsBeforeStart);
        }
        if end - start > LONGEST_SESSION {
            return Err(SlotError::LongerThanADay);
        }
        Ok(Slot { start, end })
    }

    pub fn minutes(&self) -> u32 {
        u32::try_from((self.end - self.start).whole_minutes()).unwrap_or(u32::MAX)
    }

    /// Whether the two overlap once each is widened by `buffer` at its end (a room or a
    /// supervisor needs time between sessions).
    pub fn overlaps(&self, other: &Slot, buffer: Duration) -> bool {
        self.start < other.end + buffer && other.start < self.end + buffer
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_session_ends_after_it_starts_and_within_a_day() {
        let t = datetime!(2027-01-09 10:00 UTC);
        assert_eq!(Slot::new(t, t), Err(SlotError::EndsBeforeStart));
        assert_eq!(
            Slot::new(t, t - Duration::HOUR),
            Err(SlotError::EndsBeforeStart)
        );
        assert_eq!(
            Slot::new(t, t + Duration::hours(25)),
            Err(SlotError::LongerThanADay)
        );
        assert_eq!(Slot::new(t, t + Duration::HOUR).unwrap().minutes(), 60);
    }

    #[test]
    fn sessions_back_to_back_overlap_only_within_the_turnaround_buffer() {
        let ten = datetime!(2027-01-09 10:00 UTC);
        let a = Slot::new(ten, ten + Duration::HOUR).unwrap();
        let b = Slot::new(ten + Duration::HOUR, ten + Duration::hours(2)).unwrap();
        assert!(!a.overlaps(&b, Duration::ZERO));
        assert!(a.overlaps(&b, Duration::minutes(15)));
        assert!(b.overlaps(&a, Duration::minutes(15)));
    }
}
