//! How long a provider keeps each class of record after a case closes, what happens then, and
//! what stops it (domain.md: "Retention differs by record class (e.g. attendance about 3
//! years) with legal holds").
//!
//! Where statistics need a record (attendance, money), its people are anonymised rather than
//! the record deleted. A provider sets a legal minimum per class (what its lawyers, funders or
//! regulators require); no policy may be shorter, and a legal hold on a case keeps everything.

use time::{Date, Month};

string_enum! {
    /// The classes of record a retention policy speaks of.
    RecordClass {
        /// Sessions and who attended them.
        Attendance = "attendance",
        /// The referral, its people, assessments, reviews and history.
        CaseRecords = "case_records",
        /// Supervised session reports and their releases.
        Reports = "reports",
        Incidents = "incidents",
        SafeguardingConcerns = "safeguarding_concerns",
        /// The letterbox item log.
        IndirectItems = "indirect_items",
        Documents = "documents",
        /// Charges, payments, refunds and waivers.
        Financial = "financial",
    }
}

string_enum! {
    /// What happens to a record when its time is up.
    RetentionAction {
        /// The record stays for statistics; the people in it are replaced by placeholders.
        Anonymise = "anonymise",
        Delete = "delete",
    }
}

/// One class's rule: kept for `years` after the case closed, then `action`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    pub class: RecordClass,
    pub years: u8,
    pub action: RetentionAction,
}

/// The longest retention a policy may set: beyond it a record is no longer "retained", it is
/// kept for ever.
pub const MAX_YEARS: u8 = 100;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("{} must be kept at least {minimum} years (the provider's legal minimum)", .class.as_str())]
    BelowMinimum { class: RecordClass, minimum: u8 },
    #[error("a retention period is at most {MAX_YEARS} years")]
    TooLong,
    /// Money and attendance are counted in the charity's returns: their people are anonymised,
    /// the records themselves kept.
    #[error("{} records are anonymised, not deleted: statistics need them", .0.as_str())]
    MustAnonymise(RecordClass),
}

/// Checks a policy against the provider's legal minimum for its class (if any).
pub fn check_policy(policy: Policy, legal_minimum: Option<u8>) -> Result<(), PolicyError> {
    if policy.years > MAX_YEARS {
        return Err(PolicyError::TooLong);
    }
    if let Some(minimum) = legal_minimum.filter(|m| policy.years < *m) {
        return Err(PolicyError::BelowMinimum {
            class: policy.class,
            minimum,
        });
    }
    let counted = matches!(
        policy.class,
        RecordClass::Attendance | RecordClass::Financial
    );
    if counted && policy.action == RetentionAction::Delete {
        return Err(PolicyError::MustAnonymise(policy.class));
    }
    Ok(())
}

/// The default policy for a class, before a provider sets its own.
pub fn default_policy(class: RecordClass) -> Policy {
    let (years, action) = match class {
        RecordClass::Attendance => (3, RetentionAction::Anonymise),
        RecordClass::Financial => (6, RetentionAction::Anonymise),
        RecordClass::CaseRecords | RecordClass::Reports | RecordClass::Incidents => {
            (6, RetentionAction::Delete)
        }
        RecordClass::IndirectItems | RecordClass::Documents => (3, RetentionAction::Delete),
        // A child's safeguarding record is kept until well into adulthood.
        RecordClass::SafeguardingConcerns => (25, RetentionAction::Delete),
    };
    Policy {
        class,
        years,
        action,
    }
}

/// What to do with a closed case's records of one class today.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Keep,
    /// Kept only because of a legal hold.
    Held,
    Apply(RetentionAction),
}

/// The day a closed case's records of a class fall due: `years` after closure (29 February
/// closes on 28 February in a year that has none).
pub fn due_on(closed_on: Date, years: u8) -> Date {
    let year = closed_on.year() + i32::from(years);
    Date::from_calendar_date(year, closed_on.month(), closed_on.day())
        .or_else(|_| Date::from_calendar_date(year, Month::February, 28))
        .unwrap_or(closed_on)
}

pub fn decide(policy: Policy, closed_on: Option<Date>, held: bool, today: Date) -> Decision {
    match closed_on {
        // An open case's records are in use.
        None => Decision::Keep,
        Some(closed) if today < due_on(closed, policy.years) => Decision::Keep,
        Some(_) if held => Decision::Held,
        Some(_) => Decision::Apply(policy.action),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn attendance_is_kept_three_years_after_closure_then_anonymised() {
        let policy = default_policy(RecordClass::Attendance);
        let closed = Some(date!(2026 - 03 - 14));
        assert_eq!(
            decide(policy, closed, false, date!(2029 - 03 - 13)),
            Decision::Keep
        );
        assert_eq!(
            decide(policy, closed, false, date!(2029 - 03 - 14)),
            Decision::Apply(RetentionAction::Anonymise)
        );
        assert_eq!(
            decide(policy, None, false, date!(2040 - 01 - 01)),
            Decision::Keep
        );
    }

    #[test]
    fn a_legal_hold_keeps_what_would_otherwise_go() {
        let policy = default_policy(RecordClass::Reports);
        assert_eq!(
            decide(
                policy,
                Some(date!(2020 - 01 - 10)),
                true,
                date!(2027 - 01 - 10)
            ),
            Decision::Held
        );
    }

    #[test]
    fn no_policy_is_shorter_than_the_providers_legal_minimum() {
        let short = Policy {
            class: RecordClass::Reports,
            years: 2,
            action: RetentionAction::Delete,
        };
        assert_eq!(
            check_policy(short, Some(6)),
            Err(PolicyError::BelowMinimum {
                class: RecordClass::Reports,
                minimum: 6
            })
        );
        assert_eq!(check_policy(short, None), Ok(()));
        assert_eq!(check_policy(Policy { years: 6, ..short }, Some(6)), Ok(()));
    }

    #[test]
    fn records_statistics_need_are_anonymised_not_deleted() {
        let delete_money = Policy {
            class: RecordClass::Financial,
            years: 6,
            action: RetentionAction::Delete,
        };
        assert_eq!(
            check_policy(delete_money, None),
            Err(PolicyError::MustAnonymise(RecordClass::Financial))
        );
        for class in RecordClass::ALL {
            assert_eq!(
                check_policy(default_policy(*class), None),
                Ok(()),
                "{class:?}"
            );
        }
    }

    #[test]
    fn a_leap_day_closure_falls_due_on_the_28th() {
        assert_eq!(due_on(date!(2028 - 02 - 29), 3), date!(2031 - 02 - 28));
        assert_eq!(due_on(date!(2028 - 02 - 29), 4), date!(2032 - 02 - 29));
    }
}
