//! Casework records: the suitability assessment, each side's pre-visit, reviews and the
//! next-steps meeting (a review and the meeting are recorded through
//! [`act`](crate::referrals::actions::act); this reads them back).

pub mod assessment;
pub mod pre_visits;
pub mod reviews;

pub use ccm_persistence::casework::{Assessment, NextStepsMeeting, PreVisit, Review};
