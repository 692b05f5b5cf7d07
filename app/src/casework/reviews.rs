//! Reviews and the next-steps meeting as the case's record shows them.

use ccm_domain::referral::disclosure;
use ccm_persistence::casework::{self as records, NextStepsMeeting, Review};
use ccm_persistence::AnyConnection;

use crate::cases::{self, Case};
use crate::{Actor, AppError};

/// Staff who see the case's record read its reviews and meeting; nobody else.
fn record_reader(
    conn: &mut AnyConnection,
    actor: &Actor,
    referral_id: &str,
) -> Result<Case, AppError> {
    let case = cases::load(conn, referral_id, actor, false)?;
    if disclosure::case(case.relation.viewer, false).history {
        Ok(case)
    } else {
        Err(AppError::forbidden(
            "reviews and meetings are for the provider's staff",
        ))
    }
}

/// The case's reviews, oldest first.
pub fn list(
    conn: &mut AnyConnection,
    actor: &Actor,
    referral_id: &str,
) -> Result<Vec<Review>, AppError> {
    let case = record_reader(conn, actor, referral_id)?;
    Ok(records::reviews(conn, &case.referral.id)?)
}

/// The next-steps meeting, once recorded.
pub fn meeting(
    conn: &mut AnyConnection,
    actor: &Actor,
    referral_id: &str,
) -> Result<NextStepsMeeting, AppError> {
    let case = record_reader(conn, actor, referral_id)?;
    records::meeting(conn, &case.referral.id)?
        .ok_or_else(|| AppError::not_found("next-steps meeting"))
}
