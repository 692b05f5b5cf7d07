//! Writing what completion gives: the parents (linked to their accounts where staff say so),
//! the children and the extra attendees, with contact details recorded as supplied.

use time::PrimitiveDateTime;

use ccm_domain::referral::PartyRole;
use ccm_domain::Role;
use ccm_persistence::people::{self, Person, PersonChanges};
use ccm_persistence::referrals::{self, Party};
use ccm_persistence::{users, AnyConnection, StoreError};

use super::PatchCmd;
use crate::cases::{person_in, Case};
use crate::referrals::intake::{self, Adult, Attendee, Child};
use crate::AppError;

/// The case being written, by whom and when.
pub struct Scope<'a> {
    pub referral_id: &'a str,
    pub provider_id: &'a str,
    /// The account supplying the details.
    pub by: &'a str,
    pub at: PrimitiveDateTime,
}

/// Writes the people the patch gives.
pub fn people(
    conn: &mut AnyConnection,
    scope: &Scope,
    case: &Case,
    cmd: &PatchCmd,
) -> Result<(), AppError> {
    for (role, adult) in [
        (PartyRole::ResidentParent, &cmd.resident_parent),
        (PartyRole::NonResidentParent, &cmd.non_resident_parent),
    ] {
        if let Some(adult) = adult {
            let existing = person_in(&case.parties, role).cloned();
            let person = write_adult(conn, scope, existing.as_ref(), role, adult)?;
            if let Some(account) = &adult.account_id {
                link_account(conn, scope, &person.id, account, role)?;
            }
        }
    }
    let parties = referrals::parties(conn, scope.referral_id)?;
    distinct_parents(&parties)?;
    if let Some(children) = &cmd.children {
        write_children(conn, scope, &parties, children)?;
    }
    if let Some(attendees) = &cmd.attendees {
        write_attendees(conn, scope, &parties, attendees)?;
    }
    Ok(())
}

/// The two parents given separately may now be one person (same e-mail or phone): 422.
fn distinct_parents(parties: &[(Party, Person)]) -> Result<(), AppError> {
    if let (Some(a), Some(b)) = (
        person_in(parties, PartyRole::ResidentParent),
        person_in(parties, PartyRole::NonResidentParent),
    ) {
        let same = |x: &Option<String>, y: &Option<String>| x.is_some() && x == y;
        if same(&a.email, &b.email) || same(&a.phone, &b.phone) {
            return Err(AppError::invalid(
                "non_resident_parent",
                "same_person",
                "is the same person as the resident parent (same e-mail or phone)",
            ));
        }
    }
    Ok(())
}

fn link(
    conn: &mut AnyConnection,
    referral_id: &str,
    person: &Person,
    role: PartyRole,
    relationship: Option<String>,
    position: i32,
) -> Result<(), AppError> {
    referrals::insert_party(
        conn,
        &Party {
            referral_id: referral_id.to_string(),
            person_id: person.id.clone(),
            role: role.as_str().to_string(),
            relationship,
            position,
        },
    )?;
    Ok(())
}

/// Sets or updates the adult in `role`.
fn write_adult(
    conn: &mut AnyConnection,
    scope: &Scope,
    existing: Option<&Person>,
    role: PartyRole,
    adult: &Adult,
) -> Result<Person, AppError> {
    let (by, now) = (scope.by, scope.at);
    match existing {
        Some(person) => Ok(people::update(
            conn,
            &person.id,
            &intake::adult_changes(adult, by),
            now,
        )?),
        None => {
            let person = intake::new_person(scope.provider_id, adult, by, now);
            people::insert(conn, &person)?;
            let relationship = adult.relationship.clone();
            link(conn, scope.referral_id, &person, role, relationship, 0)?;
            Ok(person)
        }
    }
}

