//! A supervised session's report: drafted by the supervisor, quality-checked by someone else,
//! released only to the recipients the court order or agreement names, and amended (never
//! rewritten) after release.

use time::{Date, Duration, Weekday};

string_enum! {
    /// Where a report stands: `due` (the session is over, nothing written yet) → `draft` →
    /// `in_qa` → `changes_requested` (back to its author) or `approved` → `released` (to the
    /// named recipients) → `amended` (a correction after release, which goes through QA and is
    /// released again; the released version is kept).
    ReportStatus {
        Due = "due",
        Draft = "draft",
        InQa = "in_qa",
        ChangesRequested = "changes_requested",
        Approved = "approved",
        Released = "released",
        Amended = "amended",
    }
}

/// What happens to a report. `by_author` says whether the person acting wrote it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportEvent {
    /// Sections written or changed.
    Write,
    SubmitForQa,
    RequestChanges {
        by_author: bool,
    },
    Approve {
        by_author: bool,
    },
    Release,
    Amend,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error("a report that is {} cannot be {}", .from.as_str(), describe(.event))]
    Transition {
        from: ReportStatus,
        event: ReportEvent,
    },
    /// Quality assurance is independent: the author never checks their own report.
    #[error("the report's author cannot quality-check it; someone else must")]
    NotIndependent,
}

fn describe(event: &ReportEvent) -> &'static str {
    match event {
        ReportEvent::Write => "written",
        ReportEvent::SubmitForQa => "sent for quality assurance",
        ReportEvent::RequestChanges { .. } => "sent back for changes",
        ReportEvent::Approve { .. } => "approved",
        ReportEvent::Release => "released",
        ReportEvent::Amend => "amended",
    }
}

/// The state after `event`, or why it cannot happen.
pub fn apply(from: ReportStatus, event: ReportEvent) -> Result<ReportStatus, ReportError> {
    use ReportStatus::*;
    let independent = |by_author: bool, to: ReportStatus| {
        if by_author {
            Err(ReportError::NotIndependent)
        } else {
            Ok(to)
        }
    };
    match (from, event) {
        (Due | Draft, ReportEvent::Write) => Ok(Draft),
        (s @ (ChangesRequested | Amended), ReportEvent::Write) => Ok(s),
        (Draft | ChangesRequested | Amended, ReportEvent::SubmitForQa) => Ok(InQa),
        (InQa, ReportEvent::RequestChanges { by_author }) => {
            independent(by_author, ChangesRequested)
        }
        (InQa, ReportEvent::Approve { by_author }) => independent(by_author, Approved),
        (Approved, ReportEvent::Release) => Ok(Released),
        (Released, ReportEvent::Amend) => Ok(Amended),
        _ => Err(ReportError::Transition { from, event }),
    }
}

/// What can be done to a report in this state, as its endpoints are named.
pub fn allowed_actions(status: ReportStatus) -> &'static [&'static str] {
    match status {
        ReportStatus::Due => &["write"],
        ReportStatus::Draft | ReportStatus::ChangesRequested | ReportStatus::Amended => {
            &["write", "submit"]
        }
        ReportStatus::InQa => &["request_changes", "approve"],
        ReportStatus::Approved => &["release"],
        ReportStatus::Released => &["amend"],
    }
}

/// The day a report falls due: `working_days` working days (Monday to Friday) after the
/// session's local date.
pub fn due_on(session_date: Date, working_days: u32) -> Date {
    let mut day = session_date;
    let mut left = working_days;
    while left > 0 {
        day += Duration::DAY;
        if !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
            left -= 1;
        }
    }
    day
}

string_enum! {
    /// Who a supervised report may go to, as the court order or agreement names them.
    Recipient {
        ResidentParent = "resident_parent",
        NonResidentParent = "non_resident_parent",
        Cafcass = "cafcass",
        ResidentParentSolicitor = "resident_parent_solicitor",
        NonResidentParentSolicitor = "non_resident_parent_solicitor",
        SocialWorker = "social_worker",
        Court = "court",
    }
}

/// The recipient a parent is, by their part in the case.
pub fn recipient_for_party(role: crate::referral::PartyRole) -> Option<Recipient> {
    use crate::referral::PartyRole;
    match role {
        PartyRole::ResidentParent => Some(Recipient::ResidentParent),
        PartyRole::NonResidentParent => Some(Recipient::NonResidentParent),
        PartyRole::Child | PartyRole::Attendee => None,
    }
}

