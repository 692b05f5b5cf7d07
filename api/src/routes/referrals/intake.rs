//! Writing what intake and completion give: people and their parties, with contact details
//! recorded as supplied by the caller, and what is still missing.

use time::{Date, PrimitiveDateTime};

use super::dto::{AdultIn, AttendeeIn, ChildIn, ReferralPatch};
use crate::error::{ApiError, FieldError};
use ccm_domain::catalogue::normalise_postcode;
use ccm_domain::referral::intake::{self, Intake};
use ccm_domain::referral::provenance::{ContactParts, Provenance};
use ccm_domain::referral::PartyRole;
use ccm_domain::ReferrerKind;
use ccm_persistence::people::{self, Person, PersonChanges};
use ccm_persistence::referrals::{self, Party};
use ccm_persistence::{new_id, AnyConnection};

/// Refuses children who are not children and one person given as both parents; normalises
/// postcodes. Shared by intake and completion.
pub fn check(
    resident: Option<&AdultIn>,
    non_resident: Option<&AdultIn>,
    children: &[ChildIn],
    today: Date,
) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    for (i, child) in children.iter().enumerate() {
        if let Some(dob) = child.date_of_birth {
            if let Err(why) = intake::check_child_birth(dob, today) {
                errors.push(FieldError::new(
                    format!("children[{i}].date_of_birth"),
                    "invalid",
                    why,
                ));
            }
        }
    }
    for (field, adult) in [
        ("resident_parent", resident),
        ("non_resident_parent", non_resident),
    ] {
        if let Some(address) = adult
            .and_then(|a| a.contact.as_ref())
            .and_then(|c| c.address.as_ref())
        {
            if normalise_postcode(&address.postcode).is_none() {
                errors.push(FieldError::new(
                    format!("{field}.contact.address.postcode"),
                    "postcode",
                    "is not a UK postcode",
                ));
            }
        }
    }
    if let (Some(a), Some(b)) = (resident, non_resident) {
        if intake::same_person(&a.to_intake(None), &b.to_intake(None)) {
            errors.push(FieldError::new(
                "non_resident_parent",
                "same_person",
                "is the same person as the resident parent (same e-mail or phone)",
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errors))
    }
}

/// A new person from an adult's details, contact recorded as supplied by `by`.
pub fn new_adult(provider_id: &str, adult: &AdultIn, by: &str, now: PrimitiveDateTime) -> Person {
    let mut person = Person {
        id: new_id(),
        provider_id: provider_id.to_string(),
        given_name: None,
        family_name: None,
        date_of_birth: None,
        address_line1: None,
        address_line2: None,
        town: None,
        postcode: None,
        phone: None,
        email: None,
        address_supplied_by: None,
        phone_supplied_by: None,
        email_supplied_by: None,
        interpreter_language: None,
        access_needs: None,
        user_id: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let changes = adult_changes(adult, by);
    apply_changes(&mut person, changes);
    person
}

/// The changes an adult's details make to the stored person.
pub fn adult_changes(adult: &AdultIn, by: &str) -> PersonChanges {
    let trim = |s: &Option<String>| s.as_ref().map(|v| Some(v.trim().to_string()));
    let mut changes = PersonChanges {
        given_name: trim(&adult.given_name),
        family_name: trim(&adult.family_name),
        date_of_birth: adult.date_of_birth.map(Some),
        ..Default::default()
    };
    if let Some(contact) = &adult.contact {
        if let Some(a) = &contact.address {
            changes.address_line1 = Some(Some(a.line1.trim().to_string()));
            changes.address_line2 = Some(a.line2.clone());
            changes.town = Some(Some(a.town.trim().to_string()));
            changes.postcode = Some(normalise_postcode(&a.postcode));
        }
        if let Some(p) = &contact.phone {
            changes.phone = Some(Some(p.trim().to_string()));
        }
        if let Some(e) = &contact.email {
            changes.email = Some(Some(e.trim().to_lowercase()));
        }
        let given = ContactParts {
            address: contact.address.is_some(),
            phone: contact.phone.is_some(),
            email: contact.email.is_some(),
        };
        // Only the fields given become `by`'s: the others keep whoever supplied them.
        let mut provenance = Provenance::default();
        provenance.record(given, by);
        changes.address_supplied_by = provenance.address.map(Some);
        changes.phone_supplied_by = provenance.phone.map(Some);
        changes.email_supplied_by = provenance.email.map(Some);
    }
    if let Some(needs) = &adult.needs {
        changes.interpreter_language = Some(needs.interpreter_language.clone());
        changes.access_needs = Some(needs.access_needs.clone());
    }
    changes
}

fn apply_changes(p: &mut Person, c: PersonChanges) {
    macro_rules! set {
        ($($f:ident),*) => { $(if let Some(v) = c.$f { p.$f = v; })* };
    }
    set!(
        given_name,
        family_name,
        date_of_birth,
        address_line1,
        address_line2,
        town,
        postcode,
        phone,
        email,
        address_supplied_by,
        phone_supplied_by,
        email_supplied_by,
        interpreter_language,
        access_needs,
        user_id
    );
}

fn new_child(provider_id: &str, child: &ChildIn, now: PrimitiveDateTime) -> Person {
    let adult = AdultIn {
        given_name: child.given_name.clone(),
        family_name: child.family_name.clone(),
        date_of_birth: child.date_of_birth,
        relationship: None,
        contact: None,
        needs: None,
        account_id: None,
    };
    new_adult(provider_id, &adult, "", now)
}

fn new_attendee(provider_id: &str, a: &AttendeeIn, now: PrimitiveDateTime) -> Person {
    let adult = AdultIn {
        given_name: Some(a.given_name.clone()),
        family_name: Some(a.family_name.clone()),
        date_of_birth: None,
        relationship: None,
        contact: None,
        needs: None,
        account_id: None,
    };
    new_adult(provider_id, &adult, "", now)
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
    let adult = |role: PartyRole| {
        parties
            .iter()
            .find(|(p, _)| p.role().ok() == Some(role))
            .map(|(_, person)| intake::Adult {
                given_name: person.given_name.clone(),
                family_name: person.family_name.clone(),
                reachable: person.reachable(),
                email: person.email.clone(),
                phone: person.phone.clone(),
            })
    };
    let children = parties
        .iter()
        .filter(|(p, _)| p.role().ok() == Some(PartyRole::Child))
        .map(|(_, person)| intake::Child {
            given_name: person.given_name.clone(),
            family_name: person.family_name.clone(),
            date_of_birth: person.date_of_birth,
        })
        .collect();
    intake::missing(&Intake {
        resident_parent: adult(PartyRole::ResidentParent),
        non_resident_parent: adult(PartyRole::NonResidentParent),
        children,
        referrer_kind,
        referrer_name,
        court_ordered,
        court_name: court.and_then(|c| c.court.clone()),
        court_case_number: court.and_then(|c| c.case_number.clone()),
        court_order_date: court.and_then(|c| c.order_date),
    })
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
