//! Moving a case on, inside the caller's write transaction: every status change goes through
//! the domain's lifecycle and is logged with who, when and why; charges come from the tariff
//! through the fee engine; payments open the fee gates; freed places go to the next family.

use time::OffsetDateTime;

use ccm_domain::quote::LineKind;
use ccm_domain::referral::lifecycle::{self, Event, ReferralStatus};
use ccm_domain::referral::waitlist::{self, Waiting};
use ccm_domain::{Money, Role, ServiceType};
use ccm_persistence::ledger;
use ccm_persistence::referrals::{self, Referral, ReferralChanges};
use ccm_persistence::{new_id, offerings, AnyConnection};

use super::cancellation;
pub use super::tariff::{current_tariff, raise_charges, tariff_lines};
use crate::AppError;

/// Who did something: an account, or the system (a sweep, a payment's side effect).
#[derive(Clone, Copy, Debug)]
pub struct By<'a> {
    pub user_id: Option<&'a str>,
    pub role: Option<Role>,
}

impl By<'static> {
    pub const SYSTEM: By<'static> = By {
        user_id: None,
        role: None,
    };
}

pub use crate::clock::stored;

/// Applies `event` to the case through the lifecycle, with `changes` written alongside, and
/// logs it. 409 naming the status and the allowed actions if the lifecycle refuses it.
pub fn transition(
    conn: &mut AnyConnection,
    referral: &Referral,
    event: Event,
    by: By,
    reason: Option<&str>,
    mut changes: ReferralChanges,
    now: OffsetDateTime,
) -> Result<Referral, AppError> {
    let from = referral.status()?;
    let to = lifecycle::apply(from, event)?;
    let at = stored(now);
    changes.status = Some(to.as_str().to_string());
    changes.status_changed_at = Some(at);
    let updated = referrals::update(conn, &referral.id, &changes, at)?;
    referrals::insert_event(
        conn,
        &referrals::Event {
            id: new_id(),
            referral_id: referral.id.clone(),
            from_status: from.as_str().to_string(),
            to_status: to.as_str().to_string(),
            action: event_name(event),
            actor_user_id: by.user_id.map(str::to_string),
            actor_role: by.role.map(|r| r.as_str().to_string()),
            reason: reason.map(str::to_string),
            at,
        },
    )?;
    if lifecycle::is_final(to) {
        // A closed case's dates free their rooms and supervisors, and owe nothing.
        cancellation::cancel_upcoming(
            conn,
            &updated,
            &format!("the case was {}", to.as_str()),
            by.user_id.unwrap_or("system"),
            now,
        )?;
    }
    Ok(updated)
}

/// Ends the case by `action` (close, withdraw, decline the offer), recording why.
pub fn close_with(
    conn: &mut AnyConnection,
    referral: &Referral,
    action: lifecycle::ReferralAction,
    reason: lifecycle::ClosureReason,
    notes: Option<&str>,
    by: By,
    now: OffsetDateTime,
) -> Result<Referral, AppError> {
    let changes = ReferralChanges {
        closure_reason: Some(Some(reason.as_str().into())),
        closure_notes: Some(notes.map(str::to_string)),
        ..Default::default()
    };
    transition(
        conn,
        referral,
        Event::Action(action),
        by,
        notes,
        changes,
        now,
    )
}

fn event_name(event: Event) -> String {
    match event {
        Event::InformationMissing => "information_missing".into(),
        Event::InformationComplete { .. } => "information_complete".into(),
        Event::ReferralFeeSettled => "referral_fee_settled".into(),
        Event::Action(a) => a.as_str().into(),
        Event::OfferAccepted { .. } => "accept_offer".into(),
        Event::Resumed { .. } => "resume".into(),
        Event::OfferExpired => "offer_expired".into(),
        Event::BalanceSettled => "balance_settled".into(),
        Event::ReviewFallsDue => "review_due".into(),
    }
}

