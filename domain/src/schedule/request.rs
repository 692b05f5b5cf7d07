//! What a booking or a move asks for, understood before anything is read: which slots, and
//! whether the case may have them now. Each refusal names the field at fault.

use time::{Date, OffsetDateTime, Time};

use super::arrival::{self, HandoverSlot};
use super::series::{self, EditScope, SeriesRule};
use super::Slot;
use crate::referral::lifecycle::{is_final, ReferralStatus};
use crate::ServiceType;

/// A refused request: the field at fault, a machine-readable code and a message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct RequestError {
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

fn refuse(field: &str, code: &'static str, message: impl Into<String>) -> RequestError {
    RequestError {
        field: field.to_string(),
        code,
        message: message.into(),
    }
}

/// When a booking asks for: exactly one of a session's own times, a series, or a handover slot.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Times {
    pub starts_at: Option<OffsetDateTime>,
    pub ends_at: Option<OffsetDateTime>,
    pub series: Option<SeriesRule>,
    pub handover: Option<(Date, HandoverSlot)>,
}

/// The slots to book, earliest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub slots: Vec<Slot>,
    pub handover: Option<HandoverSlot>,
    pub series: bool,
}

impl Plan {
    /// The field a refusal of the plan's times names.
    pub fn field(&self) -> &'static str {
        if self.series {
            "series.first_date"
        } else {
            "starts_at"
        }
    }
}

/// The slots a booking asks for, for a case of `service` (handover is booked by Saturday slot
/// only, and only handover is).
pub fn plan(t: &Times, service: ServiceType) -> Result<Plan, RequestError> {
    let single = t.starts_at.is_some() || t.ends_at.is_some();
    let given =
        usize::from(single) + usize::from(t.series.is_some()) + usize::from(t.handover.is_some());
    if given != 1 {
        return Err(refuse(
            "starts_at",
            "one_of",
            "give exactly one of starts_at/ends_at, series or handover",
        ));
    }
    if service == ServiceType::Handover && t.handover.is_none() {
        return Err(refuse(
            "handover",
            "required",
            "handover is booked by Saturday slot",
        ));
    }
    if let Some((date, slot)) = t.handover {
        if service != ServiceType::Handover {
            return Err(refuse(
                "handover",
                "not_handover",
                "this case is not handover",
            ));
        }
        let at = arrival::handover_slot(date, slot)
            .map_err(|e| refuse("handover.date", "saturday_only", e.to_string()))?;
        return Ok(Plan {
            slots: vec![at],
            handover: Some(slot),
            series: false,
        });
    }
    if let Some(rule) = &t.series {
        let slots = series::expand(rule)
            .map_err(|e| refuse(&format!("series.{}", e.field()), "invalid", e.to_string()))?;
        return Ok(Plan {
            slots,
            handover: None,
            series: true,
        });
    }
    let (Some(start), Some(end)) = (t.starts_at, t.ends_at) else {
        let field = if t.starts_at.is_none() {
            "starts_at"
        } else {
            "ends_at"
        };
        return Err(refuse(
            field,
            "required",
            "a session needs both its start and end",
        ));
    };
    let slot = Slot::new(start, end).map_err(|e| refuse("ends_at", "range", e.to_string()))?;
    Ok(Plan {
        slots: vec![slot],
        handover: None,
        series: false,
    })
}

/// How a case may take sessions now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    /// Booked for real (charged if the tariff says so).
    Book,
    /// Held provisionally before contact starts, to confirm before the pre-visit.
    Hold,
}

/// Why a case takes no sessions now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("{0} contact has no sessions")]
    NoSessions(ServiceType),
    #[error("a case that is {} has no sessions booked; only supervised dates can be held provisionally before contact starts", .0.as_str())]
    NotActive(ReferralStatus),
}

