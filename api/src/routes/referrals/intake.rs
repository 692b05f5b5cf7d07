//! Writing what intake and completion give: people and their parties, with contact details
//! recorded as supplied by the caller, and what is still missing.

use time::{Date, PrimitiveDateTime};

use super::dto::{AdultIn, AttendeeIn, ChildIn, ReferralPatch};
use crate::error::ApiError;
use ccm_app::referrals::intake as app;
use ccm_domain::referral::PartyRole;
use ccm_domain::ReferrerKind;
use ccm_persistence::people::{self, Person, PersonChanges};
use ccm_persistence::referrals::{self, Party};
use ccm_persistence::AnyConnection;

/// Refuses children who are not children and one person given as both parents (the rule is
/// `ccm-app`'s, shared with intake). Shared by intake and completion.
pub fn check(
    resident: Option<&AdultIn>,
    non_resident: Option<&AdultIn>,
    children: &[ChildIn],
    today: Date,
) -> Result<(), ApiError> {
    let children: Vec<app::Child> = children.iter().map(Into::into).collect();
    Ok(app::check(
        resident.map(Into::into).as_ref(),
        non_resident.map(Into::into).as_ref(),
        &children,
        today,
    )?)
}

/// A new person from an adult's details, contact recorded as supplied by `by`.
pub fn new_adult(provider_id: &str, adult: &AdultIn, by: &str, now: PrimitiveDateTime) -> Person {
    app::new_person(provider_id, &adult.into(), by, now)
}

/// The changes an adult's details make to the stored person.
pub fn adult_changes(adult: &AdultIn, by: &str) -> PersonChanges {
    app::adult_changes(&adult.into(), by)
}

fn new_child(provider_id: &str, child: &ChildIn, now: PrimitiveDateTime) -> Person {
    let (given, family) = (child.given_name.clone(), child.family_name.clone());
    app::named(provider_id, given, family, child.date_of_birth, now)
}

fn new_attendee(provider_id: &str, a: &AttendeeIn, now: PrimitiveDateTime) -> Person {
    let (given, family) = (Some(a.given_name.clone()), Some(a.family_name.clone()));
    app::named(provider_id, given, family, None, now)
}

pub fn link(
    conn: &mut AnyConnection,
    referral_id: &str,
    person: &Person,
    role: PartyRole,
    relationship: Option<String>,
    position: i32,
) -> Result<(), ApiError> {
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

/// The case being written, by whom and when.
pub struct Scope<'a> {
    pub referral_id: &'a str,
    pub provider_id: &'a str,
    /// The account supplying the details.
    pub by: &'a str,
    pub at: PrimitiveDateTime,
}

/// Sets or updates the adult in `role`.
pub fn write_adult(
    conn: &mut AnyConnection,
    scope: &Scope,
    existing: Option<&Person>,
    role: PartyRole,
    adult: &AdultIn,
) -> Result<Person, ApiError> {
    let (referral_id, provider_id, by, now) =
        (scope.referral_id, scope.provider_id, scope.by, scope.at);
    match existing {
        Some(person) => Ok(people::update(
            conn,
            &person.id,
            &adult_changes(adult, by),
            now,
        )?),
        None => {
            let person = new_adult(provider_id, adult, by, now);
            people::insert(conn, &person)?;
            link(
                conn,
                referral_id,
                &person,
                role,
                adult.relationship.clone(),
                0,
            )?;
            Ok(person)
        }
    }
}

/// Replaces the children: those given with an `id` already on the case are updated, others
/// added; children not given are taken off the case.
pub fn write_children(
    conn: &mut AnyConnection,
    scope: &Scope,
    existing: &[(Party, Person)],
    children: &[ChildIn],
) -> Result<(), ApiError> {
    let (referral_id, provider_id, now) = (scope.referral_id, scope.provider_id, scope.at);
    let current: Vec<&Person> = existing
        .iter()
        .filter(|(p, _)| p.role().ok() == Some(PartyRole::Child))
        .map(|(_, person)| person)
        .collect();
    for (i, child) in children.iter().enumerate() {
        if let Some(id) = &child.id {
            if !current.iter().any(|p| &p.id == id) {
                return Err(ApiError::invalid(
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
                let person = new_child(provider_id, child, now);
                people::insert(conn, &person)?;
                link(conn, referral_id, &person, PartyRole::Child, None, position)?;
            }
        }
    }
    Ok(())
}

/// Replaces the named extra attendees.
pub fn write_attendees(
    conn: &mut AnyConnection,
    scope: &Scope,
    existing: &[(Party, Person)],
    attendees: &[AttendeeIn],
) -> Result<(), ApiError> {
    let (referral_id, provider_id, now) = (scope.referral_id, scope.provider_id, scope.at);
    for (party, _) in existing
        .iter()
        .filter(|(p, _)| p.role().ok() == Some(PartyRole::Attendee))
    {
        referrals::remove_party(conn, referral_id, &party.person_id)?;
    }
    for (i, a) in attendees.iter().enumerate() {
        let person = new_attendee(provider_id, a, now);
        people::insert(conn, &person)?;
        link(
            conn,
            referral_id,
            &person,
            PartyRole::Attendee,
            a.relationship.clone(),
            i32::try_from(i).unwrap_or(0),
        )?;
    }
    Ok(())
}

/// What the stored case still lacks, by field.
pub fn missing(
    parties: &[(Party, Person)],
    referrer_kind: ReferrerKind,
    referrer_name: Option<String>,
    court_ordered: bool,
    court: Option<&super::dto::CourtIn>,
) -> Vec<String> {
    let court = court.map(app::Court::from);
    app::missing(
        parties,
        referrer_kind,
        referrer_name,
        court_ordered,
        court.as_ref(),
    )
}

/// Whether a patch changes anything only staff may change.
pub fn staff_only_fields(patch: &ReferralPatch) -> Option<&'static str> {
    if patch.risk.is_some() {
        return Some("risk");
    }
    if patch.first_session_on.is_some() {
        return Some("first_session_on");
    }
    for (field, adult) in [
        ("resident_parent", &patch.resident_parent),
        ("non_resident_parent", &patch.non_resident_parent),
    ] {
        if adult.as_ref().is_some_and(|a| a.account_id.is_some()) {
            return Some(if field == "resident_parent" {
                "resident_parent.account_id"
            } else {
                "non_resident_parent.account_id"
            });
        }
    }
    None
}
