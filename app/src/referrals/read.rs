//! Reading cases: one as the caller may see it, with what only a single read shows (its place
//! on the waiting list, what the family owes, what its next actions need); a page of them
//! scoped to who is asking; a case's history.

use time::{Date, OffsetDateTime};

use ccm_domain::referral::disclosure;
use ccm_domain::referral::lifecycle::ReferralStatus;
use ccm_domain::referral::readiness::Readiness;
use ccm_domain::referral::waitlist::{self, Waiting};
use ccm_domain::{london, Money, ReferrerKind, Role, ServiceType};
use ccm_persistence::referrals::{self, Event, Referral, ReferralFilter};
use ccm_persistence::AnyConnection;

use crate::cases::{self, readiness, workflow, Case};
use crate::clock::stored;
use crate::{Actor, AppError};

/// What a view needs beyond the case itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Extras {
    pub waiting_position: Option<usize>,
    pub outstanding: Option<Money>,
    /// What the actions the status allows need beyond it.
    pub readiness: Readiness,
}

/// A case with what its view shows beyond it.
pub struct Shown {
    pub case: Case,
    pub extras: Extras,
}

/// The case `id` as the caller may see it (404 if none of their business).
pub fn one(conn: &mut AnyConnection, actor: &Actor, id: &str) -> Result<Shown, AppError> {
    let (case, owed) = cases::load_owing(conn, id, actor)?;
    owing(conn, case, owed)
}

/// A loaded case with what its single read shows.
pub fn shown(conn: &mut AnyConnection, case: Case) -> Result<Shown, AppError> {
    let owed = workflow::outstanding_all(conn, &case.referral.id)?;
    owing(conn, case, owed)
}

fn owing(conn: &mut AnyConnection, case: Case, owed: Money) -> Result<Shown, AppError> {
    let r = &case.referral;
    let waiting_position = if r.status()? == ReferralStatus::Waitlisted {
        let list = referrals::waiting(conn, &r.centre_id, r.service()?)?
            .into_iter()
            .map(|(id, priority, since)| Waiting {
                key: id,
                priority,
                since: since.map_or(OffsetDateTime::UNIX_EPOCH, |s| s.assume_utc()),
            })
            .collect();
        waitlist::position(list, &r.id)
    } else {
        None
    };
    let extras = Extras {
        waiting_position,
        outstanding: Some(owed),
        readiness: readiness::read(conn, r)?,
    };
    Ok(Shown { case, extras })
}

/// Which referrals to list (the caller's scope is added from who they are).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListCmd {
    pub status: Option<ReferralStatus>,
    pub centre_id: Option<String>,
    pub service: Option<ServiceType>,
    pub referrer_kind: Option<ReferrerKind>,
    pub external_ref: Option<String>,
    /// Received on or after this local date.
    pub from: Option<Date>,
    /// Received on or before this local date.
    pub to: Option<Date>,
}

/// A page of cases, and the cursor of the next if there is one.
pub struct Listed {
    pub items: Vec<Shown>,
    pub next_cursor: Option<String>,
}

/// The caller's scope on the list: staff their provider's referrals, a referrer the ones it
/// made, a parent their own; platform admins see no cases (403).
pub fn scope(actor: &Actor, cmd: ListCmd) -> Result<ReferralFilter, AppError> {
    let mut filter = ReferralFilter {
        status: cmd.status,
        centre_id: cmd.centre_id,
        service: cmd.service,
        referrer_kind: cmd.referrer_kind,
        external_ref: cmd.external_ref,
        from: cmd.from.map(|d| stored(london::start_of_day(d))),
        to: cmd
            .to
            .and_then(|d| d.next_day())
            .map(|d| stored(london::start_of_day(d))),
        ..Default::default()
    };
    match actor.role {
        r if r.is_provider_staff() => filter.provider_id = actor.provider_id.clone(),
        Role::Referrer => filter.referrer_user_id = Some(actor.user_id.clone()),
        Role::Parent => filter.party_user_id = Some(actor.user_id.clone()),
        _ => return Err(AppError::forbidden("platform admins do not see cases")),
    }
    Ok(filter)
}

/// A page of the referrals in `filter` (from [`scope`]), oldest first, each as the caller may
/// see it.
pub fn list(
    conn: &mut AnyConnection,
    actor: &Actor,
    filter: &ReferralFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Listed, AppError> {
    let page = referrals::list(conn, filter, after, limit)?;
    let ids: Vec<&str> = page.items.iter().map(|r| r.id.as_str()).collect();
    let mut parties = referrals::parties_of(conn, &ids)?;
    let mut items = Vec::new();
    for referral in &page.items {
        let parties = parties.remove(&referral.id).unwrap_or_default();
        let Some(relation) = cases::relation(actor, referral, &parties) else {
            continue;
        };
        let extras = Extras {
            readiness: readiness::read(conn, referral)?,
            ..Extras::default()
        };
        let case = Case {
            referral: referral.clone(),
            parties,
            relation,
        };
        items.push(Shown { case, extras });
    }
    let next_cursor = page
        .has_more
        .then(|| page.items.last().map(|r: &Referral| r.id.clone()))
        .flatten();
    Ok(Listed { items, next_cursor })
}

/// Who moved the case, from what to what, when and why (staff who see the case's record).
pub fn history(conn: &mut AnyConnection, actor: &Actor, id: &str) -> Result<Vec<Event>, AppError> {
    let case = cases::load(conn, id, actor, false)?;
    if !disclosure::case(case.relation.viewer, false).history {
        return Err(AppError::forbidden(
            "the case's history is for the provider's staff",
        ));
    }
    Ok(referrals::events(conn, &case.referral.id)?)
}
