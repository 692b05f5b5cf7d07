//! A centre's waiting list for one service, in the order places are offered: priority, then
//! who has waited longest. For the provider's coordinators and org admins.

use ccm_domain::referral::waitlist::{self, Waiting};
use ccm_domain::ServiceType;
use ccm_persistence::{centres, offerings, referrals, AnyConnection};
use time::{OffsetDateTime, PrimitiveDateTime};

use crate::access::{require, rules};
use crate::{Actor, AppError, OrNotFound};

/// A case waiting for a place. Ties in the domain's order fall to this one: by referral id
/// first (field order matters).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    pub referral_id: String,
    pub priority: i32,
    pub waiting_since: Option<PrimitiveDateTime>,
}

/// The list, first to be offered a place first.
#[derive(Clone, Debug)]
pub struct WaitingList {
    pub centre_id: String,
    /// Families the service takes at once; `None` when places are offered by hand.
    pub places: Option<i32>,
    /// Cases holding a place now.
    pub holding: i64,
    pub open: bool,
    pub entries: Vec<Entry>,
}

pub fn get(
    conn: &mut AnyConnection,
    actor: &Actor,
    centre_id: &str,
    service: ServiceType,
) -> Result<WaitingList, AppError> {
    let centre = centres::find(conn, centre_id).or_not_found("centre")?;
    require(rules(actor).manage_cases(&centre.provider_id), "centre")?;
    let offering = offerings::find_for(conn, &centre.id, service)?
        .ok_or_else(|| AppError::not_found("service at this centre"))?;
    let mut list: Vec<Waiting<Entry>> = referrals::waiting(conn, &centre.id, service)?
        .into_iter()
        .map(|(referral_id, priority, since)| Waiting {
            key: Entry {
                referral_id,
                priority,
                waiting_since: since,
            },
            priority,
            since: since.map_or(OffsetDateTime::UNIX_EPOCH, |s| s.assume_utc()),
        })
        .collect();
    waitlist::order(&mut list);
    let holding = referrals::holding_places(conn, &centre.id, service)?;
    Ok(WaitingList {
        centre_id: centre.id,
        places: offering.places,
        holding,
        open: offering.waiting_list_open,
        entries: list.into_iter().map(|w| w.key).collect(),
    })
}