/// The recipient a case's referrer is, when its kind says so without doubt. A solicitor acts
/// for one side, which the referral does not record, so a solicitor is never assumed to be
/// either side's: the centre sends them their copy.
pub fn recipient_for_referrer(kind: crate::ReferrerKind) -> Option<Recipient> {
    use crate::ReferrerKind;
    match kind {
        ReferrerKind::Cafcass => Some(Recipient::Cafcass),
        ReferrerKind::Court => Some(Recipient::Court),
        ReferrerKind::LocalAuthority => Some(Recipient::SocialWorker),
        ReferrerKind::SelfReferral | ReferrerKind::Solicitor | ReferrerKind::OtherCentre => None,
    }
}

/// The first requested recipient the order does not name, if any: a report goes only to
/// those named.
pub fn unnamed_recipient(named: &[Recipient], requested: &[Recipient]) -> Option<Recipient> {
    requested.iter().copied().find(|r| !named.contains(r))
}

#[cfg(test)]
mod tests {
    use super::ReportStatus::*;
    use super::*;
    use time::macros::date;

    #[test]
    fn a_report_is_drafted_checked_by_someone_else_released_and_amended() {
        let mut s = Due;
        for (event, to) in [
            (ReportEvent::Write, Draft),
            (ReportEvent::SubmitForQa, InQa),
            (
                ReportEvent::RequestChanges { by_author: false },
                ChangesRequested,
            ),
            (ReportEvent::Write, ChangesRequested),
            (ReportEvent::SubmitForQa, InQa),
            (ReportEvent::Approve { by_author: false }, Approved),
            (ReportEvent::Release, Released),
            (ReportEvent::Amend, Amended),
            (ReportEvent::SubmitForQa, InQa),
        ] {
            s = apply(s, event).unwrap();
            assert_eq!(s, to, "{event:?}");
        }
    }

    #[test]
    fn the_author_never_approves_or_sends_back_their_own_report() {
        assert_eq!(
            apply(InQa, ReportEvent::Approve { by_author: true }),
            Err(ReportError::NotIndependent)
        );
        assert_eq!(
            apply(InQa, ReportEvent::RequestChanges { by_author: true }),
            Err(ReportError::NotIndependent)
        );
    }

    #[test]
    fn a_released_report_is_never_rewritten_and_nothing_is_released_unapproved() {
        assert!(apply(Released, ReportEvent::Write).is_err());
        assert!(apply(InQa, ReportEvent::Release).is_err());
        assert!(apply(Draft, ReportEvent::Release).is_err());
        assert_eq!(
            apply(Released, ReportEvent::Write).unwrap_err().to_string(),
            "a report that is released cannot be written"
        );
    }

    #[test]
    fn a_report_is_due_five_working_days_after_a_saturday_session() {
        // Saturday 9 January 2027: Monday 11 to Friday 15.
        assert_eq!(due_on(date!(2027 - 01 - 09), 5), date!(2027 - 01 - 15));
        // Wednesday 13 January: Thursday, Friday, Monday, Tuesday, Wednesday.
        assert_eq!(due_on(date!(2027 - 01 - 13), 5), date!(2027 - 01 - 20));
        assert_eq!(due_on(date!(2027 - 01 - 13), 0), date!(2027 - 01 - 13));
    }

    #[test]
    fn parents_and_unambiguous_referrers_are_recipients_by_their_part() {
        use crate::referral::PartyRole;
        use crate::ReferrerKind;
        assert_eq!(
            recipient_for_party(PartyRole::NonResidentParent),
            Some(Recipient::NonResidentParent)
        );
        assert_eq!(recipient_for_party(PartyRole::Child), None);
        assert_eq!(
            recipient_for_referrer(ReferrerKind::Cafcass),
            Some(Recipient::Cafcass)
        );
        assert_eq!(recipient_for_referrer(ReferrerKind::Solicitor), None);
    }

    #[test]
    fn a_report_goes_only_to_the_recipients_the_order_names() {
        let named = [Recipient::Cafcass, Recipient::ResidentParentSolicitor];
        assert_eq!(unnamed_recipient(&named, &[Recipient::Cafcass]), None);
        assert_eq!(
            unnamed_recipient(&named, &[Recipient::Cafcass, Recipient::Court]),
            Some(Recipient::Court)
        );
    }
}
