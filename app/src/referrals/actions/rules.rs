//! What an action needs beyond the lifecycle's leave: the caller's right to take it, the case's
//! readiness, the eligibility rules, a next-steps meeting before a court-ordered case closes.

use time::OffsetDateTime;

use ccm_domain::london;
use ccm_domain::referral::casework::{closure_needs_next_steps, continuing_needs_reason};
use ccm_domain::referral::eligibility::{self, Decision};
use ccm_domain::referral::lifecycle::{self, ReferralAction};
use ccm_persistence::referrals::Referral;
use ccm_persistence::{casework as records, AnyConnection, StoreError};

use super::Action;
use crate::cases::{readiness, Case};
use crate::{AppError, FieldError, ProblemType};

/// Refuses (422) what no case could accept, before the case is read.
pub fn well_formed(action: &Action) -> Result<(), AppError> {
    match action {
        Action::Close { reason, .. } if lifecycle::recorded_by_system(*reason) => {
            Err(AppError::invalid(
                "reason",
                "system_reason",
                "is recorded by answering or letting an offer lapse, not by closing",
            ))
        }
        _ => Ok(()),
    }
}

/// Refuses (403) a caller who may not take `action` on the case.
pub fn may(case: &Case, action: &Action) -> Result<(), AppError> {
    match action.needs() {
        Some(a) if !case.relation.may(a) => Err(AppError::forbidden(format!(
            "you may not {} this referral",
            a.as_str().replace('_', " ")
        ))),
        Some(_) => Ok(()),
        None => case.relation.require_deciding_staff(),
    }
}

/// Refuses (409) `action` unless the case has what it needs now (a free place, both
/// pre-visits, an assessment).
pub fn ready(
    conn: &mut AnyConnection,
    r: &Referral,
    action: ReferralAction,
) -> Result<(), AppError> {
    readiness::require(conn, r, action)
}

/// Acceptance after screening: ready, and eligible by the rules or accepted against their
/// advice with a reason where they allow it. Returns the override reason kept.
pub fn accept(
    conn: &mut AnyConnection,
    r: &Referral,
    override_reason: Option<String>,
    now: OffsetDateTime,
) -> Result<Option<String>, AppError> {
    ready(conn, r, ReferralAction::Accept)?;
    let Some(assessment) = records::latest_assessment(conn, &r.id)? else {
        // `ready` has just seen it, in this transaction.
        return Err(StoreError::Corrupt("the assessment went missing".into()).into());
    };
    let today = london::local_date(now);
    let decision = eligibility::decide(
        r.service()?,
        &r.risk()?,
        assessment.unsupervised_contact_appropriate,
        today,
    );
    match decision {
        Decision::Eligible => Ok(None),
        Decision::Refused { reason, signpost } => Err(AppError::rule(
            ProblemType::NotEligible,
            format!("{reason}; decline and signpost {signpost} contact"),
        )),
        Decision::NeedsOverride { reason, signpost } => match override_reason {
            Some(why) => Ok(Some(why)),
            None => Err(AppError::Unprocessable {
                code: ProblemType::OverrideRequired,
                detail: format!(
                    "{reason}; accept only with an override_reason, or signpost {signpost} contact"
                ),
                errors: vec![FieldError::new(
                    "override_reason",
                    "required",
                    "is required to accept against the rules' advice",
                )],
            }),
        },
    }
}

/// A court-ordered case that had contact closes only after its next-steps meeting (409).
pub fn next_steps_met(conn: &mut AnyConnection, r: &Referral) -> Result<(), AppError> {
    let meeting = records::meeting(conn, &r.id)?.is_some();
    if closure_needs_next_steps(r.court_ordered, r.activated_on.is_some(), meeting) {
        return Err(AppError::conflict(
            ProblemType::NextStepsMeetingRequired,
            "a court-ordered case closes after its next-steps meeting is recorded",
        ));
    }
    Ok(())
}

/// Only a family still waiting for a place has a priority to set (409).
pub fn waiting(r: &Referral) -> Result<(), AppError> {
    let status = r.status()?;
    if lifecycle::waits_for_place(status) {
        Ok(())
    } else {
        Err(AppError::conflict(
            ProblemType::NotWaiting,
            format!("a {status} referral is not waiting for a place"),
        ))
    }
}

/// Contact continuing more than six months after it started needs its reason (422).
pub fn continuing(
    r: &Referral,
    continue_reason: Option<&str>,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let today = london::local_date(now);
    let started = r.activated_on.unwrap_or(today);
    if continuing_needs_reason(started, today) && continue_reason.is_none() {
        return Err(AppError::invalid(
            "continue_reason",
            "required",
            "contact beyond six months is exceptional: give the reason it continues",
        ));
    }
    Ok(())
}

/// A next-steps meeting closes a court-ordered case (422), and is recorded once (409).
pub fn meeting_due(conn: &mut AnyConnection, r: &Referral) -> Result<(), AppError> {
    if !r.court_ordered {
        return Err(AppError::rule(
            ProblemType::NotCourtOrdered,
            "next-steps meetings close court-ordered cases",
        ));
    }
    if records::meeting(conn, &r.id)?.is_some() {
        return Err(AppError::conflict(
            ProblemType::MeetingRecorded,
            "the next-steps meeting is already recorded",
        ));
    }
    Ok(())
}
