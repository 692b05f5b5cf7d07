//! What an action keeps beside the case's own row: the balance an offer makes due, a review,
//! the next-steps meeting.

use time::OffsetDateTime;

use ccm_domain::london;
use ccm_domain::quote::LineKind;
use ccm_persistence::casework as records;
use ccm_persistence::new_id;
use ccm_persistence::referrals::Referral;
use ccm_persistence::AnyConnection;

use super::Action;
use crate::cases::workflow::{self, By};
use crate::clock::stored;
use crate::AppError;

/// Writes what `action` records beyond the case `r` (already written).
pub fn keep(
    conn: &mut AnyConnection,
    r: &Referral,
    action: Action,
    by: By,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let recorded_by = by.user_id.unwrap_or_default().to_string();
    match action {
        Action::Offer => {
            let by = by.user_id.unwrap_or("system");
            workflow::raise_charges(conn, r, LineKind::Balance, by, now)?;
        }
        Action::RecordReview {
            notes,
            continue_reason,
        } => records::insert_review(
            conn,
            &records::Review {
                id: new_id(),
                referral_id: r.id.clone(),
                held_on: london::local_date(now),
                outcome: "continue".into(),
                notes,
                continue_reason,
                recorded_by,
                created_at: stored(now),
            },
        )?,
        Action::RecordMeeting {
            held_on,
            attendees,
            outcome,
        } => records::insert_meeting(
            conn,
            &records::NextStepsMeeting {
                id: new_id(),
                referral_id: r.id.clone(),
                held_on,
                attendees,
                outcome,
                recorded_by,
                created_at: stored(now),
            },
        )?,
        _ => {}
    }
    Ok(())
}
