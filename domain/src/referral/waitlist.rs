//! Waiting lists, one per centre and service: first come first served by the time the
//! complete referral arrived, unless a coordinator raises a family's priority (with a reason).

use time::{Duration, OffsetDateTime};

/// One family waiting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiting<K> {
    pub key: K,
    /// Higher goes first; 0 unless a coordinator raised it.
    pub priority: i32,
    /// When the referral became complete.
    pub since: OffsetDateTime,
}

/// Sorts the list into the order places are offered: priority, then who has waited longest,
/// then the key (so equal entries have a stable order).
pub fn order<K: Ord>(list: &mut [Waiting<K>]) {
    list.sort_by(|a, b| {
        b.priority
            .cmp(&a.priority)
            .then(a.since.cmp(&b.since))
            .then(a.key.cmp(&b.key))
    });
}

/// The 1-based position of `key` on the list, if it is on it.
pub fn position<K: Ord>(mut list: Vec<Waiting<K>>, key: &K) -> Option<usize> {
    order(&mut list);
    list.iter().position(|w| &w.key == key).map(|i| i + 1)
}

/// When an offer made `now` lapses.
pub fn offer_expires(now: OffsetDateTime, days: u32) -> OffsetDateTime {
    now + Duration::days(i64::from(days))
}

/// How many more families can be offered a place: `places` is how many the service takes at
/// once (none set: the coordinator offers by hand), `held` how many hold one now.
pub fn free_places(places: Option<u32>, held: usize) -> usize {
    places.map_or(0, |p| (p as usize).saturating_sub(held))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn w(key: &'static str, priority: i32, since: OffsetDateTime) -> Waiting<&'static str> {
        Waiting {
            key,
            priority,
            since,
        }
    }

    #[test]
    fn first_come_first_served_unless_a_coordinator_raised_a_priority() {
        let list = vec![
            w("late", 0, datetime!(2026-03-02 9:00 UTC)),
            w("early", 0, datetime!(2026-03-01 9:00 UTC)),
            w("urgent", 1, datetime!(2026-03-05 9:00 UTC)),
        ];
        assert_eq!(position(list.clone(), &"urgent"), Some(1));
        assert_eq!(position(list.clone(), &"early"), Some(2));
        assert_eq!(position(list.clone(), &"late"), Some(3));
        assert_eq!(position(list, &"absent"), None);
    }

    #[test]
    fn an_offer_lapses_after_the_configured_days_and_places_free_up_to_the_limit() {
        assert_eq!(
            offer_expires(datetime!(2026-03-01 9:00 UTC), 14),
            datetime!(2026-03-15 9:00 UTC)
        );
        assert_eq!(free_places(Some(8), 6), 2);
        assert_eq!(free_places(Some(8), 9), 0);
        assert_eq!(free_places(None, 0), 0);
    }
}
