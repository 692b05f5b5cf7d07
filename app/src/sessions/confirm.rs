//! Confirming supervised dates held provisionally on receipt of the referral: done before the
//! pre-visits, once the case has a place; the session's charge is raised then.

use time::OffsetDateTime;

use ccm_domain::referral::lifecycle::ReferralStatus;
use ccm_domain::schedule::lifecycle::{self, SessionEvent};
use ccm_domain::schedule::Slot;
use ccm_persistence::sessions::{self, Session, SessionChanges, SessionParty};
use ccm_persistence::AnyConnection;

use super::{money, status_of};
use crate::cases::{self, tariff, Case};
use crate::clock::stored;
use crate::{Actor, AppError, ProblemType};

/// A session confirmed, with its parents' times, and its case.
pub struct Confirmed {
    pub case: Case,
    pub session: Session,
    pub parties: Vec<SessionParty>,
}

/// Confirms a provisionally held session (the provider's deciding staff). The case must have
/// its place (`pre_visits` onwards); a session with a charge then waits for payment, unless
/// the payer's credit settles it at once.
pub fn confirm(
    conn: &mut AnyConnection,
    actor: &Actor,
    session_id: &str,
) -> Result<Confirmed, AppError> {
    let gone = || AppError::not_found("session");
    let found = sessions::find_locked(conn, session_id).map_err(|_| gone())?;
    let case = cases::load(conn, &found.referral_id, actor, true).map_err(|_| gone())?;
    case.relation.require_deciding_staff()?;
    // Refused before the case is looked at: only a held date is confirmed.
    lifecycle::apply(status_of(&found)?, SessionEvent::Confirm { prepaid: false })?;
    let status = case.referral.status()?;
    if !matches!(
        status,
        ReferralStatus::PreVisits | ReferralStatus::Active | ReferralStatus::ReviewDue
    ) {
        return Err(AppError::conflict(
            ProblemType::CaseHasNoPlace,
            format!(
                "a case that is {} has no place yet; held dates are confirmed once it has",
                status.as_str()
            ),
        ));
    }
    let now = OffsetDateTime::now_utc();
    let charge_id = raise_charge(conn, &case, &found, &actor.user_id)?;
    let status = lifecycle::apply(
        status_of(&found)?,
        SessionEvent::Confirm {
            prepaid: charge_id.is_some(),
        },
    )?;
    let changes = SessionChanges {
        status: Some(status.as_str().into()),
        charge_id: Some(charge_id),
        ..Default::default()
    };
    sessions::update(conn, &found.id, &changes, stored(now))?;
    // A payer's credit may already have settled the new charge.
    money::confirm_paid(conn, &case.referral.id, now)?;
    let session = sessions::find(conn, &found.id)?;
    let parties = sessions::parties(conn, std::slice::from_ref(&session.id))?;
    Ok(Confirmed {
        case,
        session,
        parties,
    })
}

/// Raises the charge for the session's times, if today's tariff has one for this case.
fn raise_charge(
    conn: &mut AnyConnection,
    case: &Case,
    s: &Session,
    user_id: &str,
) -> Result<Option<String>, AppError> {
    let r = &case.referral;
    let slot = Slot {
        start: s.starts_at.assume_utc(),
        end: s.ends_at.assume_utc(),
    };
    let tariff = tariff::current_tariff(conn, &r.centre_id, r.service()?)?.map(|(_, t)| t);
    match money::price(tariff.as_ref(), r.funder.is_some(), slot.minutes()) {
        Some(amount) => {
            let at = stored(OffsetDateTime::now_utc());
            Ok(Some(money::raise(conn, r, &slot, amount, user_id, at)?))
        }
        None => Ok(None),
    }
}
