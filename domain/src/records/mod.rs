//! What a centre writes down about contact, and the rules on writing it: supervised contact
//! has a report per session; supported and handover contact have no notes at all.

pub mod indirect;
pub mod report;

use crate::ServiceType;

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
