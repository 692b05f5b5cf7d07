//! Cases (referrals) across the handlers that need them: how the caller relates to a case
//! (which decides what they see and may do), and the workflow that moves a case on.

pub mod cancellation;
pub use ccm_app::credit;
pub mod readiness;
pub mod retention;
pub mod scheduling;
pub mod sweep;
pub mod workflow;

use ccm_domain::referral::disclosure::Viewer;
use ccm_domain::referral::ledger::outstanding_in_total;
use ccm_domain::referral::lifecycle::Actor;
use ccm_domain::referral::PartyRole;
use ccm_domain::{Money, Role};
use ccm_persistence::case_reads;
use ccm_persistence::people::Person;
use ccm_persistence::referrals::{self, Party, Referral};
use ccm_persistence::{AnyConnection, StoreError};

use crate::error::{ApiError, OrNotFound};
use crate::extract::Principal;

/// How the caller relates to one case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Relation {
    /// What they see.
    pub viewer: Viewer,
    /// Every capacity in which they may act (a self-referring parent is creator and party).
    pub actors: Vec<Actor>,
    /// The party they are, if they are one.
    pub party: Option<PartyRole>,
    /// The caller's account.
    pub user_id: String,
}

impl Relation {
    /// Staff of the case's provider with one of `roles`.
    pub fn is_staff(&self, roles: &[Role]) -> bool {
        matches!(self.viewer, Viewer::Staff(r) if roles.contains(&r))
    }

    pub fn may(&self, action: ccm_domain::referral::lifecycle::ReferralAction) -> bool {
        self.actors
            .iter()
            .any(|a| ccm_domain::referral::lifecycle::may_take(action, *a))
    }
}

/// The caller's relation to the case, or `None` if the case is none of their business.
pub fn relation(
    principal: &Principal,
    referral: &Referral,
    parties: &[(Party, Person)],
) -> Option<Relation> {
    if principal.role.is_provider_staff()
        && principal.provider_id.as_deref() == Some(referral.provider_id.as_str())
    {
        return Some(Relation {
            viewer: Viewer::Staff(principal.role),
            actors: vec![Actor::Staff(principal.role)],
            party: None,
            user_id: principal.user_id.clone(),
        });
    }
    let creator = referral.created_by.as_deref() == Some(principal.user_id.as_str());
    let party = parties
        .iter()
        .find(|(_, person)| person.user_id.as_deref() == Some(principal.user_id.as_str()))
        .and_then(|(p, _)| p.role().ok());
    let referrer = principal.role == Role::Referrer
        && referral.referrer_user_id.as_deref() == Some(principal.user_id.as_str());
    let mut actors = Vec::new();
    if creator {
        actors.push(Actor::Creator);
    }
    if let Some(role) = party {
        actors.push(Actor::Party(role));
    }
    let viewer = match (party, referrer) {
        (Some(role), _) => Viewer::Party(role),
        (None, true) => Viewer::Referrer,
        (None, false) => return None,
    };
    Some(Relation {
        viewer,
        actors,
        party,
        user_id: principal.user_id.clone(),
    })
}

/// A case as the caller may see it; 404 if it does not exist or is none of their business.
pub struct Case {
    pub referral: Referral,
    pub parties: Vec<(Party, Person)>,
    pub relation: Relation,
}

pub fn load(
    conn: &mut AnyConnection,
    id: &str,
    principal: &Principal,
    lock: bool,
) -> Result<Case, ApiError> {
    let (referral, parties) = if lock {
        let referral = referrals::find_locked(conn, id).or_not_found("referral")?;
        let parties = referrals::parties(conn, &referral.id)?;
        (referral, parties)
    } else {
        case_reads::find_case(conn, id).or_not_found("referral")?
    };
    admit(principal, referral, parties)
}

/// A case for its single read, with what it still owes, gathered in one statement; 404 as
/// [`load`].
pub fn load_owing(
    conn: &mut AnyConnection,
    id: &str,
    principal: &Principal,
) -> Result<(Case, Money), ApiError> {
    let (referral, parties, totals) =
        case_reads::find_case_owing(conn, id).or_not_found("referral")?;
    let owed = outstanding_in_total(
        Money::from_pence(totals.charged),
        totals
            .entries
            .into_iter()
            .map(|(kind, pence)| (kind, Money::from_pence(pence))),
    );
    Ok((admit(principal, referral, parties)?, owed))
}

/// The case if the caller has a relation to it, else 404 (not 403: its existence is not theirs
/// to learn).
fn admit(
    principal: &Principal,
    referral: Referral,
    parties: Vec<(Party, Person)>,
) -> Result<Case, ApiError> {
    let relation =
        relation(principal, &referral, &parties).ok_or_else(|| ApiError::not_found("referral"))?;
    crate::audit::case(&referral.id);
    Ok(Case {
        referral,
        parties,
        relation,
    })
}

/// The person in a party role of a case (the first, for children).
pub fn person_in(parties: &[(Party, Person)], role: PartyRole) -> Option<&Person> {
    parties
        .iter()
        .find(|(p, _)| p.role().ok() == Some(role))
        .map(|(_, person)| person)
}

/// Reads stored JSON that the code wrote, or reports it unreadable.
pub fn stored_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()).into())
}