/// What the family still owes on charges of `kind`.
pub fn outstanding(
    conn: &mut AnyConnection,
    referral_id: &str,
    kind: LineKind,
) -> Result<Money, AppError> {
    let owed = ledger::states(conn, referral_id)?
        .into_iter()
        .filter(|(c, _)| c.kind == kind.as_str())
        .map(|(_, s)| s.outstanding().pence())
        .sum();
    Ok(Money::from_pence(owed))
}

/// What the family still owes across every charge (funders' charges are waived).
pub fn outstanding_all(conn: &mut AnyConnection, referral_id: &str) -> Result<Money, AppError> {
    let owed = ledger::states(conn, referral_id)?
        .into_iter()
        .map(|(_, s)| s.outstanding().pence())
        .sum();
    Ok(Money::from_pence(owed))
}

/// After money moved: opens the fee gate the case is waiting at, if nothing is owed on it.
pub fn settle_gates(
    conn: &mut AnyConnection,
    referral: Referral,
    now: OffsetDateTime,
) -> Result<Referral, AppError> {
    let (kind, event) = match referral.status()? {
        ReferralStatus::AwaitingReferralFee => (LineKind::ReferralFee, Event::ReferralFeeSettled),
        ReferralStatus::AwaitingBalance => (LineKind::Balance, Event::BalanceSettled),
        _ => return Ok(referral),
    };
    if outstanding(conn, &referral.id, kind)?.is_zero() {
        transition(
            conn,
            &referral,
            event,
            By::SYSTEM,
            None,
            ReferralChanges::default(),
            now,
        )
    } else {
        Ok(referral)
    }
}

/// Offers the case a place: the offer lapses after the configured days, and the balance falls
/// due now.
pub fn offer(
    conn: &mut AnyConnection,
    referral: &Referral,
    by: By,
    expiry_days: u32,
    now: OffsetDateTime,
) -> Result<Referral, AppError> {
    let changes = ReferralChanges {
        offer_expires_at: Some(Some(stored(waitlist::offer_expires(now, expiry_days)))),
        ..Default::default()
    };
    let offered = transition(
        conn,
        referral,
        Event::Action(lifecycle::ReferralAction::Offer),
        by,
        None,
        changes,
        now,
    )?;
    raise_charges(
        conn,
        &offered,
        LineKind::Balance,
        by.user_id.unwrap_or("system"),
        now,
    )?;
    Ok(offered)
}

/// Offers a centre's service's free places, if it has a set number of places, to the families
/// first on its waiting list. The offering's row is locked so two servers never give away the
/// same place. Returns the ids offered a place.
pub fn offer_free_places(
    conn: &mut AnyConnection,
    centre_id: &str,
    service: ServiceType,
    expiry_days: u32,
    now: OffsetDateTime,
) -> Result<Vec<String>, AppError> {
    let Some(offering) = offerings::find_for(conn, centre_id, service)? else {
        return Ok(Vec::new());
    };
    let offering = offerings::find_locked(conn, &offering.id)?;
    let held = referrals::holding_places(conn, centre_id, service)?;
    let free = waitlist::free_places(
        offering.places.and_then(|p| u32::try_from(p).ok()),
        usize::try_from(held).unwrap_or(usize::MAX),
    );
    let mut list: Vec<Waiting<String>> = referrals::waiting(conn, centre_id, service)?
        .into_iter()
        .map(|(id, priority, since)| Waiting {
            key: id,
            priority,
            since: since.map_or(OffsetDateTime::UNIX_EPOCH, |s| s.assume_utc()),
        })
        .collect();
    waitlist::order(&mut list);
    let mut offered = Vec::new();
    for next in list.into_iter().take(free) {
        let referral = referrals::find_locked(conn, &next.key)?;
        offer(conn, &referral, By::SYSTEM, expiry_days, now)?;
        offered.push(next.key);
    }
    Ok(offered)
}
