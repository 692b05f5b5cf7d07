//! Cases (referrals) across the workflows that need them: how the caller relates to a case
//! (which decides what they see and may do), and the workflow that moves a case on.

pub mod cancellation;
pub mod readiness;
pub mod retention;
pub mod scheduling;
pub mod sweep;
pub mod tariff;
pub mod workflow;

use ccm_domain::referral::disclosure::Viewer;
use ccm_domain::referral::ledger::outstanding_in_total;
use ccm_domain::referral::lifecycle::{self, TransitionError};
use ccm_domain::referral::PartyRole;
use ccm_domain::{Money, Role};
use ccm_persistence::case_reads;
use ccm_persistence::people::Person;
use ccm_persistence::referrals::{self, Party, Referral};
use ccm_persistence::{AnyConnection, StoreError};

use crate::{Actor, AppError};

/// How the caller relates to one case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Relation {
    /// What they see.
    pub viewer: Viewer,
    /// Every capacity in which they may act (a self-referring parent is creator and party).
    pub actors: Vec<lifecycle::Actor>,
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

    /// Refuses (403) all but the provider's coordinators and org admins.
    pub fn require_deciding_staff(&self) -> Result<(), AppError> {
        if self.is_staff(&[Role::OrgAdmin, Role::Coordinator]) {
            Ok(())
        } else {
            Err(AppError::forbidden(
                "only the provider's coordinators and org admins do this",
            ))
        }
    }

    pub fn may(&self, action: lifecycle::ReferralAction) -> bool {
        self.actors.iter().any(|a| lifecycle::may_take(action, *a))
    }
}

/// The caller's relation to the case, or `None` if the case is none of their business.
pub fn relation(
    actor: &Actor,
    referral: &Referral,
    parties: &[(Party, Person)],
) -> Option<Relation> {
    if actor.role.is_provider_staff()
        && actor.provider_id.as_deref() == Some(referral.provider_id.as_str())
    {
        return Some(Relation {
            viewer: Viewer::Staff(actor.role),
            actors: vec![lifecycle::Actor::Staff(actor.role)],
            party: None,
            user_id: actor.user_id.clone(),
        });
    }
    let creator = referral.created_by.as_deref() == Some(actor.user_id.as_str());
    let party = parties
        .iter()
        .find(|(_, person)| person.user_id.as_deref() == Some(actor.user_id.as_str()))
        .and_then(|(p, _)| p.role().ok());
    let referrer = actor.role == Role::Referrer
        && referral.referrer_user_id.as_deref() == Some(actor.user_id.as_str());
    let mut actors = Vec::new();
    if creator {
        actors.push(lifecycle::Actor::Creator);
    }
    if let Some(role) = party {
        actors.push(lifecycle::Actor::Party(role));
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
        user_id: actor.user_id.clone(),
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
    actor: &Actor,
    lock: bool,
) -> Result<Case, AppError> {
    let (referral, parties) = if lock {
        let referral = referrals::find_locked(conn, id).map_err(not_found)?;
        let parties = referrals::parties(conn, &referral.id)?;
        (referral, parties)
    } else {
        case_reads::find_case(conn, id).map_err(not_found)?
    };
    admit(actor, referral, parties)
}

/// A case for its single read, with what it still owes, gathered in one statement; 404 as
/// [`load`].
pub fn load_owing(
    conn: &mut AnyConnection,
    id: &str,
    actor: &Actor,
) -> Result<(Case, Money), AppError> {
    let (referral, parties, totals) = case_reads::find_case_owing(conn, id).map_err(not_found)?;
    let owed = outstanding_in_total(
        Money::from_pence(totals.charged),
        totals
            .entries
            .into_iter()
            .map(|(kind, pence)| (kind, Money::from_pence(pence))),
    );
    Ok((admit(actor, referral, parties)?, owed))
}

/// The case if the caller has a relation to it, else 404 (not 403: its existence is not theirs
/// to learn).
fn admit(
    actor: &Actor,
    referral: Referral,
    parties: Vec<(Party, Person)>,
) -> Result<Case, AppError> {
    let relation =
        relation(actor, &referral, &parties).ok_or_else(|| AppError::not_found("referral"))?;
    Ok(Case {
        referral,
        parties,
        relation,
    })
}

/// A missing case is a 404 that names it.
fn not_found(e: StoreError) -> AppError {
    match e {
        StoreError::NotFound => AppError::not_found("referral"),
        other => other.into(),
    }
}

/// The person in a party role of a case (the first, for children).
pub fn person_in(parties: &[(Party, Person)], role: PartyRole) -> Option<&Person> {
    parties
        .iter()
        .find(|(p, _)| p.role().ok() == Some(role))
        .map(|(_, person)| person)
}

/// Reads stored JSON that the code wrote, or reports it unreadable.
pub fn stored_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, AppError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()).into())
}

impl From<TransitionError> for AppError {
    fn from(e: TransitionError) -> Self {
        let allowed: Vec<String> = e.allowed.iter().map(|a| a.to_string()).collect();
        let detail = if allowed.is_empty() {
            format!("{e}; nothing more can be done to it")
        } else {
            format!("{e}; allowed now: {}", allowed.join(", "))
        };
        AppError::Transition {
            detail,
            current_status: e.status.to_string(),
            allowed_actions: allowed,
        }
    }
}
