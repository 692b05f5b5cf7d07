//! Arrival and departure plans. Each adult of a session gets their own time to arrive and to
//! leave, staggered by the centre's offset, so two adults who must not meet are never due in
//! the same window. Whoever arrives first leaves last: the child is handed over in the middle.

use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime, Time};

use super::Slot;
use crate::london;
use crate::referral::PartyRole;

string_enum! {
    /// Which parent is due first (the providers differ).
    ArrivalOrder {
        /// The resident parent brings the child, then the other parent arrives.
        ResidentFirst = "resident_first",
        /// The non-resident parent is settled in the room before the child is brought.
        NonResidentFirst = "non_resident_first",
    }
}

/// A centre's staggering policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArrivalPolicy {
    pub order: ArrivalOrder,
    /// Minutes between one adult's window and the next (15 by default).
    pub offset_minutes: u32,
}

impl Default for ArrivalPolicy {
    fn default() -> Self {
        ArrivalPolicy {
            order: ArrivalOrder::NonResidentFirst,
            offset_minutes: 15,
        }
    }
}

impl ArrivalPolicy {
    /// The policy with an assessment's larger offset, where one was set for the case.
    pub fn with_case_offset(self, case_offset: Option<u32>) -> ArrivalPolicy {
        ArrivalPolicy {
            offset_minutes: self.offset_minutes.max(case_offset.unwrap_or(0)),
            ..self
        }
    }

    fn first(&self) -> PartyRole {
        match self.order {
            ArrivalOrder::ResidentFirst => PartyRole::ResidentParent,
            ArrivalOrder::NonResidentFirst => PartyRole::NonResidentParent,
        }
    }
}

/// One adult's expected times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartyTimes {
    pub party: PartyRole,
    pub arrive: OffsetDateTime,
    pub depart: OffsetDateTime,
}

/// The plan for one family's session: the first adult arrives at the start and leaves one
/// offset after the end; the second arrives one offset after the start and leaves at the end.
pub fn plan(slot: &Slot, policy: ArrivalPolicy) -> [PartyTimes; 2] {
    let offset = Duration::minutes(i64::from(policy.offset_minutes));
    let first = policy.first();
    let second = first.other_parent().unwrap_or(PartyRole::ResidentParent);
    [
        PartyTimes {
            party: first,
            arrive: slot.start,
            depart: slot.end + offset,
        },
        PartyTimes {
            party: second,
            arrive: slot.start + offset,
            depart: slot.end,
        },
    ]
}

/// An adult in a shared session: which family, and which side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Adult {
    pub family: usize,
    pub party: PartyRole,
}

/// The window each adult is due in: arrival `start + window × offset`, departure
/// `end + (last window − window) × offset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SharedTimes {
    pub adult: Adult,
    pub window: u32,
    pub arrive: OffsetDateTime,
    pub depart: OffsetDateTime,
}

/// Plans a shared (supported) session of `families` families. Each family's two adults must
/// not meet, nor must any pair in `apart` (say, two adults of different families with an
/// order between them). Adults are placed in the earliest window that keeps every such pair
/// apart, each family's first adult before its second.
pub fn plan_shared(
    slot: &Slot,
    policy: ArrivalPolicy,
    families: usize,
    apart: &[(Adult, Adult)],
) -> Vec<SharedTimes> {
    let first = policy.first();
    let second = first.other_parent().unwrap_or(PartyRole::ResidentParent);
    let must_not_meet = |a: &Adult, b: &Adult| {
        (a.family == b.family && a.party != b.party)
            || apart
                .iter()
                .any(|(x, y)| (x == a && y == b) || (x == b && y == a))
    };
    let mut placed: Vec<(Adult, u32)> = Vec::new();
    for family in 0..families {
        let mut floor = 0;
        for party in [first, second] {
            let adult = Adult { family, party };
            let mut window = floor;
            while placed
                .iter()
                .any(|(other, w)| *w == window && must_not_meet(&adult, other))
            {
                window += 1;
            }
            placed.push((adult, window));
            floor = window + 1;
        }
    }
    let last = placed.iter().map(|(_, w)| *w).max().unwrap_or(0);
    let offset = Duration::minutes(i64::from(policy.offset_minutes));
    placed
        .into_iter()
        .map(|(adult, window)| SharedTimes {
            adult,
            window,
            arrive: slot.start + offset * window,
            depart: slot.end + offset * (last - window),
        })
        .collect()
}

string_enum! {
    /// CL's two Saturday handover slots.
    HandoverSlot {
        /// 09:00 drop-off, 09:15 collection, 12:15 return, 12:30 collection.
        Morning = "morning",
        /// 12:30 drop-off, 12:45 collection, 15:45 return, 16:00 collection.
        Afternoon = "afternoon",
    }
}

/// Why a handover is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HandoverError {
    #[error("handover happens on Saturdays only; {0} is a {1}")]
    NotSaturday(Date, time::Weekday),
}

/// Minutes between the two parents at a handover: the child changes hands in between.
const HANDOVER_OFFSET_MINUTES: i64 = 15;

