//! What a centre writes down about contact, and the rules on writing it: supervised contact
//! has a report per session; supported and handover contact have no notes at all.

pub mod document;
pub mod indirect;
pub mod report;
pub mod safeguarding;

use time::OffsetDateTime;

use crate::schedule::attendance::ATTENDANCE_MARGIN;
use crate::schedule::Slot;
use crate::ServiceType;

string_enum! {
    /// What kind of incident: `behaviour` (a parent's conduct), `injury`, `safeguarding` (a
    /// concern for a child's safety), `order_breach` (a court order or agreement broken),
    /// `property`, `other`.
    IncidentKind {
        Behaviour = "behaviour",
        Injury = "injury",
        Safeguarding = "safeguarding",
        OrderBreach = "order_breach",
        Property = "property",
        Other = "other",
    }
}

/// Why an incident's time is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IncidentTimeError {
    #[error("is in the future")]
    InFuture,
    #[error("is more than two hours away from the session")]
    OutsideSession,
}

/// An incident happens at the session: between two hours before it and two hours after
/// (arrivals and departures included), and not later than now.
pub fn incident_time(
    slot: &Slot,
    at: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<(), IncidentTimeError> {
    if at > now {
        return Err(IncidentTimeError::InFuture);
    }
    if at < slot.start - ATTENDANCE_MARGIN || at > slot.end + ATTENDANCE_MARGIN {
        return Err(IncidentTimeError::OutsideSession);
    }
    Ok(())
}

/// Why an observation or report is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{} contact keeps no written observations: only attendance dates and times are recorded", .0.as_str())]
pub struct NoNotes(pub ServiceType);

/// Supported and handover centres promise families that nothing is written about them; only
/// supervised contact is observed and reported on. (Indirect contact has its item log, not
/// observations.)
pub fn may_observe(service: ServiceType) -> Result<(), NoNotes> {
    match service {
        ServiceType::Supervised => Ok(()),
        other => Err(NoNotes(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn an_incident_is_recorded_at_its_session_and_not_ahead_of_time() {
        let slot = Slot::new(
            datetime!(2027-01-09 10:00 UTC),
            datetime!(2027-01-09 12:00 UTC),
        )
        .unwrap();
        let now = datetime!(2027-01-09 13:00 UTC);
        assert_eq!(
            incident_time(&slot, datetime!(2027-01-09 11:05 UTC), now),
            Ok(())
        );
        assert_eq!(
            incident_time(&slot, datetime!(2027-01-09 13:30 UTC), now),
            Err(IncidentTimeError::InFuture)
        );
        assert_eq!(
            incident_time(&slot, datetime!(2027-01-08 11:00 UTC), now),
            Err(IncidentTimeError::OutsideSession)
        );
    }

    #[test]
    fn only_supervised_contact_is_observed() {
        assert_eq!(may_observe(ServiceType::Supervised), Ok(()));
        for s in [
            ServiceType::Supported,
            ServiceType::Handover,
            ServiceType::Indirect,
        ] {
            assert_eq!(may_observe(s), Err(NoNotes(s)));
        }
        assert_eq!(
            may_observe(ServiceType::Supported).unwrap_err().to_string(),
            "supported contact keeps no written observations: only attendance dates and times are recorded"
        );
    }
}