/// Whether a case of `service` in `status` may book (an active case), or hold supervised dates
/// provisionally (a case not yet active and not closed or declined), or neither.
pub fn admission(
    service: ServiceType,
    status: ReferralStatus,
    provisional: bool,
) -> Result<Admission, Refusal> {
    if !super::place::needs(service).sessions {
        return Err(Refusal::NoSessions(service));
    }
    let open = matches!(status, ReferralStatus::Active | ReferralStatus::ReviewDue);
    if open {
        return Ok(Admission::Book);
    }
    if provisional && service == ServiceType::Supervised && !is_final(status) {
        return Ok(Admission::Hold);
    }
    Err(Refusal::NotActive(status))
}

/// The first slot that has already started at `now`.
pub fn first_started(slots: &[Slot], now: OffsetDateTime) -> Option<&Slot> {
    slots.iter().find(|s| s.start <= now)
}

/// What a move changes: exact times (one session only) or a new local start and/or length,
/// applied on each session's own date; and where.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Retime {
    pub scope: Option<EditScope>,
    pub starts_at: Option<OffsetDateTime>,
    pub ends_at: Option<OffsetDateTime>,
    pub starts: Option<Time>,
    pub minutes: Option<u32>,
    pub room: bool,
    pub supervisor: bool,
    pub community_place: bool,
}

impl Retime {
    /// The field a refusal of the new times names.
    pub fn field(&self) -> &'static str {
        if self.starts_at.is_some() {
            "starts_at"
        } else {
            "starts"
        }
    }
}

/// Refuses a move that changes nothing, mixes exact and local times, gives exact times for
/// more than one session, or puts a session both in a room and in the community.
pub fn check_move(m: &Retime) -> Result<(), RequestError> {
    let exact = m.starts_at.is_some() || m.ends_at.is_some();
    if exact && m.scope.is_some_and(|s| s != EditScope::One) {
        return Err(refuse(
            "starts_at",
            "one_only",
            "exact times move one session; move a series with starts and minutes",
        ));
    }
    if exact && (m.starts.is_some() || m.minutes.is_some()) {
        return Err(refuse(
            "starts",
            "one_of",
            "give starts_at/ends_at or starts/minutes, not both",
        ));
    }
    if m.room && m.community_place {
        return Err(refuse(
            "room_id",
            "one_of",
            "a session is in a room or in the community, not both",
        ));
    }
    let nothing = !exact
        && m.starts.is_none()
        && m.minutes.is_none()
        && !m.room
        && !m.supervisor
        && !m.community_place;
    if nothing {
        return Err(refuse(
            "scope",
            "nothing_to_change",
            "nothing to change was given",
        ));
    }
    Ok(())
}

