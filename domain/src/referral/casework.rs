//! Between the offer and closure: the suitability assessment, a pre-visit for each side
//! (held separately, never overlapping, and for supported contact not on the day of the first
//! session), reviews about every three months, and the next-steps meeting that ends a
//! court-ordered case.

use time::{Date, Month, OffsetDateTime};

use super::PartyRole;
use crate::ServiceType;

string_enum! {
    AssessmentOutcome {
        Suitable = "suitable",
        /// Suitable with controls (separate entrances, a longer arrival offset, ...).
        SuitableWithControls = "suitable_with_controls",
        Unsuitable = "unsuitable",
    }
}

/// A pre-visit as the rules see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PreVisit {
    pub party: PartyRole,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub attended: bool,
}

/// Whether a new pre-visit may be booked beside the case's existing ones.
pub fn check_pre_visit(
    existing: &[PreVisit],
    new: PreVisit,
    local_date: Date,
    service: ServiceType,
    first_session_on: Option<Date>,
) -> Result<(), &'static str> {
    if !new.party.is_parent() {
        return Err("pre-visits are for the resident and the non-resident parent");
    }
    if new.ends_at <= new.starts_at {
        return Err("must end after it starts");
    }
    if existing.iter().any(|v| v.party == new.party) {
        return Err("this side already has a pre-visit: one per side");
    }
    if existing
        .iter()
        .any(|v| v.starts_at < new.ends_at && new.starts_at < v.ends_at)
    {
        return Err("must not overlap the other side's pre-visit: the parents never meet");
    }
    if service == ServiceType::Supported && first_session_on == Some(local_date) {
        return Err(
            "for supported contact a pre-visit is not held on the day of the first session",
        );
    }
    Ok(())
}

/// Both parents have had their pre-visit: contact can start.
pub fn pre_visits_done(visits: &[PreVisit]) -> bool {
    [PartyRole::ResidentParent, PartyRole::NonResidentParent]
        .iter()
        .all(|side| visits.iter().any(|v| v.party == *side && v.attended))
}

/// `date` moved on by `months` calendar months (the 31st becomes the month's last day).
pub fn add_months(date: Date, months: u32) -> Date {
    let total = date.year() * 12 + (date.month() as i32 - 1) + months as i32;
    let (year, month0) = (total.div_euclid(12), total.rem_euclid(12));
    let month = Month::try_from(month0 as u8 + 1).unwrap_or(Month::January);
    let day = date.day().min(time::util::days_in_month(month, year));
    Date::from_calendar_date(year, month, day).unwrap_or(date)
}

/// Continuing contact more than six months after it started is exceptional and needs a
/// recorded reason at review.
pub fn continuing_needs_reason(activated_on: Date, today: Date) -> bool {
    today > add_months(activated_on, 6)
}

/// A court-ordered case that reached contact closes with a next-steps meeting on record.
pub fn closure_needs_next_steps(
    court_ordered: bool,
    had_contact: bool,
    meeting_recorded: bool,
) -> bool {
    court_ordered && had_contact && !meeting_recorded
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};
    use PartyRole::*;

    fn visit(party: PartyRole, start: OffsetDateTime, hours: i64, attended: bool) -> PreVisit {
        PreVisit {
            party,
            starts_at: start,
            ends_at: start + time::Duration::hours(hours),
            attended,
        }
    }

    #[test]
    fn one_pre_visit_per_side_never_overlapping() {
        let first = visit(ResidentParent, datetime!(2026-04-04 10:00 UTC), 1, false);
        let check = |v: PreVisit| {
            check_pre_visit(
                &[first],
                v,
                v.starts_at.date(),
                ServiceType::Supervised,
                None,
            )
        };
        assert!(check(visit(
            NonResidentParent,
            datetime!(2026-04-04 11:00 UTC),
            1,
            false
        ))
        .is_ok());
        assert!(check(visit(
            NonResidentParent,
            datetime!(2026-04-04 10:30 UTC),
            1,
            false
        ))
        .is_err());
        assert!(check(visit(
            ResidentParent,
            datetime!(2026-04-11 10:00 UTC),
            1,
            false
        ))
        .is_err());
        assert!(check(visit(Child, datetime!(2026-04-11 10:00 UTC), 1, false)).is_err());
    }

    #[test]
    fn for_supported_contact_not_on_the_day_of_the_first_session() {
        let v = visit(ResidentParent, datetime!(2026-04-04 10:00 UTC), 1, false);
        let on_the_day = check_pre_visit(
            &[],
            v,
            date!(2026 - 04 - 04),
            ServiceType::Supported,
            Some(date!(2026 - 04 - 04)),
        );
        assert!(on_the_day.is_err());
        assert!(check_pre_visit(
            &[],
            v,
            date!(2026 - 04 - 04),
            ServiceType::Supported,
            Some(date!(2026 - 04 - 11))
        )
        .is_ok());
        assert!(check_pre_visit(
            &[],
            v,
            date!(2026 - 04 - 04),
            ServiceType::Supervised,
            Some(date!(2026 - 04 - 04))
        )
        .is_ok());
    }

    #[test]
    fn contact_starts_when_both_sides_have_had_their_pre_visit() {
        let r = visit(ResidentParent, datetime!(2026-04-04 10:00 UTC), 1, true);
        let n = visit(NonResidentParent, datetime!(2026-04-05 10:00 UTC), 1, false);
        assert!(!pre_visits_done(&[r, n]));
        assert!(pre_visits_done(&[
            r,
            PreVisit {
                attended: true,
                ..n
            }
        ]));
    }

    #[test]
    fn reviews_fall_every_three_months_and_six_months_is_the_usual_limit() {
        assert_eq!(add_months(date!(2026 - 01 - 31), 1), date!(2026 - 02 - 28));
        assert_eq!(add_months(date!(2026 - 11 - 15), 3), date!(2027 - 02 - 15));
        assert!(!continuing_needs_reason(
            date!(2026 - 01 - 10),
            date!(2026 - 07 - 10)
        ));
        assert!(continuing_needs_reason(
            date!(2026 - 01 - 10),
            date!(2026 - 07 - 11)
        ));
    }

    #[test]
    fn a_court_ordered_case_that_had_contact_closes_after_a_next_steps_meeting() {
        assert!(closure_needs_next_steps(true, true, false));
        assert!(!closure_needs_next_steps(true, true, true));
        assert!(!closure_needs_next_steps(true, false, false));
        assert!(!closure_needs_next_steps(false, true, false));
    }
}
