//! Availability: the times a coordinator can still offer a family, by the same rules a booking
//! is checked against. Supported contact needs a place in a shared room; supervised contact a
//! private room and a supervisor, each held by one session at a time with a turnaround
//! between sessions; handover one of CL's two Saturday slots. Candidate starts step through
//! each opening period in London wall-clock time, so a Saturday at 10:00 stays 10:00 across a
//! clock change.
//!
//! Each resource's sessions are turned once into a step function of "sessions at once", so a
//! candidate costs a binary search per resource rather than a scan of a year of sessions.

use time::{Date, Duration, OffsetDateTime, Time};

use super::arrival::{handover_slot, HandoverSlot};
use super::series::within_opening;
use super::Slot;
use crate::london;
use crate::opening::OpeningPattern;
use crate::Weekday;

/// A room or a supervisor, and the sessions (not cancelled) already holding it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resource<Id> {
    pub id: Id,
    /// Families at once: a shared room's capacity; 1 for a private room or a supervisor.
    pub capacity: u32,
    pub held: Vec<Slot>,
}

/// What a session of the service holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Needs<Id> {
    /// Supported contact: a place in any of these shared rooms.
    SharedPlace(Vec<Resource<Id>>),
    /// Supervised contact: one of the private rooms and one of the supervisors.
    RoomAndSupervisor {
        rooms: Vec<Resource<Id>>,
        supervisors: Vec<Resource<Id>>,
    },
    /// Handover: the child is passed over at the centre; no room or supervisor is held.
    HandoverSlot,
}

/// Where and how to look.
#[derive(Clone, Copy, Debug)]
pub struct Search<'a> {
    pub pattern: &'a OpeningPattern,
    /// First and last local dates, both included.
    pub from: Date,
    pub to: Date,
    /// Session length (ignored for handover, whose slots are fixed).
    pub minutes: u32,
    /// Minutes between candidate starts within an opening period.
    pub step: u32,
    /// The weekdays the service is offered on, where the offering restricts them.
    pub days: Option<&'a [Weekday]>,
    /// Time a room or supervisor needs between two sessions.
    pub turnaround: Duration,
    /// Nothing starting before this is offered (now, in practice).
    pub not_before: OffsetDateTime,
}

/// A time that could be booked, with what is free for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Free<Id> {
    pub slot: Slot,
    pub local_date: Date,
    pub local_start: Time,
    pub local_end: Time,
    pub handover: Option<HandoverSlot>,
    pub rooms: Vec<Id>,
    pub supervisors: Vec<Id>,
    /// Supported contact: families that can still join, across the rooms listed.
    pub places_left: Option<u32>,
}

/// How many sessions hold a resource at once, as a step function: `count[k]` from `at[k]`
/// until `at[k + 1]`, none before `at[0]`.
#[derive(Debug)]
struct Occupancy {
    at: Vec<OffsetDateTime>,
    count: Vec<u32>,
}

impl Occupancy {
    /// Each held slot widened by `buffer` at both ends: a slot is clear of a one-at-a-time
    /// resource exactly when it meets none of these widened slots (see `Slot::overlaps`).
    fn new(held: &[Slot], buffer: Duration) -> Occupancy {
        let mut events: Vec<(OffsetDateTime, i64)> = held
            .iter()
            .flat_map(|s| [(s.start - buffer, 1), (s.end + buffer, -1)])
            .collect();
        events.sort_unstable_by_key(|e| e.0);
        let (mut at, mut count) = (Vec::new(), Vec::new());
        let mut n = 0i64;
        for same_instant in events.chunk_by(|a, b| a.0 == b.0) {
            n += same_instant.iter().map(|e| e.1).sum::<i64>();
            at.push(same_instant[0].0);
            count.push(u32::try_from(n).unwrap_or(0));
        }
        Occupancy { at, count }
    }

    /// The most sessions at once anywhere in `slot`.
    fn peak(&self, slot: &Slot) -> u32 {
        let covering_start = self.at.partition_point(|t| *t <= slot.start);
        let before_end = self.at.partition_point(|t| *t < slot.end);
        let from = covering_start.saturating_sub(1);
        self.count
            .get(from..before_end)
            .and_then(|c| c.iter().max().copied())
            .unwrap_or(0)
    }
}

struct Tracked<'a, Id> {
    id: &'a Id,
    capacity: u32,
    occupancy: Occupancy,
}

fn track<Id>(resources: &[Resource<Id>], buffer: Duration) -> Vec<Tracked<'_, Id>> {
    resources
        .iter()
        .map(|r| Tracked {
            id: &r.id,
            capacity: r.capacity,
            occupancy: Occupancy::new(&r.held, buffer),
        })
        .collect()
}

