//! The lifecycle of a referral as a state machine (domain.md, "Lifecycle of a referral"):
//!
//! submitted → awaiting information → awaiting referral fee → screening → declined | waitlisted
//! → place offered → awaiting balance → pre-visits → active ⇄ suspended, review due → closed.
//!
//! Handlers never set a status: they ask [`apply`] for the next one, which refuses any
//! transition the lifecycle does not have.

use super::PartyRole;

string_enum! {
    /// Where a referral stands. `submitted` → `awaiting_information` (details missing, listed in
    /// `missing`) → `awaiting_referral_fee` (unless funded) → `screening` → `declined` (reason and
    /// signposting) or `waitlisted` → `place_offered` (until `offer.expires_at`) →
    /// `awaiting_balance` (if one is due) → `pre_visits` (one per side) → `active`, which moves to
    /// `review_due` when a review falls due and back when it is recorded; `pre_visits`, `active`
    /// and `review_due` can be `suspended` and resumed. Any open state can be `closed` with a
    /// closure reason (withdrawn, offer expired, completed, ...).
    ReferralStatus {
        /// Just received; intake moves it on at once.
        Submitted = "submitted",
        /// Details are missing (see `missing`); waits for them.
        AwaitingInformation = "awaiting_information",
        /// The admin/referral fee is due before screening.
        AwaitingReferralFee = "awaiting_referral_fee",
        /// Suitability and risk are being assessed.
        Screening = "screening",
        /// Refused at screening, with a reason and signposting.
        Declined = "declined",
        /// On the centre's waiting list for the service.
        Waitlisted = "waitlisted",
        /// A place is offered until `offer.expires_at`.
        PlaceOffered = "place_offered",
        /// The balance is due before contact starts.
        AwaitingBalance = "awaiting_balance",
        /// Each side's pre-visit is held separately before the first session.
        PreVisits = "pre_visits",
        Active = "active",
        Suspended = "suspended",
        /// The periodic review is due.
        ReviewDue = "review_due",
        Closed = "closed",
    }
}

string_enum! {
    /// What can be done to a referral, each an explicit endpoint: `POST /v1/referrals/{id}/{action}`
    /// with `_` written `-` (`accept-offer`), except `record_review`, which is
    /// `POST /v1/referrals/{id}/reviews`.
    ReferralAction {
        Accept = "accept",
        Decline = "decline",
        Offer = "offer",
        AcceptOffer = "accept_offer",
        DeclineOffer = "decline_offer",
        Activate = "activate",
        Suspend = "suspend",
        Resume = "resume",
        RecordReview = "record_review",
        Close = "close",
        Withdraw = "withdraw",
    }
}

string_enum! {
    /// Why a case closed.
    ClosureReason {
        Completed = "completed",
        /// Moved on to a lighter service (supervised to supported, supported to handover).
        ProgressedToLighterService = "progressed_to_lighter_service",
        /// The parents now arrange contact themselves.
        SelfManagedContact = "self_managed_contact",
        /// Ended by the centre (breach, safeguarding, consistent lateness).
        Terminated = "terminated",
        /// The family or referrer withdrew.
        Withdrawn = "withdrawn",
        /// The family turned down the place offered.
        OfferDeclined = "offer_declined",
        /// Nobody accepted the place before the offer expired.
        OfferExpired = "offer_expired",
        Other = "other",
    }
}

string_enum! {
    /// Why a case is suspended.
    SuspensionReason {
        SafeguardingConcern = "safeguarding_concern",
        NonPayment = "non_payment",
        Breach = "breach",
        Other = "other",
    }
}

/// Something that happens to a referral. Actions come from people; the rest from the system
/// (a payment clearing a fee, an offer expiring, a review date passing).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// Intake found details missing.
    InformationMissing,
    /// Intake or an update made the referral complete.
    InformationComplete {
        referral_fee_due: bool,
    },
    ReferralFeeSettled,
    Action(ReferralAction),
    /// The place offered was accepted: the balance may still be due.
    OfferAccepted {
        balance_due: bool,
    },
    OfferExpired,
    BalanceSettled,
    ReviewFallsDue,
    /// Contact resumes after a suspension: back to the pre-visits if it had not yet started.
    Resumed {
        contact_started: bool,
    },
}

