//! Safeguarding concerns about a child, and disclosure beyond attendance.
//!
//! Anyone working at the centre raises a concern; the designated safeguarding lead (a
//! coordinator or org admin) decides what to do; a referral to an outside agency is recorded
//! with whom and when; the concern is closed with its outcome. Raising one may suspend the
//! case at once.

use time::OffsetDateTime;

use crate::ServiceType;

string_enum! {
    /// Where a concern stands: `raised` → `decided` (by the designated lead) → `referred` (to
    /// an outside agency, when that was the decision) → `closed` (with its outcome).
    ConcernStatus {
        Raised = "raised",
        Decided = "decided",
        Referred = "referred",
        Closed = "closed",
    }
}

string_enum! {
    /// The designated lead's decision: `no_further_action`, `monitor` (watch and record), or
    /// `refer_externally` (to children's social care, the police, the LADO...).
    ConcernDecision {
        NoFurtherAction = "no_further_action",
        Monitor = "monitor",
        ReferExternally = "refer_externally",
    }
}

string_enum! {
    /// Who a concern was referred to.
    Agency {
        ChildrensSocialCare = "childrens_social_care",
        Police = "police",
        Lado = "lado",
        Cafcass = "cafcass",
        Nspcc = "nspcc",
        Other = "other",
    }
}

