//! The availability rules, each as a case a coordinator would recognise.

use super::*;
use crate::opening::{hhmm, OpeningRule};
use crate::schedule::booking::{exclusive_clash, shared_clash};
use proptest::prelude::*;
use time::macros::{date, datetime, time};

// 9 January 2027 is a Saturday in winter, when London is on UTC.
const SAT: Date = date!(2027 - 01 - 09);
const TEN: OffsetDateTime = datetime!(2027-01-09 10:00 UTC);

fn open(weekday: Weekday, opens: Time, closes: Time) -> OpeningRule {
    let (every_weeks, starting) = (1, None);
    OpeningRule {
        weekday,
        opens,
        closes,
        every_weeks,
        starting,
    }
}

fn saturdays() -> OpeningPattern {
    let rules = vec![open(Weekday::Saturday, time!(09:00), time!(16:00))];
    OpeningPattern { rules }
}

fn search(pattern: &OpeningPattern, from: Date, to: Date, minutes: u32) -> Search<'_> {
    let (step, days, turnaround) = (30, None, Duration::minutes(15));
    let not_before = datetime!(2027-01-01 00:00 UTC);
    Search {
        pattern,
        from,
        to,
        minutes,
        step,
        days,
        turnaround,
        not_before,
    }
}

/// A resource held from each start for so many minutes.
fn held(id: &'static str, capacity: u32, held: &[(OffsetDateTime, i64)]) -> Resource<&'static str> {
    let held = held
        .iter()
        .map(|(at, m)| Slot::new(*at, *at + Duration::minutes(*m)).unwrap());
    Resource {
        id,
        capacity,
        held: held.collect(),
    }
}

/// "2027-01-09 10:00-12:00 (UTC 10:00) hall:1", as a coordinator would read the answer.
fn show(free: &[Free<&str>]) -> Vec<String> {
    let show = |f: &Free<&str>| {
        let (from, to) = (hhmm::text(f.local_start), hhmm::text(f.local_end));
        let utc = hhmm::text(f.slot.start.time());
        let mut text = format!("{} {from}-{to} (UTC {utc})", f.local_date);
        for id in f.rooms.iter().chain(&f.supervisors) {
            text.push_str(&format!(" {id}"));
        }
        if let Some(n) = f.places_left {
            text.push_str(&format!(":{n}"));
        }
        text
    };
    free.iter().map(show).collect()
}

fn first(needs: &Needs<&'static str>, minutes: u32) -> String {
    let p = saturdays();
    let free = free_slots(&search(&p, SAT, SAT, minutes), needs, 100);
    show(&free)
        .into_iter()
        .find(|s| s.contains("(UTC 10:00)"))
        .unwrap_or_default()
}

#[test]
fn a_supervised_slot_needs_both_a_free_private_room_and_a_free_supervisor() {
    let needs = |room, sam| Needs::RoomAndSupervisor {
        rooms: vec![room],
        supervisors: vec![sam],
    };
    let (free, busy) = (|id| held(id, 1, &[]), |id| held(id, 1, &[(TEN, 120)]));
    assert_eq!(
        first(&needs(free("room"), free("sam")), 120),
        "2027-01-09 10:00-12:00 (UTC 10:00) room sam"
    );
    assert_eq!(
        first(&needs(free("room"), busy("sam")), 120),
        "",
        "supervisor busy"
    );
    assert_eq!(
        first(&needs(busy("room"), free("sam")), 120),
        "",
        "room busy"
    );
}

#[test]
fn the_turnaround_keeps_a_supervisor_free_either_side_of_a_session() {
    let p = saturdays();
    let mut s = search(&p, SAT, SAT, 60);
    s.step = 15;
    let sam = held("sam", 1, &[(TEN + Duration::HOUR, 60)]);
    let needs = Needs::RoomAndSupervisor {
        rooms: vec![held("room", 1, &[])],
        supervisors: vec![sam],
    };
    let starts: Vec<_> = free_slots(&s, &needs, 100)
        .iter()
        .map(|f| hhmm::text(f.local_start))
        .collect();
    // Ending by 10:45 leaves 15 minutes before 11:00; starting from 12:15 after 12:00.
    assert_eq!(starts[..5], ["09:00", "09:15", "09:30", "09:45", "12:15"]);
    assert_eq!(starts.last().map(String::as_str), Some("15:00"));
}

#[test]
fn a_shared_room_is_offered_until_its_capacity_is_reached() {
    let shared = |rooms| first(&Needs::SharedPlace(rooms), 120);
    let one = held("hall", 2, &[(TEN, 120)]);
    assert_eq!(
        shared(vec![one]),
        "2027-01-09 10:00-12:00 (UTC 10:00) hall:1"
    );
    assert_eq!(
        shared(vec![held("hall", 2, &[(TEN, 120), (TEN, 120)])]),
        "",
        "full"
    );
    // No turnaround in a shared room: families come and go.
    let before = held("hall", 1, &[(TEN - Duration::HOUR, 60)]);
    assert_eq!(
        shared(vec![before]),
        "2027-01-09 10:00-12:00 (UTC 10:00) hall:1"
    );
    let two = vec![held("hall", 8, &[(TEN, 60)]), held("annexe", 4, &[])];
    assert_eq!(
        shared(two),
        "2027-01-09 10:00-12:00 (UTC 10:00) hall annexe:11"
    );
}

#[test]
fn nothing_is_offered_outside_opening_hours_or_on_days_not_offered() {
    let sat = open(Weekday::Saturday, time!(10:00), time!(12:00));
    let alternate = OpeningRule {
        every_weeks: 2,
        starting: Some(SAT),
        ..sat
    };
    let rules = vec![
        alternate,
        open(Weekday::Wednesday, time!(16:00), time!(18:30)),
    ];
    let p = OpeningPattern { rules };
    let mut s = search(&p, SAT, date!(2027 - 01 - 23), 120);
    let needs = Needs::SharedPlace(vec![held("hall", 8, &[])]);
    let free: Vec<_> = show(&free_slots(&s, &needs, 100))
        .iter()
        .map(|f| f[..22].to_string())
        .collect();
    // Not on the off-week Saturday (the 16th); no session running past closing.
    let expected = [
        "2027-01-09 10:00-12:00",
        "2027-01-13 16:00-18:00",
        "2027-01-13 16:30-18:30",
        "2027-01-20 16:00-18:00",
        "2027-01-20 16:30-18:30",
        "2027-01-23 10:00-12:00",
    ];
    assert_eq!(free, expected);
    s.days = Some(&[Weekday::Saturday]);
    assert_eq!(free_slots(&s, &needs, 100).len(), 2);
}

#[test]
fn across_the_last_sunday_of_march_the_local_times_stay_the_same() {
    let sat = open(Weekday::Saturday, time!(10:00), time!(12:00));
    let p = OpeningPattern {
        rules: vec![
            sat.clone(),
            OpeningRule {
                weekday: Weekday::Sunday,
                ..sat
            },
        ],
    };
    // Clocks go forward on Sunday 28 March 2027.
    let s = search(&p, date!(2027 - 03 - 27), date!(2027 - 03 - 28), 120);
    let free = free_slots(&s, &Needs::SharedPlace(vec![held("hall", 8, &[])]), 100);
    let expected = [
        "2027-03-27 10:00-12:00 (UTC 10:00) hall:8",
        "2027-03-28 10:00-12:00 (UTC 09:00) hall:8",
    ];
    assert_eq!(show(&free), expected);
}

#[test]
fn handover_is_offered_on_saturdays_only_in_its_two_slots_while_the_centre_is_open() {
    let sat = open(Weekday::Saturday, time!(09:00), time!(16:00));
    let p = OpeningPattern {
        rules: vec![
            sat.clone(),
            OpeningRule {
                weekday: Weekday::Wednesday,
                ..sat
            },
        ],
    };
    let s = search(&p, date!(2027 - 06 - 01), date!(2027 - 06 - 07), 60);
    let free = free_slots(&s, &Needs::HandoverSlot, 100);
    let expected = [
        "2027-06-05 09:00-12:30 (UTC 08:00)",
        "2027-06-05 12:30-16:00 (UTC 11:30)",
    ];
    assert_eq!(show(&free), expected);
    let which: Vec<_> = free.iter().map(|f| f.handover).collect();
    assert_eq!(
        which,
        [Some(HandoverSlot::Morning), Some(HandoverSlot::Afternoon)]
    );
    // The resident parent drops the child at 09:00, so a centre opening at 09:30 has no morning.
    let late = OpeningPattern {
        rules: vec![open(Weekday::Saturday, time!(09:30), time!(16:00))],
    };
    let june5 = date!(2027 - 06 - 05);
    let free = free_slots(
        &search(&late, june5, june5, 60),
        &Needs::<&str>::HandoverSlot,
        100,
    );
    assert_eq!(show(&free), ["2027-06-05 12:30-16:00 (UTC 11:30)"]);
}

#[test]
fn past_times_are_not_offered_and_the_answer_stops_at_the_limit() {
    let p = saturdays();
    let mut s = search(&p, SAT, date!(2027 - 12 - 31), 120);
    s.not_before = datetime!(2027-01-09 14:10 UTC);
    let free = free_slots(&s, &Needs::SharedPlace(vec![held("hall", 8, &[])]), 3);
    let starts: Vec<_> = show(&free).iter().map(|f| f[..16].to_string()).collect();
    assert_eq!(
        starts,
        ["2027-01-16 09:00", "2027-01-16 09:30", "2027-01-16 10:00"]
    );
}

proptest! {
    /// Whatever is booked already, a time is offered exactly when booking it would pass
    /// the booking checks.
    #[test]
    fn offered_exactly_when_a_booking_would_not_clash(
        room in prop::collection::vec((0i64..40, 1i64..16), 0..6),
        sam in prop::collection::vec((0i64..40, 1i64..16), 0..6),
        quarters in 1i64..12,
        turnaround in 0i64..4,
    ) {
        let (length, turnaround) = (Duration::minutes(quarters * 15), Duration::minutes(turnaround * 15));
        let eight = datetime!(2027-01-09 08:00 UTC);
        let booked = |v: &[(i64, i64)]| -> Vec<(usize, Slot)> {
            let slot = |at: i64, len: i64| Slot::new(eight + Duration::minutes(at * 15), eight + Duration::minutes((at + len) * 15));
            v.iter().enumerate().map(|(i, (at, len))| (i, slot(*at, *len).unwrap())).collect()
        };
        let (room, sam) = (booked(&room), booked(&sam));
        let resource = |id, capacity, held: &[(usize, Slot)]| Resource { id, capacity, held: held.iter().map(|h| h.1).collect() };
        let p = saturdays();
        let mut s = search(&p, SAT, SAT, u32::try_from(length.whole_minutes()).unwrap());
        (s.step, s.turnaround) = (15, turnaround);
        let offered = |needs| -> Vec<Slot> { free_slots(&s, &needs, 1000).into_iter().map(|f| f.slot).collect() };
        let supervised = offered(Needs::RoomAndSupervisor { rooms: vec![resource("room", 1, &room)], supervisors: vec![resource("sam", 1, &sam)] });
        let supported = offered(Needs::SharedPlace(vec![resource("hall", 2, &room)]));
        let mut start = datetime!(2027-01-09 09:00 UTC);
        while start + length <= datetime!(2027-01-09 16:00 UTC) {
            let wanted = Slot { start, end: start + length };
            let clear = exclusive_clash(&room, &wanted, turnaround).is_none() && exclusive_clash(&sam, &wanted, turnaround).is_none();
            prop_assert_eq!(supervised.contains(&wanted), clear, "supervised at {}", start);
            prop_assert_eq!(supported.contains(&wanted), shared_clash(&room, &wanted, 2).is_none(), "supported at {}", start);
            start += Duration::minutes(15);
        }
    }
}