/// A transition the lifecycle does not have.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a referral that is {status} cannot {event}")]
pub struct TransitionError {
    pub status: ReferralStatus,
    pub event: String,
    pub allowed: Vec<ReferralAction>,
}

/// The status after `event`, or why the lifecycle refuses it.
pub fn apply(status: ReferralStatus, event: Event) -> Result<ReferralStatus, TransitionError> {
    next(status, event).ok_or_else(|| TransitionError {
        status,
        event: describe(event),
        allowed: allowed_actions(status),
    })
}

/// The transition table: the one place that says where each event leads.
fn next(status: ReferralStatus, event: Event) -> Option<ReferralStatus> {
    use ReferralAction as A;
    use ReferralStatus as S;
    Some(match (status, event) {
        (S::Submitted, Event::InformationMissing) => S::AwaitingInformation,
        (
            S::Submitted | S::AwaitingInformation,
            Event::InformationComplete { referral_fee_due },
        ) => {
            if referral_fee_due {
                S::AwaitingReferralFee
            } else {
                S::Screening
            }
        }
        (S::AwaitingReferralFee, Event::ReferralFeeSettled) => S::Screening,
        (S::Screening, Event::Action(A::Accept)) => S::Waitlisted,
        (
            S::AwaitingInformation | S::AwaitingReferralFee | S::Screening,
            Event::Action(A::Decline),
        ) => S::Declined,
        (S::Waitlisted, Event::Action(A::Offer)) => S::PlaceOffered,
        (S::PlaceOffered, Event::OfferAccepted { balance_due }) => {
            if balance_due {
                S::AwaitingBalance
            } else {
                S::PreVisits
            }
        }
        (S::PlaceOffered, Event::Action(A::DeclineOffer) | Event::OfferExpired) => S::Closed,
        (S::AwaitingBalance, Event::BalanceSettled) => S::PreVisits,
        (S::PreVisits, Event::Action(A::Activate)) => S::Active,
        (S::PreVisits | S::Active | S::ReviewDue, Event::Action(A::Suspend)) => S::Suspended,
        (S::Suspended, Event::Resumed { contact_started }) => {
            if contact_started {
                S::Active
            } else {
                S::PreVisits
            }
        }
        (S::Active, Event::ReviewFallsDue) => S::ReviewDue,
        (S::Active | S::ReviewDue, Event::Action(A::RecordReview)) => S::Active,
        (s, Event::Action(A::Close | A::Withdraw)) if !is_final(s) && s != S::Submitted => {
            S::Closed
        }
        _ => return None,
    })
}

/// Declined and closed referrals stay as they are.
pub fn is_final(status: ReferralStatus) -> bool {
    matches!(status, ReferralStatus::Declined | ReferralStatus::Closed)
}

/// The actions the lifecycle allows from `status` (whoever may take them).
pub fn allowed_actions(status: ReferralStatus) -> Vec<ReferralAction> {
    ReferralAction::ALL
        .iter()
        .copied()
        .filter(|a| next(status, typical_event(*a)).is_some())
        .collect()
}

/// The event an action stands for. Accepting an offer and resuming are allowed whatever their
/// details turn out to be (a balance due, contact not yet started).
fn typical_event(action: ReferralAction) -> Event {
    match action {
        ReferralAction::AcceptOffer => Event::OfferAccepted { balance_due: false },
        ReferralAction::Resume => Event::Resumed {
            contact_started: true,
        },
        other => Event::Action(other),
    }
}

fn describe(event: Event) -> String {
    match event {
        Event::InformationMissing => "wait for information".into(),
        Event::InformationComplete { .. } => "complete its information".into(),
        Event::ReferralFeeSettled => "settle its referral fee".into(),
        Event::Action(a) => a.as_str().replace('_', " "),
        Event::OfferAccepted { .. } => "accept offer".into(),
        Event::OfferExpired => "let its offer expire".into(),
        Event::BalanceSettled => "settle its balance".into(),
        Event::ReviewFallsDue => "fall due for review".into(),
        Event::Resumed { .. } => "resume".into(),
    }
}

