//! The time-driven part of the lifecycle: offers lapse, reviews fall due, freed places are
//! offered. Every `ccm serve` runs it periodically; each change happens in its own transaction
//! under the case's lock, so several servers sweeping at once do each thing once.

use time::OffsetDateTime;

use ccm_domain::referral::lifecycle::{ClosureReason, Event, ReferralStatus};
use ccm_domain::{london, ServiceType};
use ccm_persistence::referrals::{self, ReferralChanges};
use ccm_persistence::Db;

use super::workflow::{self, stored, By};
use crate::AppError;

/// What one sweep changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub offers_expired: usize,
    pub reviews_due: usize,
    pub places_offered: usize,
}

pub fn sweep(db: &Db, offer_expiry_days: u32, now: OffsetDateTime) -> Result<Report, AppError> {
    let mut report = Report::default();
    let expired =
        db.read(|conn| Ok::<_, AppError>(referrals::expired_offers(conn, stored(now))?))?;
    for id in expired {
        let lapsed = db.write(|conn| {
            let referral = referrals::find_locked(conn, &id)?;
            let still_open = referral.status()? == ReferralStatus::PlaceOffered
                && referral.offer_expires_at.is_some_and(|at| at < stored(now));
            if !still_open {
                return Ok::<_, AppError>(false);
            }
            let changes = ReferralChanges {
                closure_reason: Some(Some(ClosureReason::OfferExpired.as_str().to_string())),
                ..Default::default()
            };
            workflow::transition(
                conn,
                &referral,
                Event::OfferExpired,
                By::SYSTEM,
                None,
                changes,
                now,
            )?;
            Ok(true)
        })?;
        report.offers_expired += usize::from(lapsed);
    }
    let today = london::local_date(now);
    let due = db.read(|conn| Ok::<_, AppError>(referrals::reviews_due(conn, today)?))?;
    for id in due {
        let marked = db.write(|conn| {
            let referral = referrals::find_locked(conn, &id)?;
            let still_due = referral.status()? == ReferralStatus::Active
                && referral.next_review_on.is_some_and(|d| d <= today);
            if still_due {
                workflow::transition(
                    conn,
                    &referral,
                    Event::ReviewFallsDue,
                    By::SYSTEM,
                    None,
                    ReferralChanges::default(),
                    now,
                )?;
            }
            Ok::<_, AppError>(still_due)
        })?;
        report.reviews_due += usize::from(marked);
    }
    let lists = db.read(|conn| Ok::<_, AppError>(referrals::lists_with_waiting(conn)?))?;
    for (centre_id, service) in lists {
        let Ok(service) = service.parse::<ServiceType>() else {
            continue;
        };
        let offered = db.write(|conn| {
            workflow::offer_free_places(conn, &centre_id, service, offer_expiry_days, now)
        })?;
        report.places_offered += offered.len();
    }
    if report != Report::default() {
        tracing::info!(?report, "case sweep");
    }
    Ok(report)
}