/// Links a party to a parent account of the same provider, so the parent can follow the case.
fn link_account(
    conn: &mut AnyConnection,
    scope: &Scope,
    person_id: &str,
    account_id: &str,
    role: PartyRole,
) -> Result<(), AppError> {
    let field = format!("{role}.account_id");
    // One answer for an id that does not exist and one that is not this provider's parent, so
    // that another provider's account ids cannot be probed from here.
    let refused = || {
        AppError::invalid(
            &field,
            "not_a_parent",
            "must be the id of a parent account of this provider",
        )
    };
    let user = match users::find(conn, account_id) {
        Ok(u) => u,
        Err(StoreError::NotFound) => return Err(refused()),
        Err(e) => return Err(e.into()),
    };
    if user.role()? != Role::Parent || user.provider_id.as_deref() != Some(scope.provider_id) {
        return Err(refused());
    }
    let changes = PersonChanges {
        user_id: Some(Some(user.id)),
        ..Default::default()
    };
    people::update(conn, person_id, &changes, scope.at)?;
    Ok(())
}

/// Replaces the children: those given with an `id` already on the case are updated, others
/// added; children not given are taken off the case.
fn write_children(
    conn: &mut AnyConnection,
    scope: &Scope,
    existing: &[(Party, Person)],
    children: &[Child],
) -> Result<(), AppError> {
    let (referral_id, now) = (scope.referral_id, scope.at);
    let current: Vec<&Person> = existing
        .iter()
        .filter(|(p, _)| p.role().ok() == Some(PartyRole::Child))
        .map(|(_, person)| person)
        .collect();
    for (i, child) in children.iter().enumerate() {
        if let Some(id) = &child.id {
            if !current.iter().any(|p| &p.id == id) {
                return Err(AppError::invalid(
                    &format!("children[{i}].id"),
                    "not_found",
                    "is not a child on this referral",
                ));
            }
        }
    }
    for person in &current {
        if !children
            .iter()
            .any(|c| c.id.as_deref() == Some(person.id.as_str()))
        {
            referrals::remove_party(conn, referral_id, &person.id)?;
        }
    }
    for (i, child) in children.iter().enumerate() {
        let position = i32::try_from(i).unwrap_or(i32::MAX);
        match &child.id {
            Some(id) => {
                let changes = PersonChanges {
                    given_name: child
                        .given_name
                        .as_ref()
                        .map(|v| Some(v.trim().to_string())),
                    family_name: child
                        .family_name
                        .as_ref()
                        .map(|v| Some(v.trim().to_string())),
                    date_of_birth: child.date_of_birth.map(Some),
                    ..Default::default()
                };
                people::update(conn, id, &changes, now)?;
            }
            None => {
                let (given, family) = (child.given_name.clone(), child.family_name.clone());
                let person =
                    intake::named(scope.provider_id, given, family, child.date_of_birth, now);
                people::insert(conn, &person)?;
                link(conn, referral_id, &person, PartyRole::Child, None, position)?;
            }
        }
    }
    Ok(())
}

/// Replaces the named extra attendees.
fn write_attendees(
    conn: &mut AnyConnection,
    scope: &Scope,
    existing: &[(Party, Person)],
    attendees: &[Attendee],
) -> Result<(), AppError> {
    let (referral_id, now) = (scope.referral_id, scope.at);
    for (party, _) in existing
        .iter()
        .filter(|(p, _)| p.role().ok() == Some(PartyRole::Attendee))
    {
        referrals::remove_party(conn, referral_id, &party.person_id)?;
    }
    for (i, a) in attendees.iter().enumerate() {
        let (given, family) = (Some(a.given_name.clone()), Some(a.family_name.clone()));
        let person = intake::named(scope.provider_id, given, family, None, now);
        people::insert(conn, &person)?;
        let position = i32::try_from(i).unwrap_or(0);
        link(
            conn,
            referral_id,
            &person,
            PartyRole::Attendee,
            a.relationship.clone(),
            position,
        )?;
    }
    Ok(())
}
