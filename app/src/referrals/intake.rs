//! The people a referral names, as a command gives them: checked, turned into stored people
//! with their contact details recorded as supplied by the caller, and what is still missing.

use crate::problem::ProblemType;
use time::{Date, PrimitiveDateTime};

use ccm_domain::catalogue::normalise_postcode;
use ccm_domain::referral::intake;
use ccm_domain::referral::provenance::{ContactParts, Provenance};
use ccm_domain::referral::PartyRole;
use ccm_domain::ReferrerKind;
use ccm_persistence::new_id;
use ccm_persistence::people::{Person, PersonChanges};
use ccm_persistence::referrals::Party;

use crate::error::{AppError, FieldError};

/// An adult as a caller gives them: every part optional (what is missing is listed, not
/// refused).
#[derive(Clone, Debug, Default)]
pub struct Adult {
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub date_of_birth: Option<Date>,
    pub relationship: Option<String>,
    pub contact: Option<Contact>,
    pub needs: Option<Needs>,
    /// The parent account to link the party to (staff only).
    pub account_id: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Contact {
    pub address: Option<Address>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Address {
    pub line1: String,
    pub line2: Option<String>,
    pub town: String,
    pub postcode: String,
}

#[derive(Clone, Debug, Default)]
pub struct Needs {
    pub interpreter_language: Option<String>,
    pub access_needs: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Child {
    /// A child already on the case (when completing one); a new referral has none.
    pub id: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub date_of_birth: Option<Date>,
}

#[derive(Clone, Debug)]
pub struct Attendee {
    pub given_name: String,
    pub family_name: String,
    pub relationship: Option<String>,
}

/// A court order's details, as far as intake asks for them.
#[derive(Clone, Debug, Default)]
pub struct Court {
    pub court: Option<String>,
    pub case_number: Option<String>,
    pub order_date: Option<Date>,
}

impl Adult {
    /// The adult as intake's rules see it, over what is already stored.
    pub fn to_intake(&self, stored: Option<&Person>) -> intake::Adult {
        let contact = self.contact.clone().unwrap_or_default();
        let given = self
            .given_name
            .clone()
            .or_else(|| stored.and_then(|p| p.given_name.clone()));
        let family = self
            .family_name
            .clone()
            .or_else(|| stored.and_then(|p| p.family_name.clone()));
        let email = contact
            .email
            .or_else(|| stored.and_then(|p| p.email.clone()));
        let phone = contact
            .phone
            .or_else(|| stored.and_then(|p| p.phone.clone()));
        let address =
            contact.address.is_some() || stored.is_some_and(|p| p.address_line1.is_some());
        intake::Adult {
            given_name: given,
            family_name: family,
            reachable: address || email.is_some() || phone.is_some(),
            email: email.map(|e| e.trim().to_lowercase()),
            phone: phone.map(|p| intake::phone_key(&p)),
        }
    }
}

/// Refuses children who are not children and one person given as both parents; every field
/// at fault is named. Shared by intake and completion.
pub fn check(
    resident: Option<&Adult>,
    non_resident: Option<&Adult>,
    children: &[Child],
    today: Date,
) -> Result<(), AppError> {
    let mut errors = Vec::new();
    for (i, child) in children.iter().enumerate() {
        if let Some(Err(why)) = child
            .date_of_birth
            .map(|dob| intake::check_child_birth(dob, today))
        {
            let field = format!("children[{i}].date_of_birth");
            errors.push(FieldError::new(field, "invalid", why));
        }
    }
    for (field, adult) in [
        ("resident_parent", resident),
        ("non_resident_parent", non_resident),
    ] {
        let address = adult
            .and_then(|a| a.contact.as_ref())
            .and_then(|c| c.address.as_ref());
        if address.is_some_and(|a| normalise_postcode(&a.postcode).is_none()) {
            let field = format!("{field}.contact.address.postcode");
            errors.push(FieldError::new(field, "postcode", "is not a UK postcode"));
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
    let detail = match errors.as_slice() {
        [] => return Ok(()),
        [one] => format!("{}: {}", one.field, one.message),
        _ => "The request has invalid fields.".to_string(),
    };
    Err(AppError::Unprocessable {
        code: ProblemType::Validation,
        detail,
        errors,
    })
}

/// The changes an adult's details make to the stored person; the contact details given
/// become `by`'s, the others keep whoever supplied them.
pub fn adult_changes(adult: &Adult, by: &str) -> PersonChanges {
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

/// A new person of `provider_id` from an adult's details, contact supplied by `by`.
pub fn new_person(provider_id: &str, adult: &Adult, by: &str, at: PrimitiveDateTime) -> Person {
    let c = adult_changes(adult, by);
    Person {
        id: new_id(),
        provider_id: provider_id.to_string(),
        given_name: c.given_name.flatten(),
        family_name: c.family_name.flatten(),
        date_of_birth: c.date_of_birth.flatten(),
        address_line1: c.address_line1.flatten(),
        address_line2: c.address_line2.flatten(),
        town: c.town.flatten(),
        postcode: c.postcode.flatten(),
        phone: c.phone.flatten(),
        email: c.email.flatten(),
        address_supplied_by: c.address_supplied_by.flatten(),
        phone_supplied_by: c.phone_supplied_by.flatten(),
        email_supplied_by: c.email_supplied_by.flatten(),
        interpreter_language: c.interpreter_language.flatten(),
        access_needs: c.access_needs.flatten(),
        user_id: c.user_id.flatten(),
        version: 1,
        created_at: at,
        updated_at: at,
    }
}

/// A child or attendee: a name (and a birth date), nothing confidential.
pub fn named(
    provider_id: &str,
    given_name: Option<String>,
    family_name: Option<String>,
    date_of_birth: Option<Date>,
    at: PrimitiveDateTime,
) -> Person {
    let adult = Adult {
        given_name,
        family_name,
        date_of_birth,
        ..Adult::default()
    };
    new_person(provider_id, &adult, "", at)
}

/// What a case with these parties still lacks, by field.
pub fn missing(
    parties: &[(Party, Person)],
    referrer_kind: ReferrerKind,
    referrer_name: Option<String>,
    court_ordered: bool,
    court: Option<&Court>,
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
    intake::missing(&intake::Intake {
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
