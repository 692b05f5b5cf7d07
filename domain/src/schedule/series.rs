//! A series: sessions at the same local wall-clock time every week or every few weeks, such as
//! FA's six 2-hour sessions on alternate Saturdays. Each is placed in Europe/London time, so a
//! series across a clock change keeps its local time and moves by an hour in UTC.

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Time};

use super::{Slot, SlotError};
use crate::london;
use crate::opening::OpeningPattern;

/// How a series repeats.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeriesRule {
    /// The first session's date.
    pub first_date: Date,
    /// Local (Europe/London) start time.
    pub starts: Time,
    pub minutes: u32,
    /// 1 for weekly, 2 for alternate weeks, up to 4.
    pub every_weeks: u8,
    /// How many sessions, 1 to 104.
    pub count: u16,
}

/// Why a series is refused, naming the field at fault.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SeriesError {
    #[error("every_weeks must be 1 to 4")]
    EveryWeeks,
    #[error("count must be 1 to 104")]
    Count,
    #[error("minutes: session {0}")]
    Times(SlotError),
    #[error("the session on {0} is outside the centre's opening hours")]
    Closed(Date),
}

impl SeriesError {
    pub fn field(&self) -> &'static str {
        match self {
            SeriesError::EveryWeeks => "every_weeks",
            SeriesError::Count => "count",
            SeriesError::Times(_) => "minutes",
            SeriesError::Closed(_) => "first_date",
        }
    }
}

/// The dated sessions of a series, in order.
pub fn expand(rule: &SeriesRule) -> Result<Vec<Slot>, SeriesError> {
    if !(1..=4).contains(&rule.every_weeks) {
        return Err(SeriesError::EveryWeeks);
    }
    if !(1..=104).contains(&rule.count) {
        return Err(SeriesError::Count);
    }
    (0..i64::from(rule.count))
        .map(|n| {
            let date = rule.first_date + Duration::weeks(n * i64::from(rule.every_weeks));
            let start = london::at(date, rule.starts);
            Slot::new(start, start + Duration::minutes(i64::from(rule.minutes)))
                .map_err(SeriesError::Times)
        })
        .collect()
}

string_enum! {
    /// Which sessions of a series a change or cancellation reaches: `one` (this session only),
    /// `following` (this one and every later one still to come, which become a series of their
    /// own when changed) or `all` (every one still to come).
    EditScope {
        One = "one",
        Following = "following",
        All = "all",
    }
}

/// The sessions a change reaches: indexes into the series' sessions (in time order), of those
/// still `open` to change, with `this` the one the change was made on.
pub fn reach(scope: EditScope, this: usize, open: &[bool]) -> Vec<usize> {
    let from = match scope {
        EditScope::One => return vec![this],
        EditScope::Following => this,
        EditScope::All => 0,
    };
    (from..open.len()).filter(|i| open[*i]).collect()
}

/// The session moved to a new local start time and/or length on its own local date, so a
/// series moved across a clock change keeps its wall-clock time.
pub fn retime(slot: &Slot, starts: Option<Time>, minutes: Option<u32>) -> Result<Slot, SlotError> {
    let start = match starts {
        Some(t) => london::at(london::local_date(slot.start), t),
        None => slot.start,
    };
    let length = match minutes {
        Some(m) => Duration::minutes(i64::from(m)),
        None => slot.end - slot.start,
    };
    Slot::new(start, start + length)
}

/// Whether the centre is open for the whole of `slot`, in local time.
pub fn within_opening(pattern: &OpeningPattern, slot: &Slot) -> bool {
    let (from, to) = (london::to_local(slot.start), london::to_local(slot.end));
    from.date() == to.date() && pattern.is_open(from.date(), from.time(), to.time())
}