/// A moved session's new slot, from its current one.
pub fn moved_slot(m: &Retime, current: &Slot) -> Result<Slot, RequestError> {
    match (m.starts_at, m.ends_at) {
        (Some(start), Some(end)) => {
            Slot::new(start, end).map_err(|e| refuse("ends_at", "range", e.to_string()))
        }
        (None, None) => series::retime(current, m.starts, m.minutes)
            .map_err(|e| refuse("minutes", "range", e.to_string())),
        (Some(_), None) => Err(refuse("ends_at", "required", "give both times")),
        (None, Some(_)) => Err(refuse("starts_at", "required", "give both times")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime, time};

    fn single() -> Times {
        Times {
            starts_at: Some(datetime!(2027-01-09 10:00 UTC)),
            ends_at: Some(datetime!(2027-01-09 12:00 UTC)),
            ..Times::default()
        }
    }

    #[test]
    fn a_booking_gives_exactly_one_kind_of_times() {
        let p = plan(&single(), ServiceType::Supported).unwrap();
        assert_eq!(p.slots.len(), 1);
        assert_eq!(p.field(), "starts_at");
        let mut both = single();
        both.handover = Some((date!(2027 - 01 - 09), HandoverSlot::Morning));
        assert_eq!(
            plan(&both, ServiceType::Handover).unwrap_err().code,
            "one_of"
        );
        assert_eq!(
            plan(&Times::default(), ServiceType::Supported)
                .unwrap_err()
                .code,
            "one_of"
        );
        let half = Times {
            starts_at: single().starts_at,
            ..Times::default()
        };
        assert_eq!(
            plan(&half, ServiceType::Supported).unwrap_err().field,
            "ends_at"
        );
    }

    #[test]
    fn handover_is_booked_by_saturday_slot_and_only_handover_is() {
        assert_eq!(
            plan(&single(), ServiceType::Handover).unwrap_err().field,
            "handover"
        );
        let slot = Times {
            handover: Some((date!(2027 - 01 - 09), HandoverSlot::Morning)),
            ..Times::default()
        };
        assert_eq!(
            plan(&slot, ServiceType::Supported).unwrap_err().code,
            "not_handover"
        );
        let p = plan(&slot, ServiceType::Handover).unwrap();
        assert_eq!(p.handover, Some(HandoverSlot::Morning));
        let friday = Times {
            handover: Some((date!(2027 - 01 - 08), HandoverSlot::Morning)),
            ..Times::default()
        };
        assert_eq!(
            plan(&friday, ServiceType::Handover).unwrap_err().field,
            "handover.date"
        );
    }

    #[test]
    fn a_series_is_expanded_and_its_errors_name_the_series_field() {
        let mut rule = SeriesRule {
            first_date: date!(2027 - 01 - 09),
            starts: time!(10:00),
            minutes: 120,
            every_weeks: 2,
            count: 3,
        };
        let t = Times {
            series: Some(rule.clone()),
            ..Times::default()
        };
        let p = plan(&t, ServiceType::Supervised).unwrap();
        assert_eq!((p.slots.len(), p.field()), (3, "series.first_date"));
        rule.every_weeks = 9;
        let t = Times {
            series: Some(rule),
            ..Times::default()
        };
        assert_eq!(
            plan(&t, ServiceType::Supervised).unwrap_err().field,
            "series.every_weeks"
        );
    }

    #[test]
    fn only_an_active_case_books_and_only_supervised_dates_are_held_before() {
        use ReferralStatus::*;
        use ServiceType::*;
        assert_eq!(admission(Supported, Active, false), Ok(Admission::Book));
        assert_eq!(admission(Supervised, ReviewDue, true), Ok(Admission::Book));
        assert_eq!(
            admission(Indirect, Active, false),
            Err(Refusal::NoSessions(Indirect))
        );
        assert_eq!(admission(Supervised, Screening, true), Ok(Admission::Hold));
        assert_eq!(
            admission(Supervised, Screening, false),
            Err(Refusal::NotActive(Screening))
        );
        assert_eq!(
            admission(Supported, Screening, true),
            Err(Refusal::NotActive(Screening))
        );
        assert_eq!(
            admission(Supervised, Closed, true),
            Err(Refusal::NotActive(Closed))
        );
    }

    #[test]
    fn a_move_needs_something_to_change_and_exact_times_only_for_one_session() {
        assert_eq!(
            check_move(&Retime {
                scope: Some(EditScope::All),
                ..Retime::default()
            })
            .unwrap_err()
            .code,
            "nothing_to_change"
        );
        let exact = Retime {
            scope: Some(EditScope::All),
            starts_at: Some(datetime!(2027-01-09 10:00 UTC)),
            ends_at: Some(datetime!(2027-01-09 11:00 UTC)),
            ..Retime::default()
        };
        assert_eq!(check_move(&exact).unwrap_err().code, "one_only");
        let both = Retime {
            room: true,
            community_place: true,
            ..Retime::default()
        };
        assert_eq!(check_move(&both).unwrap_err().field, "room_id");
        let later = Retime {
            scope: Some(EditScope::Following),
            starts: Some(time!(14:00)),
            ..Retime::default()
        };
        assert!(check_move(&later).is_ok());
    }

    #[test]
    fn a_moved_session_keeps_its_date_unless_given_exact_times() {
        let current = Slot::new(
            datetime!(2027-01-09 10:00 UTC),
            datetime!(2027-01-09 12:00 UTC),
        )
        .unwrap();
        let longer = Retime {
            minutes: Some(180),
            ..Retime::default()
        };
        assert_eq!(moved_slot(&longer, &current).unwrap().minutes(), 180);
        let half = Retime {
            starts_at: Some(datetime!(2027-01-10 10:00 UTC)),
            ..Retime::default()
        };
        assert_eq!(moved_slot(&half, &current).unwrap_err().field, "ends_at");
    }
}
