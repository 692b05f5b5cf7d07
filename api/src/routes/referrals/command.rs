//! From what a request says to what `ccm-app` is asked to do: the intake DTOs as commands.

use ccm_app::referrals::intake::{Address, Adult, Attendee, Child, Contact, Court, Needs};
use ccm_app::referrals::{Caller, NewReferral as NewReferralCmd};

use super::dto::{AdultIn, AttendeeIn, ChildIn, CourtIn, NewReferral, ReferrerDetails};
use crate::extract::Principal;

impl From<&Principal> for Caller {
    fn from(p: &Principal) -> Caller {
        Caller {
            user_id: p.user_id.clone(),
            role: p.role,
            provider_id: p.provider_id.clone(),
            client_id: p.client_id.clone(),
        }
    }
}

impl From<&AdultIn> for Adult {
    fn from(a: &AdultIn) -> Adult {
        Adult {
            given_name: a.given_name.clone(),
            family_name: a.family_name.clone(),
            date_of_birth: a.date_of_birth,
            relationship: a.relationship.clone(),
            contact: a.contact.as_ref().map(|c| Contact {
                address: c.address.as_ref().map(|a| Address {
                    line1: a.line1.clone(),
                    line2: a.line2.clone(),
                    town: a.town.clone(),
                    postcode: a.postcode.clone(),
                }),
                phone: c.phone.clone(),
                email: c.email.clone(),
            }),
            needs: a.needs.as_ref().map(|n| Needs {
                interpreter_language: n.interpreter_language.clone(),
                access_needs: n.access_needs.clone(),
            }),
            account_id: a.account_id.clone(),
        }
    }
}

impl From<&ChildIn> for Child {
    fn from(c: &ChildIn) -> Child {
        Child {
            id: c.id.clone(),
            given_name: c.given_name.clone(),
            family_name: c.family_name.clone(),
            date_of_birth: c.date_of_birth,
        }
    }
}

impl From<&AttendeeIn> for Attendee {
    fn from(a: &AttendeeIn) -> Attendee {
        Attendee {
            given_name: a.given_name.clone(),
            family_name: a.family_name.clone(),
            relationship: a.relationship.clone(),
        }
    }
}

impl From<&CourtIn> for Court {
    fn from(c: &CourtIn) -> Court {
        Court {
            court: c.court.clone(),
            case_number: c.case_number.clone(),
            order_date: c.order_date,
        }
    }
}

/// JSON the API wrote itself from its own types: it cannot fail to serialise.
fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

impl From<NewReferral> for NewReferralCmd {
    fn from(new: NewReferral) -> NewReferralCmd {
        NewReferralCmd {
            centre_id: new.centre_id,
            service: new.service_type,
            referrer_kind: new.referrer.kind,
            referrer_name: new.referrer.name.clone(),
            referrer_details: json(&ReferrerDetails::from(&new.referrer)),
            external_ref: new.external_ref,
            court_ordered: new.court_ordered,
            court: new.court.as_ref().map(|c| (c.into(), json(c))),
            risk: json(&new.risk.unwrap_or_default()),
            availability: new.availability,
            self_party: new.self_party.map(Into::into),
            resident_parent: new.resident_parent.as_ref().map(Into::into),
            non_resident_parent: new.non_resident_parent.as_ref().map(Into::into),
            children: new.children.iter().map(Into::into).collect(),
            attendees: new.attendees.iter().map(Into::into).collect(),
        }
    }
}