/// The first session of `slots` the centre is not open for.
pub fn first_closed(pattern: &OpeningPattern, slots: &[Slot]) -> Option<Date> {
    slots
        .iter()
        .find(|s| !within_opening(pattern, s))
        .map(|s| london::local_date(s.start))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::opening::OpeningRule;
    use crate::Weekday;
    use time::macros::{date, datetime, time};

    fn fa_programme(first_date: Date) -> SeriesRule {
        SeriesRule {
            first_date,
            starts: time!(10:00),
            minutes: 120,
            every_weeks: 2,
            count: 6,
        }
    }

    #[test]
    fn fa_six_two_hour_sessions_on_alternate_saturdays() {
        let slots = expand(&fa_programme(date!(2027 - 01 - 09))).unwrap();
        assert_eq!(slots.len(), 6);
        assert_eq!(slots[0].start, datetime!(2027-01-09 10:00 UTC));
        assert_eq!(slots[5].start, datetime!(2027-03-20 10:00 UTC));
        assert!(slots.iter().all(|s| s.minutes() == 120));
    }

    #[test]
    fn a_series_across_the_last_sunday_of_march_keeps_ten_oclock_local() {
        // Saturdays 21 March (GMT) and 4 April 2026 (BST).
        let slots = expand(&fa_programme(date!(2026 - 03 - 21))).unwrap();
        assert_eq!(slots[0].start, datetime!(2026-03-21 10:00 UTC));
        assert_eq!(slots[1].start, datetime!(2026-04-04 09:00 UTC));
        assert!(slots
            .iter()
            .all(|s| london::to_local(s.start).time() == time!(10:00)));
    }

    #[test]
    fn a_series_across_the_last_sunday_of_october_keeps_ten_oclock_local() {
        // Saturdays 17 October (BST) and 31 October 2026 (GMT).
        let slots = expand(&fa_programme(date!(2026 - 10 - 17))).unwrap();
        assert_eq!(slots[0].start, datetime!(2026-10-17 09:00 UTC));
        assert_eq!(slots[1].start, datetime!(2026-10-31 10:00 UTC));
        assert!(slots
            .iter()
            .all(|s| london::to_local(s.end).time() == time!(12:00)));
    }

    #[test]
    fn bad_series_name_their_field() {
        let mut rule = fa_programme(date!(2027 - 01 - 09));
        rule.every_weeks = 0;
        assert_eq!(expand(&rule).unwrap_err().field(), "every_weeks");
        rule.every_weeks = 2;
        rule.count = 0;
        assert_eq!(expand(&rule).unwrap_err().field(), "count");
        rule.count = 6;
        rule.minutes = 0;
        assert_eq!(expand(&rule).unwrap_err().field(), "minutes");
        rule.minutes = 25 * 60;
        assert_eq!(expand(&rule).unwrap_err().field(), "minutes");
    }

    #[test]
    fn sessions_must_fall_within_the_centres_opening_hours() {
        let pattern = OpeningPattern {
            rules: vec![OpeningRule {
                weekday: Weekday::Saturday,
                opens: time!(10:00),
                closes: time!(12:00),
                every_weeks: 2,
                starting: Some(date!(2027 - 01 - 09)),
            }],
        };
        let slots = expand(&fa_programme(date!(2027 - 01 - 09))).unwrap();
        assert_eq!(first_closed(&pattern, &slots), None);
        let off_week = expand(&fa_programme(date!(2027 - 01 - 16))).unwrap();
        assert_eq!(
            first_closed(&pattern, &off_week),
            Some(date!(2027 - 01 - 16))
        );
        let mut late = fa_programme(date!(2027 - 01 - 09));
        late.starts = time!(11:00);
        assert_eq!(
            first_closed(&pattern, &expand(&late).unwrap()),
            Some(date!(2027 - 01 - 09))
        );
    }

    #[test]
    fn a_change_reaches_one_session_this_and_following_or_all_still_to_come() {
        let open = [false, true, true, true];
        assert_eq!(reach(EditScope::One, 2, &open), vec![2]);
        assert_eq!(reach(EditScope::Following, 2, &open), vec![2, 3]);
        assert_eq!(
            reach(EditScope::All, 2, &open),
            vec![1, 2, 3],
            "a session already held is not changed"
        );
    }

    #[test]
    fn retiming_keeps_each_sessions_local_date_across_the_clock_change() {
        use time::macros::{date, time};
        let march = london::at(date!(2027 - 03 - 20), time!(10:00));
        let april = london::at(date!(2027 - 04 - 03), time!(10:00));
        for start in [march, april] {
            let slot = Slot::new(start, start + Duration::HOUR).unwrap();
            let moved = retime(&slot, Some(time!(14:30)), Some(90)).unwrap();
            assert_eq!(london::to_local(moved.start).time(), time!(14:30));
            assert_eq!(london::local_date(moved.start), london::local_date(start));
            assert_eq!(moved.minutes(), 90);
        }
        let slot = Slot::new(march, march + Duration::HOUR).unwrap();
        assert_eq!(
            retime(&slot, None, Some(0)),
            Err(SlotError::EndsBeforeStart)
        );
    }
}