/// Statuses in which a case holds one of the offering's places.
pub fn holds_place(status: ReferralStatus) -> bool {
    use ReferralStatus as S;
    matches!(
        status,
        S::PlaceOffered
            | S::AwaitingBalance
            | S::PreVisits
            | S::Active
            | S::Suspended
            | S::ReviewDue
    )
}

/// A waiting family's priority can be set while it is screened or on the waiting list.
pub fn waits_for_place(status: ReferralStatus) -> bool {
    matches!(
        status,
        ReferralStatus::Screening | ReferralStatus::Waitlisted
    )
}

/// Closure reasons the system records (an offer answered or left to lapse), never given by
/// someone closing a case.
pub fn recorded_by_system(reason: ClosureReason) -> bool {
    matches!(
        reason,
        ClosureReason::OfferDeclined | ClosureReason::OfferExpired
    )
}

/// Who may take an action. Staff decide; the family and its referrer respond to offers and may
/// withdraw. Suspension is open to supervisors too (a safeguarding concern on the day).
pub fn may_take(action: ReferralAction, actor: Actor) -> bool {
    use crate::Role;
    use ReferralAction as A;
    match actor {
        Actor::Staff(Role::OrgAdmin | Role::Coordinator) => true,
        Actor::Staff(Role::Supervisor) => action == A::Suspend,
        Actor::Staff(_) => false,
        Actor::Creator => matches!(action, A::AcceptOffer | A::DeclineOffer | A::Withdraw),
        Actor::Party(role) => {
            role.is_parent() && matches!(action, A::AcceptOffer | A::DeclineOffer)
        }
    }
}