string_enum! {
    /// Who something beyond attendance was disclosed to.
    DisclosureRecipient {
        Referrer = "referrer",
        Court = "court",
        Cafcass = "cafcass",
        Police = "police",
        SocialWorker = "social_worker",
        Other = "other",
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConcernEvent {
    Decide(ConcernDecision),
    Refer,
    Close,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConcernError {
    #[error("a concern that is {} cannot be {}", .from.as_str(), describe(.event))]
    Transition {
        from: ConcernStatus,
        event: ConcernEvent,
    },
    /// A referral is made only when the designated lead decided to refer.
    #[error("the designated lead decided {}: there is no outside referral to record", .0.as_str())]
    NotReferable(ConcernDecision),
    /// A concern the lead decided to refer stays open until the referral is recorded.
    #[error("the decision was to refer: record the outside referral before closing")]
    ReferralOutstanding,
}

fn describe(event: &ConcernEvent) -> &'static str {
    match event {
        ConcernEvent::Decide(_) => "decided",
        ConcernEvent::Refer => "referred",
        ConcernEvent::Close => "closed",
    }
}

/// The state after `event`, given the decision already made (if any).
pub fn apply(
    from: ConcernStatus,
    decision: Option<ConcernDecision>,
    event: ConcernEvent,
) -> Result<ConcernStatus, ConcernError> {
    use ConcernStatus::*;
    match (from, event) {
        (Raised, ConcernEvent::Decide(_)) => Ok(Decided),
        (Decided, ConcernEvent::Refer) => match decision {
            Some(ConcernDecision::ReferExternally) => Ok(Referred),
            Some(other) => Err(ConcernError::NotReferable(other)),
            None => Err(ConcernError::Transition { from, event }),
        },
        (Decided, ConcernEvent::Close) => match decision {
            Some(ConcernDecision::ReferExternally) => Err(ConcernError::ReferralOutstanding),
            _ => Ok(Closed),
        },
        (Referred, ConcernEvent::Close) => Ok(Closed),
        _ => Err(ConcernError::Transition { from, event }),
    }
}

/// What can be done to a concern in this state, as its endpoints are named.
pub fn allowed_actions(
    status: ConcernStatus,
    decision: Option<ConcernDecision>,
) -> &'static [&'static str] {
    match (status, decision) {
        (ConcernStatus::Raised, _) => &["decide"],
        (ConcernStatus::Decided, Some(ConcernDecision::ReferExternally)) => &["refer"],
        (ConcernStatus::Decided, _) => &["close"],
        (ConcernStatus::Referred, _) => &["close"],
        (ConcernStatus::Closed, _) => &[],
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReferralTimeError {
    #[error("a referral cannot be recorded as made in the future")]
    InFuture,
    #[error("a referral cannot be made before the concern was raised")]
    BeforeConcern,
}

/// An outside referral happened after the concern was raised and is not in the future.
pub fn referral_time(
    raised_at: OffsetDateTime,
    referred_at: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<(), ReferralTimeError> {
    if referred_at > now {
        Err(ReferralTimeError::InFuture)
    } else if referred_at < raised_at {
        Err(ReferralTimeError::BeforeConcern)
    } else {
        Ok(())
    }
}

/// Why a disclosure beyond attendance was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("for {} contact only attendance dates and times may be disclosed; anything more needs a safeguarding reason", .0.as_str())]
pub struct NeedsSafeguardingReason(pub ServiceType);

/// Anything disclosed about a supported or handover case beyond attendance (and, for
/// supervised contact, beyond its released reports) is justified only by someone being at risk
/// of harm: the reason is required and kept.
pub fn disclosure_reason(
    service: ServiceType,
    reason: Option<&str>,
) -> Result<String, NeedsSafeguardingReason> {
    reason
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string)
        .ok_or(NeedsSafeguardingReason(service))
}

#[cfg(test)]
mod tests {
    use super::ConcernStatus::*;
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_concern_is_decided_by_the_lead_referred_when_so_decided_and_closed() {
        let refer = Some(ConcernDecision::ReferExternally);
        let s = apply(
            Raised,
            None,
            ConcernEvent::Decide(ConcernDecision::ReferExternally),
        )
        .unwrap();
        assert_eq!(s, Decided);
        assert_eq!(
            apply(s, refer, ConcernEvent::Close),
            Err(ConcernError::ReferralOutstanding)
        );
        let s = apply(s, refer, ConcernEvent::Refer).unwrap();
        assert_eq!(s, Referred);
        assert_eq!(apply(s, refer, ConcernEvent::Close), Ok(Closed));
        assert_eq!(allowed_actions(Closed, refer), &[] as &[&str]);
    }

    #[test]
    fn a_concern_needing_no_referral_closes_without_one() {
        let monitor = Some(ConcernDecision::Monitor);
        assert_eq!(
            apply(Decided, monitor, ConcernEvent::Refer),
            Err(ConcernError::NotReferable(ConcernDecision::Monitor))
        );
        assert_eq!(apply(Decided, monitor, ConcernEvent::Close), Ok(Closed));
        assert_eq!(allowed_actions(Decided, monitor), &["close"]);
    }

    #[test]
    fn nothing_happens_out_of_order() {
        assert!(apply(Raised, None, ConcernEvent::Close).is_err());
        assert!(apply(Raised, None, ConcernEvent::Refer).is_err());
        assert!(apply(Closed, None, ConcernEvent::Decide(ConcernDecision::Monitor)).is_err());
        assert_eq!(
            apply(Closed, None, ConcernEvent::Close)
                .unwrap_err()
                .to_string(),
            "a concern that is closed cannot be closed"
        );
    }

    #[test]
    fn a_referral_is_made_after_the_concern_and_not_in_the_future() {
        let raised = datetime!(2027-01-09 11:00 UTC);
        let now = datetime!(2027-01-10 09:00 UTC);
        assert_eq!(
            referral_time(raised, datetime!(2027-01-09 15:00 UTC), now),
            Ok(())
        );
        assert_eq!(
            referral_time(raised, datetime!(2027-01-09 10:00 UTC), now),
            Err(ReferralTimeError::BeforeConcern)
        );
        assert_eq!(
            referral_time(raised, datetime!(2027-01-11 10:00 UTC), now),
            Err(ReferralTimeError::InFuture)
        );
    }

    #[test]
    fn disclosure_beyond_attendance_needs_a_safeguarding_reason() {
        assert_eq!(
            disclosure_reason(ServiceType::Supported, None),
            Err(NeedsSafeguardingReason(ServiceType::Supported))
        );
        assert_eq!(
            disclosure_reason(ServiceType::Handover, Some("   ")),
            Err(NeedsSafeguardingReason(ServiceType::Handover))
        );
        assert_eq!(
            disclosure_reason(
                ServiceType::Supported,
                Some(" child disclosed harm at home ")
            ),
            Ok("child disclosed harm at home".into())
        );
    }
}