enum Check<'a, Id> {
    Shared(Vec<Tracked<'a, Id>>),
    Exclusive {
        rooms: Vec<Tracked<'a, Id>>,
        supervisors: Vec<Tracked<'a, Id>>,
    },
    Nothing,
}

impl<Id: Clone> Check<'_, Id> {
    /// What is free for `slot`, or `None` if the service cannot have it.
    fn free(&self, slot: &Slot) -> Option<(Vec<Id>, Vec<Id>, Option<u32>)> {
        match self {
            Check::Nothing => Some((Vec::new(), Vec::new(), None)),
            Check::Shared(rooms) => {
                let (mut ids, mut places) = (Vec::new(), 0u32);
                for room in rooms {
                    let left = room.capacity.saturating_sub(room.occupancy.peak(slot));
                    if left > 0 {
                        ids.push(room.id.clone());
                        places = places.saturating_add(left);
                    }
                }
                (!ids.is_empty()).then_some((ids, Vec::new(), Some(places)))
            }
            Check::Exclusive { rooms, supervisors } => {
                let clear = |list: &[Tracked<'_, Id>]| -> Vec<Id> {
                    list.iter()
                        .filter(|r| r.occupancy.peak(slot) == 0)
                        .map(|r| r.id.clone())
                        .collect()
                };
                let supervisors = clear(supervisors);
                if supervisors.is_empty() {
                    return None;
                }
                let rooms = clear(rooms);
                (!rooms.is_empty()).then_some((rooms, supervisors, None))
            }
        }
    }
}

/// The candidates on `date`: for handover CL's two Saturday slots, where the centre is open
/// from the first drop-off to the last collection; otherwise a start every `step` minutes
/// through each opening period that runs that day, while a whole session fits before closing.
fn candidates<Id>(
    s: &Search<'_>,
    rules: &[OpeningPattern],
    needs: &Needs<Id>,
    date: Date,
) -> Vec<(Slot, Option<HandoverSlot>)> {
    if let Needs::HandoverSlot = needs {
        return [HandoverSlot::Morning, HandoverSlot::Afternoon]
            .into_iter()
            .filter_map(|which| {
                let slot = handover_slot(date, which).ok()?;
                within_opening(s.pattern, &slot).then_some((slot, Some(which)))
            })
            .collect();
    }
    let length = Duration::minutes(i64::from(s.minutes));
    let step = Duration::minutes(i64::from(s.step.max(1)));
    let mut starts = Vec::new();
    for single in rules {
        let Some(rule) = single.rules.first() else {
            continue;
        };
        if !single.is_open(date, rule.opens, rule.closes) {
            continue;
        }
        let mut offset = Duration::ZERO;
        while offset + length <= rule.closes - rule.opens {
            starts.push(rule.opens + offset);
            offset += step;
        }
    }
    starts.sort_unstable();
    starts.dedup();
    starts
        .into_iter()
        .filter_map(|from| {
            let start = london::at(date, from);
            let slot = Slot::new(start, start + length).ok()?;
            // Also refuses a time the clocks skip, which would end at another local time.
            within_opening(s.pattern, &slot).then_some((slot, None))
        })
        .collect()
}

/// The free slots for `needs`, earliest first, at most `limit` of them.
pub fn free_slots<Id: Clone>(s: &Search<'_>, needs: &Needs<Id>, limit: usize) -> Vec<Free<Id>> {
    let check = match needs {
        Needs::SharedPlace(rooms) => Check::Shared(track(rooms, Duration::ZERO)),
        Needs::RoomAndSupervisor { rooms, supervisors } => Check::Exclusive {
            rooms: track(rooms, s.turnaround),
            supervisors: track(supervisors, s.turnaround),
        },
        Needs::HandoverSlot => Check::Nothing,
    };
    // One pattern per rule, to ask which rules run on a date.
    let rules: Vec<OpeningPattern> = (s.pattern.rules.iter())
        .map(|r| OpeningPattern {
            rules: vec![r.clone()],
        })
        .collect();
    let mut found = Vec::new();
    let mut date = s.from.max(london::local_date(s.not_before));
    while date <= s.to && found.len() < limit {
        if s.days.is_none_or(|days| days.contains(&Weekday::of(date))) {
            for (slot, handover) in candidates(s, &rules, needs, date) {
                if found.len() >= limit || slot.start < s.not_before {
                    continue;
                }
                let Some((rooms, supervisors, places_left)) = check.free(&slot) else {
                    continue;
                };
                let (start, end) = (london::to_local(slot.start), london::to_local(slot.end));
                found.push(Free {
                    slot,
                    local_date: start.date(),
                    local_start: start.time(),
                    local_end: end.time(),
                    handover,
                    rooms,
                    supervisors,
                    places_left,
                });
            }
        }
        let Some(next) = date.next_day() else { break };
        date = next;
    }
    found
}

#[cfg(test)]
mod tests;
