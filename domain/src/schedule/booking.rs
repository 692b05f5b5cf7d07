//! What a booking may not do: hold a private room or a supervisor twice at once (with a
//! turnaround between sessions), or put more families in a shared room than it holds.

use time::Duration;

use super::Slot;

/// The first session already holding a one-at-a-time resource (a private room, a
/// supervisor) that `wanted` would clash with, allowing `turnaround` between sessions.
pub fn exclusive_clash<'a, Id>(
    held: &'a [(Id, Slot)],
    wanted: &Slot,
    turnaround: Duration,
) -> Option<&'a Id> {
    held.iter()
        .find(|(_, slot)| slot.overlaps(wanted, turnaround))
        .map(|(id, _)| id)
}

/// For a shared room holding `capacity` families: the first overlapping session, if the room
/// is already full for any part of `wanted`.
pub fn shared_clash<'a, Id>(
    held: &'a [(Id, Slot)],
    wanted: &Slot,
    capacity: u32,
) -> Option<&'a Id> {
    let overlapping: Vec<&(Id, Slot)> = held
        .iter()
        .filter(|(_, slot)| slot.overlaps(wanted, Duration::ZERO))
        .collect();
    // The room is fullest at the start of one of the sessions overlapping `wanted`.
    let mut instants: Vec<_> = overlapping
        .iter()
        .map(|(_, s)| s.start.max(wanted.start))
        .collect();
    instants.push(wanted.start);
    let full = instants.iter().any(|t| {
        let at_once = overlapping
            .iter()
            .filter(|(_, s)| s.start <= *t && *t < s.end)
            .count();
        at_once >= usize::try_from(capacity).unwrap_or(usize::MAX)
    });
    if full {
        overlapping.first().map(|(id, _)| id)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn slot(from_h: i64, to_h: i64) -> Slot {
        let day = datetime!(2027-01-09 00:00 UTC);
        Slot::new(day + Duration::hours(from_h), day + Duration::hours(to_h)).unwrap()
    }

    #[test]
    fn a_supervisor_is_held_by_one_session_at_a_time_with_a_turnaround() {
        let held = [("a", slot(10, 12))];
        assert_eq!(
            exclusive_clash(&held, &slot(11, 13), Duration::ZERO),
            Some(&"a")
        );
        assert_eq!(exclusive_clash(&held, &slot(12, 14), Duration::ZERO), None);
        assert_eq!(
            exclusive_clash(&held, &slot(12, 14), Duration::minutes(30)),
            Some(&"a"),
            "no time to turn the room round"
        );
        assert_eq!(
            exclusive_clash(&held, &slot(8, 10), Duration::minutes(30)),
            Some(&"a")
        );
        assert_eq!(
            exclusive_clash(&held, &slot(13, 14), Duration::minutes(30)),
            None
        );
    }

    #[test]
    fn a_shared_room_takes_families_up_to_its_capacity() {
        let held = [("a", slot(10, 12)), ("b", slot(10, 12))];
        assert_eq!(shared_clash(&held, &slot(10, 12), 3), None);
        assert_eq!(shared_clash(&held, &slot(10, 12), 2), Some(&"a"));
        // Two sessions that do not overlap each other never fill a room of two.
        let staggered = [("a", slot(9, 11)), ("b", slot(11, 13))];
        assert_eq!(shared_clash(&staggered, &slot(10, 12), 2), None);
        assert_eq!(shared_clash(&staggered, &slot(10, 12), 1), Some(&"a"));
    }
}
