//! Europe/London time, handled explicitly: GMT (UTC+0) in winter, BST (UTC+1) from 01:00 UTC on
//! the last Sunday of March until 01:00 UTC on the last Sunday of October. Centres store
//! instants in UTC and show people the local wall-clock time.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset, Weekday};

const GMT: UtcOffset = UtcOffset::UTC;
const BST: UtcOffset = match UtcOffset::from_hms(1, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

/// The last Sunday of `month` in `year`.
fn last_sunday(year: i32, month: Month) -> Date {
    let last_day = time::util::days_in_month(month, year);
    let mut date = Date::from_calendar_date(year, month, last_day).unwrap_or(Date::MIN);
    while date.weekday() != Weekday::Sunday {
        date = date.previous_day().unwrap_or(date);
    }
    date
}

/// The instant (UTC) when British Summer Time starts and ends in `year`.
fn bst_bounds(year: i32) -> (OffsetDateTime, OffsetDateTime) {
    let one_am = Time::from_hms(1, 0, 0).unwrap_or(Time::MIDNIGHT);
    let start = PrimitiveDateTime::new(last_sunday(year, Month::March), one_am).assume_utc();
    let end = PrimitiveDateTime::new(last_sunday(year, Month::October), one_am).assume_utc();
    (start, end)
}

/// The Europe/London offset in force at `instant`.
pub fn offset_at(instant: OffsetDateTime) -> UtcOffset {
    let (start, end) = bst_bounds(instant.to_offset(GMT).year());
    if instant >= start && instant < end {
        BST
    } else {
        GMT
    }
}

/// `instant` as Europe/London wall-clock time.
pub fn to_local(instant: OffsetDateTime) -> OffsetDateTime {
    instant.to_offset(offset_at(instant))
}

/// Today's date in Europe/London at `instant`.
pub fn local_date(instant: OffsetDateTime) -> Date {
    to_local(instant).date()
}

/// The instant local midnight begins `date` in Europe/London (clocks change at 01:00 UTC, so
/// midnight itself is never skipped or repeated).
pub fn start_of_day(date: Date) -> OffsetDateTime {
    let guess = PrimitiveDateTime::new(date, Time::MIDNIGHT).assume_utc();
    let offset = offset_at(guess - time::Duration::hours(1));
    PrimitiveDateTime::new(date, Time::MIDNIGHT)
        .assume_offset(offset)
        .to_offset(GMT)
}

/// The instant a Europe/London wall-clock `time` on `date` happens. In the hour skipped when
/// clocks go forward, the time is read as GMT (so 01:30 becomes 02:30 BST); in the hour that
/// happens twice when they go back, the first (BST) one is meant.
pub fn at(date: Date, time: Time) -> OffsetDateTime {
    let local = PrimitiveDateTime::new(date, time);
    let as_bst = local.assume_offset(BST);
    if offset_at(as_bst) == BST {
        return as_bst.to_offset(GMT);
    }
    local.assume_offset(GMT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn clocks_go_forward_on_the_last_sunday_of_march_at_one_utc() {
        // 2026-03-29 is the last Sunday of March 2026.
        assert_eq!(offset_at(datetime!(2026-03-29 00:59:59 UTC)), GMT);
        assert_eq!(offset_at(datetime!(2026-03-29 01:00 UTC)), BST);
    }

    #[test]
    fn clocks_go_back_on_the_last_sunday_of_october_at_one_utc() {
        // 2026-10-25 is the last Sunday of October 2026.
        assert_eq!(offset_at(datetime!(2026-10-25 00:59:59 UTC)), BST);
        assert_eq!(offset_at(datetime!(2026-10-25 01:00 UTC)), GMT);
    }

    #[test]
    fn a_summer_saturday_morning_is_an_hour_ahead_of_utc() {
        let local = to_local(datetime!(2026-06-13 08:00 UTC));
        assert_eq!((local.hour(), local.minute()), (9, 0));
    }

    #[test]
    fn a_summer_day_starts_at_eleven_the_evening_before_in_utc() {
        assert_eq!(
            start_of_day(time::macros::date!(2026 - 07 - 01)),
            datetime!(2026-06-30 23:00 UTC)
        );
        assert_eq!(
            start_of_day(time::macros::date!(2026 - 12 - 01)),
            datetime!(2026-12-01 00:00 UTC)
        );
        // The Sundays the clocks change still start at local midnight.
        assert_eq!(
            start_of_day(time::macros::date!(2026 - 03 - 29)),
            datetime!(2026-03-29 00:00 UTC)
        );
        assert_eq!(
            start_of_day(time::macros::date!(2026 - 10 - 25)),
            datetime!(2026-10-24 23:00 UTC)
        );
    }

    #[test]
    fn just_before_midnight_utc_in_summer_is_already_tomorrow_in_london() {
        assert_eq!(
            local_date(datetime!(2026-07-01 23:30 UTC)),
            time::macros::date!(2026 - 07 - 02)
        );
        assert_eq!(
            local_date(datetime!(2026-12-01 23:30 UTC)),
            time::macros::date!(2026 - 12 - 01)
        );
    }

    #[test]
    fn local_times_become_the_right_instants_either_side_of_the_changes() {
        use time::macros::{date, time};
        assert_eq!(
            at(date!(2026 - 03 - 28), time!(10:00)),
            datetime!(2026-03-28 10:00 UTC)
        );
        assert_eq!(
            at(date!(2026 - 03 - 29), time!(10:00)),
            datetime!(2026-03-29 09:00 UTC)
        );
        assert_eq!(
            at(date!(2026 - 10 - 24), time!(10:00)),
            datetime!(2026-10-24 09:00 UTC)
        );
        assert_eq!(
            at(date!(2026 - 10 - 25), time!(10:00)),
            datetime!(2026-10-25 10:00 UTC)
        );
        // 01:30 does not happen on 29 March; it happens twice on 25 October.
        assert_eq!(
            at(date!(2026 - 03 - 29), time!(01:30)),
            datetime!(2026-03-29 01:30 UTC)
        );
        assert_eq!(
            at(date!(2026 - 10 - 25), time!(01:30)),
            datetime!(2026-10-25 00:30 UTC)
        );
        for instant in [
            datetime!(2026-07-04 08:15 UTC),
            datetime!(2026-12-05 14:45 UTC),
        ] {
            let local = to_local(instant);
            assert_eq!(at(local.date(), local.time()), instant);
        }
    }
}