/// A handover slot's own span: from the resident parent's drop-off to their collection (the
/// whole time the centre looks after the handover), not either parent's window.
pub fn handover_slot(date: Date, slot: HandoverSlot) -> Result<Slot, HandoverError> {
    if date.weekday() != time::Weekday::Saturday {
        return Err(HandoverError::NotSaturday(date, date.weekday()));
    }
    let (from, to) = match slot {
        HandoverSlot::Morning => (Time::from_hms(9, 0, 0), Time::from_hms(12, 30, 0)),
        HandoverSlot::Afternoon => (Time::from_hms(12, 30, 0), Time::from_hms(16, 0, 0)),
    };
    let (from, to) = (from.unwrap_or(Time::MIDNIGHT), to.unwrap_or(Time::MIDNIGHT));
    Ok(Slot {
        start: london::at(date, from),
        end: london::at(date, to),
    })
}

/// The parents' times inside a handover slot, CL's four timings: the resident parent drops
/// the child at the start and collects at the end; the non-resident parent arrives 15 minutes
/// after the drop-off and returns the child 15 minutes before the collection.
pub fn handover_plan(slot: &Slot) -> [PartyTimes; 2] {
    let offset = Duration::minutes(HANDOVER_OFFSET_MINUTES);
    [
        PartyTimes {
            party: PartyRole::ResidentParent,
            arrive: slot.start,
            depart: slot.end,
        },
        PartyTimes {
            party: PartyRole::NonResidentParent,
            arrive: slot.start + offset,
            depart: slot.end - offset,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime, time};

    fn local(t: OffsetDateTime) -> Time {
        london::to_local(t).time()
    }

    #[test]
    fn cl_handover_morning_and_afternoon_timings_exactly() {
        // A Saturday in summer time, so UTC and local differ.
        let morning = handover_slot(date!(2027 - 06 - 05), HandoverSlot::Morning).unwrap();
        assert_eq!(
            [local(morning.start), local(morning.end)],
            [time!(09:00), time!(12:30)],
            "the slot spans the whole handover, not one parent's window"
        );
        let [resident, nrp] = handover_plan(&morning);
        assert_eq!(resident.party, PartyRole::ResidentParent);
        assert_eq!(
            [
                local(resident.arrive),
                local(nrp.arrive),
                local(nrp.depart),
                local(resident.depart)
            ],
            [time!(09:00), time!(09:15), time!(12:15), time!(12:30)]
        );
        let afternoon = handover_slot(date!(2027 - 06 - 05), HandoverSlot::Afternoon).unwrap();
        assert_eq!(
            [local(afternoon.start), local(afternoon.end)],
            [time!(12:30), time!(16:00)]
        );
        let [resident, nrp] = handover_plan(&afternoon);
        assert_eq!(
            [
                local(resident.arrive),
                local(nrp.arrive),
                local(nrp.depart),
                local(resident.depart)
            ],
            [time!(12:30), time!(12:45), time!(15:45), time!(16:00)]
        );
    }

    #[test]
    fn handover_on_a_wednesday_is_refused() {
        assert_eq!(
            handover_slot(date!(2027 - 06 - 02), HandoverSlot::Morning),
            Err(HandoverError::NotSaturday(
                date!(2027 - 06 - 02),
                time::Weekday::Wednesday
            ))
        );
    }

    #[test]
    fn the_two_parents_of_a_session_are_a_window_apart_both_ways() {
        let slot = Slot::new(
            datetime!(2027-01-09 10:00 UTC),
            datetime!(2027-01-09 12:00 UTC),
        )
        .unwrap();
        let [first, second] = plan(&slot, ArrivalPolicy::default());
        assert_eq!(first.party, PartyRole::NonResidentParent);
        assert_eq!(second.arrive - first.arrive, Duration::minutes(15));
        assert_eq!(first.depart - second.depart, Duration::minutes(15));
        let wider = plan(&slot, ArrivalPolicy::default().with_case_offset(Some(20)));
        assert_eq!(wider[1].arrive - wider[0].arrive, Duration::minutes(20));
    }

    fn windows_apart(times: &[SharedTimes], a: Adult, b: Adult) -> bool {
        let w = |x: Adult| times.iter().find(|t| t.adult == x).unwrap();
        w(a).arrive != w(b).arrive && w(a).depart != w(b).depart
    }

    #[test]
    fn three_families_in_a_shared_room_never_put_two_adults_who_must_not_meet_together() {
        let slot = Slot::new(
            datetime!(2027-01-09 10:00 UTC),
            datetime!(2027-01-09 12:00 UTC),
        )
        .unwrap();
        let (r, n) = (PartyRole::ResidentParent, PartyRole::NonResidentParent);
        // Family 0's father must also not meet family 1's father (an order between them).
        let apart = [(
            Adult {
                family: 0,
                party: n,
            },
            Adult {
                family: 1,
                party: n,
            },
        )];
        let times = plan_shared(&slot, ArrivalPolicy::default(), 3, &apart);
        assert_eq!(times.len(), 6);
        for f in 0..3 {
            assert!(windows_apart(
                &times,
                Adult {
                    family: f,
                    party: r
                },
                Adult {
                    family: f,
                    party: n
                }
            ));
        }
        assert!(windows_apart(&times, apart[0].0, apart[0].1));
        // Fathers first, in the first window where nobody they must avoid is due.
        let window = |f, p| {
            times
                .iter()
                .find(|t| {
                    t.adult
                        == Adult {
                            family: f,
                            party: p,
                        }
                })
                .unwrap()
                .window
        };
        assert_eq!((window(0, n), window(0, r)), (0, 1));
        assert_eq!(
            (window(1, n), window(1, r)),
            (1, 2),
            "family 1 waits a window"
        );
        assert_eq!((window(2, n), window(2, r)), (0, 1));
        assert!(times
            .iter()
            .all(|t| t.arrive >= slot.start && t.depart >= slot.end));
    }
}
