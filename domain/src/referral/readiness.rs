//! What an action needs beyond the case's status. A referral lists an action only when it
//! would succeed now, and the action refuses for the same reason: one rule for both, so a
//! waitlisted case never offers `offer` while every place is taken.

use super::lifecycle::{allowed_actions, ReferralAction, ReferralStatus};

/// Where the case's suitability assessment stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Assessed {
    #[default]
    NotYet,
    Unsuitable,
    Suitable,
}

/// The facts about a case, beyond its status, that some actions need.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Readiness {
    /// A place of the service is free, or places are offered by hand.
    pub place_free: bool,
    /// Both parents attended their pre-visit.
    pub pre_visits_done: bool,
    pub assessed: Assessed,
}

/// Why an action the status allows cannot be taken yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NotReady {
    #[error("every place of this service is taken; the family stays on the waiting list")]
    NoFreePlace,
    #[error("both parents must have attended their pre-visit")]
    PreVisitsIncomplete,
    #[error("record a suitability assessment before accepting")]
    AssessmentRequired,
    #[error("the assessment found the family unsuitable: decline and signpost instead")]
    AssessedUnsuitable,
}

impl NotReady {
    /// The problem type's code.
    pub fn code(self) -> &'static str {
        match self {
            NotReady::NoFreePlace => "no-free-place",
            NotReady::PreVisitsIncomplete => "pre-visits-incomplete",
            NotReady::AssessmentRequired => "assessment-required",
            NotReady::AssessedUnsuitable => "assessed-unsuitable",
        }
    }
}

/// Whether `action` has what it needs now (its status is checked by the lifecycle).
pub fn check(action: ReferralAction, r: &Readiness) -> Result<(), NotReady> {
    match action {
        ReferralAction::Offer if !r.place_free => Err(NotReady::NoFreePlace),
        ReferralAction::Activate if !r.pre_visits_done => Err(NotReady::PreVisitsIncomplete),
        ReferralAction::Accept => match r.assessed {
            Assessed::NotYet => Err(NotReady::AssessmentRequired),
            Assessed::Unsuitable => Err(NotReady::AssessedUnsuitable),
            Assessed::Suitable => Ok(()),
        },
        _ => Ok(()),
    }
}

/// The actions that would succeed now from `status` (whoever may take them).
pub fn available_actions(status: ReferralStatus, r: &Readiness) -> Vec<ReferralAction> {
    allowed_actions(status)
        .into_iter()
        .filter(|a| check(*a, r).is_ok())
        .collect()
}

/// Whether a service taking `places` families at once (none set: offered by hand) has room
/// beside the `held` places.
pub fn place_free(places: Option<u32>, held: usize) -> bool {
    places.is_none_or(|p| held < p as usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReferralAction as A;
    use ReferralStatus as S;

    #[test]
    fn a_waitlisted_case_is_offered_a_place_only_while_one_is_free() {
        let full = Readiness::default();
        assert!(!available_actions(S::Waitlisted, &full).contains(&A::Offer));
        assert_eq!(check(A::Offer, &full), Err(NotReady::NoFreePlace));
        let room = Readiness {
            place_free: true,
            ..full
        };
        assert!(available_actions(S::Waitlisted, &room).contains(&A::Offer));
        assert!(available_actions(S::Waitlisted, &full).contains(&A::Close));
    }

    #[test]
    fn contact_starts_only_after_both_pre_visits() {
        let waiting = Readiness::default();
        assert!(!available_actions(S::PreVisits, &waiting).contains(&A::Activate));
        let done = Readiness {
            pre_visits_done: true,
            ..waiting
        };
        assert!(available_actions(S::PreVisits, &done).contains(&A::Activate));
    }

    #[test]
    fn accepting_needs_an_assessment_that_found_the_family_suitable() {
        let mut r = Readiness::default();
        assert_eq!(check(A::Accept, &r), Err(NotReady::AssessmentRequired));
        r.assessed = Assessed::Unsuitable;
        assert_eq!(check(A::Accept, &r), Err(NotReady::AssessedUnsuitable));
        assert!(!available_actions(S::Screening, &r).contains(&A::Accept));
        r.assessed = Assessed::Suitable;
        assert!(available_actions(S::Screening, &r).contains(&A::Accept));
    }

    #[test]
    fn places_are_free_up_to_the_limit_and_always_when_offered_by_hand() {
        assert!(place_free(Some(2), 1));
        assert!(!place_free(Some(2), 2));
        assert!(!place_free(Some(0), 0));
        assert!(place_free(None, 50));
    }
}
