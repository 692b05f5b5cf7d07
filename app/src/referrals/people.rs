//! The parties of a new referral, built in memory so that they are written in one statement
//! each: the parents (linked to their accounts where staff say so, or to the self-referring
//! parent's own), the children and the extra attendees.

use time::PrimitiveDateTime;

use ccm_domain::referral::referring::Referring;
use ccm_domain::referral::PartyRole;
use ccm_domain::Role;
use ccm_persistence::people::Person;
use ccm_persistence::referrals::Party;
use ccm_persistence::{users, AnyConnection, StoreError};

use super::intake::{self, Adult};
use super::{Caller, NewReferral};
use crate::error::AppError;

/// The case being written, by whom and when.
pub struct Scope<'a> {
    pub referral_id: &'a str,
    pub provider_id: &'a str,
    /// The account supplying the details.
    pub by: &'a str,
    pub at: PrimitiveDateTime,
}

impl Scope<'_> {
    fn party(
        &self,
        person: &Person,
        role: PartyRole,
        relationship: Option<String>,
        i: usize,
    ) -> Party {
        Party {
            referral_id: self.referral_id.to_string(),
            person_id: person.id.clone(),
            role: role.as_str().to_string(),
            relationship,
            position: i32::try_from(i).unwrap_or(i32::MAX),
        }
    }
}

/// Every party of the new case with their person, in role and position order.
pub fn parties(
    conn: &mut AnyConnection,
    scope: &Scope,
    referring: Referring,
    caller: &Caller,
    cmd: &NewReferral,
) -> Result<Vec<(Party, Person)>, AppError> {
    let mut parties = Vec::new();
    for (role, adult) in [
        (PartyRole::ResidentParent, &cmd.resident_parent),
        (PartyRole::NonResidentParent, &cmd.non_resident_parent),
    ] {
        let Some(adult) = adult else { continue };
        let mut person = intake::new_person(scope.provider_id, adult, scope.by, scope.at);
        if let Some(account) = &adult.account_id {
            if !referring.may_link_accounts() {
                return Err(AppError::forbidden("only staff link parent accounts"));
            }
            person.user_id = Some(parent_account(conn, account, scope.provider_id, role)?);
        }
        parties.push((
            scope.party(&person, role, adult.relationship.clone(), 0),
            person,
        ));
    }
    if let Referring::Parent(side) = referring {
        // A parent who did not describe themselves is still the party they said they are.
        if !parties.iter().any(|(p, _)| p.role == side.as_str()) {
            let person =
                intake::new_person(scope.provider_id, &Adult::default(), scope.by, scope.at);
            parties.push((scope.party(&person, side, None, 0), person));
        }
        if let Some((_, me)) = parties.iter_mut().find(|(p, _)| p.role == side.as_str()) {
            me.user_id = Some(caller.user_id.clone());
        }
    }
    for (i, child) in cmd.children.iter().enumerate() {
        if child.id.is_some() {
            return Err(AppError::invalid(
                &format!("children[{i}].id"),
                "not_found",
                "is not a child on this referral",
            ));
        }
    }
    for (i, child) in cmd.children.iter().enumerate() {
        let person = intake::named(
            scope.provider_id,
            child.given_name.clone(),
            child.family_name.clone(),
            child.date_of_birth,
            scope.at,
        );
        parties.push((scope.party(&person, PartyRole::Child, None, i), person));
    }
    for (i, a) in cmd.attendees.iter().enumerate() {
        let person = intake::named(
            scope.provider_id,
            Some(a.given_name.clone()),
            Some(a.family_name.clone()),
            None,
            scope.at,
        );
        let party = scope.party(&person, PartyRole::Attendee, a.relationship.clone(), i);
        parties.push((party, person));
    }
    parties.sort_by_key(|(p, _)| (p.role().map(|r| r as u8).unwrap_or(u8::MAX), p.position));
    Ok(parties)
}

/// The id of `account_id` if it is a parent account of the provider. One answer for an id that
/// does not exist and one that is not this provider's parent, so that another provider's
/// account ids cannot be probed from here.
fn parent_account(
    conn: &mut AnyConnection,
    account_id: &str,
    provider_id: &str,
    role: PartyRole,
) -> Result<String, AppError> {
    let refused = || {
        AppError::invalid(
            &format!("{role}.account_id"),
            "not_a_parent",
            "must be the id of a parent account of this provider",
        )
    };
    let user = match users::find(conn, account_id) {
        Ok(u) => u,
        Err(StoreError::NotFound) => return Err(refused()),
        Err(e) => return Err(e.into()),
    };
    if user.role()? != Role::Parent || user.provider_id.as_deref() != Some(provider_id) {
        return Err(refused());
    }
    Ok(user.id)
}