/// How the caller relates to a case, for [`may_take`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    /// Staff of the case's provider, with their role.
    Staff(crate::Role),
    /// The account that made the referral (a referrer, or a parent who referred themselves).
    Creator,
    /// A parent linked to one of the case's parties.
    Party(PartyRole),
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReferralAction as A;
    use ReferralStatus as S;

    fn act(s: S, a: A) -> Result<S, TransitionError> {
        apply(s, Event::Action(a))
    }

    #[test]
    fn only_a_screened_or_waiting_family_has_a_priority_to_set() {
        let waiting: Vec<S> = S::ALL
            .iter()
            .copied()
            .filter(|s| waits_for_place(*s))
            .collect();
        assert_eq!(waiting, vec![S::Screening, S::Waitlisted]);
    }

    #[test]
    fn nobody_closes_a_case_as_an_offer_declined_or_expired() {
        let system: Vec<ClosureReason> = ClosureReason::ALL
            .iter()
            .copied()
            .filter(|r| recorded_by_system(*r))
            .collect();
        assert_eq!(
            system,
            vec![ClosureReason::OfferDeclined, ClosureReason::OfferExpired]
        );
    }

    #[test]
    fn an_incomplete_referral_waits_for_information() {
        assert_eq!(
            apply(S::Submitted, Event::InformationMissing),
            Ok(S::AwaitingInformation)
        );
        assert!(apply(S::Screening, Event::InformationMissing).is_err());
    }

    #[test]
    fn a_complete_referral_goes_to_screening_or_waits_for_its_fee() {
        assert_eq!(
            apply(
                S::Submitted,
                Event::InformationComplete {
                    referral_fee_due: false
                }
            ),
            Ok(S::Screening)
        );
        assert_eq!(
            apply(
                S::Submitted,
                Event::InformationComplete {
                    referral_fee_due: true
                }
            ),
            Ok(S::AwaitingReferralFee)
        );
        assert_eq!(
            apply(
                S::AwaitingInformation,
                Event::InformationComplete {
                    referral_fee_due: true
                }
            ),
            Ok(S::AwaitingReferralFee)
        );
        assert_eq!(
            apply(S::AwaitingReferralFee, Event::ReferralFeeSettled),
            Ok(S::Screening)
        );
    }

    #[test]
    fn screening_ends_on_the_waiting_list_or_declined() {
        assert_eq!(act(S::Screening, A::Accept), Ok(S::Waitlisted));
        assert_eq!(act(S::Screening, A::Decline), Ok(S::Declined));
        assert_eq!(act(S::AwaitingInformation, A::Decline), Ok(S::Declined));
    }

    #[test]
    fn an_offer_is_accepted_into_the_balance_or_the_pre_visits_and_lapses_into_closure() {
        assert_eq!(act(S::Waitlisted, A::Offer), Ok(S::PlaceOffered));
        assert_eq!(
            apply(S::PlaceOffered, Event::OfferAccepted { balance_due: true }),
            Ok(S::AwaitingBalance)
        );
        assert_eq!(
            apply(S::PlaceOffered, Event::OfferAccepted { balance_due: false }),
            Ok(S::PreVisits)
        );
        assert_eq!(
            apply(S::AwaitingBalance, Event::BalanceSettled),
            Ok(S::PreVisits)
        );
        assert_eq!(act(S::PlaceOffered, A::DeclineOffer), Ok(S::Closed));
        assert_eq!(apply(S::PlaceOffered, Event::OfferExpired), Ok(S::Closed));
    }

    #[test]
    fn contact_runs_from_the_pre_visits_through_reviews_and_suspensions() {
        assert_eq!(act(S::PreVisits, A::Activate), Ok(S::Active));
        assert_eq!(apply(S::Active, Event::ReviewFallsDue), Ok(S::ReviewDue));
        assert_eq!(act(S::ReviewDue, A::RecordReview), Ok(S::Active));
        assert_eq!(act(S::Active, A::Suspend), Ok(S::Suspended));
        let resume = |contact_started| apply(S::Suspended, Event::Resumed { contact_started });
        assert_eq!(resume(true), Ok(S::Active));
        assert_eq!(
            resume(false),
            Ok(S::PreVisits),
            "a case suspended before contact started goes back to its pre-visits"
        );
        assert_eq!(act(S::Suspended, A::Close), Ok(S::Closed));
    }

    #[test]
    fn a_case_cannot_skip_its_balance_or_its_pre_visits() {
        let err = act(S::AwaitingBalance, A::Activate).unwrap_err();
        assert_eq!(err.status, S::AwaitingBalance);
        assert_eq!(err.allowed, [A::Close, A::Withdraw]);
        assert!(act(S::Waitlisted, A::Activate).is_err());
        assert!(act(S::Screening, A::Offer).is_err());
    }

    #[test]
    fn declined_and_closed_are_final() {
        for s in [S::Declined, S::Closed] {
            assert!(allowed_actions(s).is_empty());
            assert!(act(s, A::Close).is_err());
        }
    }

    #[test]
    fn the_allowed_actions_are_the_ones_apply_accepts() {
        for s in S::ALL {
            for a in allowed_actions(*s) {
                assert!(apply(*s, typical_event(a)).is_ok(), "{s} {a}");
            }
        }
    }

    #[test]
    fn staff_decide_and_families_answer_offers() {
        use crate::Role;
        assert!(may_take(A::Accept, Actor::Staff(Role::Coordinator)));
        assert!(!may_take(A::Accept, Actor::Staff(Role::Volunteer)));
        assert!(may_take(A::Suspend, Actor::Staff(Role::Supervisor)));
        assert!(!may_take(A::Close, Actor::Staff(Role::Supervisor)));
        assert!(may_take(
            A::AcceptOffer,
            Actor::Party(PartyRole::NonResidentParent)
        ));
        assert!(!may_take(
            A::Accept,
            Actor::Party(PartyRole::NonResidentParent)
        ));
        assert!(!may_take(A::AcceptOffer, Actor::Party(PartyRole::Child)));
        assert!(may_take(A::Withdraw, Actor::Creator));
        assert!(!may_take(A::Decline, Actor::Creator));
    }

    #[test]
    fn only_cases_between_offer_and_closure_hold_a_place() {
        assert!(holds_place(S::PlaceOffered));
        assert!(holds_place(S::Suspended));
        assert!(!holds_place(S::Waitlisted));
        assert!(!holds_place(S::Closed));
    }
}
