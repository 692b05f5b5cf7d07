//! The suitability and risk assessment: its outcome, the controls it sets, when to look again.

use time::{Date, OffsetDateTime};

use ccm_domain::referral::casework::AssessmentOutcome;
use ccm_domain::referral::disclosure;
use ccm_domain::referral::lifecycle::is_final;
use ccm_persistence::casework::{self as records, Assessment};
use ccm_persistence::{new_id, AnyConnection};

use crate::cases;
use crate::clock::stored;
use crate::{Actor, AppError, ProblemType};

/// An assessment to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssessmentCmd {
    pub outcome: AssessmentOutcome,
    pub unsupervised_contact_appropriate: Option<bool>,
    pub separate_entrances: bool,
    pub arrival_offset_minutes: Option<u32>,
    pub controls_notes: Option<String>,
    pub review_on: Option<Date>,
}

/// Records the case's assessment (the provider's deciding staff; not once the case has ended).
pub fn record(
    conn: &mut AnyConnection,
    actor: &Actor,
    referral_id: &str,
    cmd: AssessmentCmd,
) -> Result<Assessment, AppError> {
    let case = cases::load(conn, referral_id, actor, true)?;
    case.relation.require_deciding_staff()?;
    if is_final(case.referral.status()?) {
        return Err(AppError::conflict(
            ProblemType::CaseClosed,
            "a declined or closed referral is not assessed",
        ));
    }
    let row = Assessment {
        id: new_id(),
        referral_id: case.referral.id.clone(),
        outcome: cmd.outcome.as_str().into(),
        unsupervised_contact_appropriate: cmd.unsupervised_contact_appropriate,
        separate_entrances: cmd.separate_entrances,
        arrival_offset_minutes: cmd
            .arrival_offset_minutes
            .and_then(|m| i32::try_from(m).ok()),
        controls_notes: cmd.controls_notes,
        review_on: cmd.review_on,
        assessed_by: actor.user_id.clone(),
        created_at: stored(OffsetDateTime::now_utc()),
    };
    records::insert_assessment(conn, &row)?;
    Ok(row)
}

/// The case's latest assessment, for staff who see its risks.
pub fn latest(
    conn: &mut AnyConnection,
    actor: &Actor,
    referral_id: &str,
) -> Result<Assessment, AppError> {
    let case = cases::load(conn, referral_id, actor, false)?;
    if !disclosure::case(case.relation.viewer, false).risk {
        return Err(AppError::forbidden(
            "assessments are for the provider's staff who see risks",
        ));
    }
    records::latest_assessment(conn, &case.referral.id)?
        .ok_or_else(|| AppError::not_found("assessment"))
}
