//! A referral as one caller may see it: every response is a projection through the
//! domain's disclosure rules, so what a role or party must not see is never serialised.

use serde::Serialize;
use time::Date;
use utoipa::ToSchema;

use super::dto::{CourtIn, ReferrerDetails};
use crate::cases::{stored_json, Case};
use crate::error::ApiError;
use crate::http::{self, utc, Instant, CURRENCY};
use ccm_domain::referral::disclosure::{self, Viewer};
use ccm_domain::referral::eligibility::Risk;
use ccm_domain::referral::lifecycle::{ReferralAction, ReferralStatus};
use ccm_domain::referral::provenance::ContactParts;
use ccm_domain::referral::readiness::available_actions;
use ccm_domain::referral::PartyRole;
use ccm_domain::{Funder, Money, ReferrerKind, Role, ServiceType};
use ccm_persistence::people::Person;
use ccm_persistence::referrals::Party;

#[derive(Serialize, ToSchema)]
pub struct ReferralView {
    pub id: String,
    pub provider_id: String,
    pub centre_id: String,
    pub service_type: ServiceType,
    pub status: ReferralStatus,
    pub status_changed_at: Instant,
    /// The actions the caller may take now (each is `POST /v1/referrals/{id}/{action}`).
    pub actions: Vec<ReferralAction>,
    /// What intake still needs, by field; empty when complete.
    pub missing: Vec<String>,
    pub referrer_kind: ReferrerKind,
    /// Who referred (staff and the referrer only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referrer: Option<ReferrerDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_ref: Option<String>,
    pub court_ordered: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub court: Option<CourtIn>,
    /// The parties the caller may see: a parent never sees the other parent.
    pub parties: Vec<PartyView>,
    /// Special-category risk factors: the provider's staff who need them only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk: Option<Risk>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability: Option<String>,
    /// A funder paying the family's fees.
    pub funded_by: Option<Funder>,
    /// What the family still owes (staff who handle money, and the paying parent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fees: Option<FeesDue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiting_list: Option<WaitingListPlace>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offer: Option<OfferView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decline: Option<DeclineView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closure: Option<ClosureView>,
    /// Why the case is suspended (staff only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspension_reason: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "http::date::format::option"
    )]
    #[schema(value_type = Option<String>, format = Date)]
    pub first_session_on: Option<Date>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "http::date::format::option"
    )]
    #[schema(value_type = Option<String>, format = Date)]
    pub activated_on: Option<Date>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "http::date::format::option"
    )]
    #[schema(value_type = Option<String>, format = Date)]
    pub next_review_on: Option<Date>,
    pub version: i64,
    pub created_at: Instant,
    pub updated_at: Instant,
}

/// One person in the case, with only the fields the caller may see.
#[derive(Serialize, ToSchema)]
pub struct PartyView {
    pub role: PartyRole,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "http::date::format::option"
    )]
    #[schema(value_type = Option<String>, format = Date)]
    pub date_of_birth: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relationship: Option<String>,
    /// Confidential contact details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactView>,
    /// Interpreter and access needs (health data).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needs: Option<NeedsView>,
    /// Whether a parent account is linked (staff only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub has_account: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct ContactView {
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub town: Option<String>,
    pub postcode: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct NeedsView {
    pub interpreter_language: Option<String>,
    pub access_needs: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct FeesDue {
    /// What the family still owes across all charges.
    #[serde(with = "http::money")]
    #[schema(value_type = String, example = "110.00")]
    pub outstanding: Money,
    #[schema(example = "GBP")]
    pub currency: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct WaitingListPlace {
    /// 1 is next to be offered a place.
    pub position: usize,
    pub waiting_since: Option<Instant>,
    /// A coordinator's priority and its reason (staff only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority_reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct OfferView {
    /// Accept before this, or the place goes to the next family.
    pub expires_at: Option<Instant>,
}

#[derive(Serialize, ToSchema)]
pub struct DeclineView {
    /// Why (staff only: it may name risks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The service the family is pointed to instead.
    pub signposted_service: Option<ServiceType>,
}

#[derive(Serialize, ToSchema)]
pub struct ClosureView {
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

pub use ccm_app::referrals::read::Extras;

fn is_staff(viewer: Viewer, roles: &[Role]) -> bool {
    matches!(viewer, Viewer::Staff(r) if roles.contains(&r))
}

/// The referral as the caller may see it. Every referral leaves the API through here, so this
/// is where a read of its confidential fields is put on the audit trail.
pub fn project(case: &Case, extras: &Extras) -> Result<ReferralView, ApiError> {
    let view = projection(case, extras)?;
    let mut read = Vec::new();
    if view.parties.iter().any(|p| p.contact.is_some()) {
        read.push("parties[].contact");
    }
    if view.parties.iter().any(|p| p.needs.is_some()) {
        read.push("parties[].needs");
    }
    if view.risk.is_some() {
        read.push("risk");
    }
    crate::audit::read("referral", &view.id, Some(&view.id), &read);
    Ok(view)
}

fn projection(case: &Case, extras: &Extras) -> Result<ReferralView, ApiError> {
    let r = &case.referral;
    let viewer = case.relation.viewer;
    let payer = case.relation.party == Some(PartyRole::NonResidentParent) && r.funder.is_none();
    let fields = disclosure::case(viewer, payer);
    let staff_decides = is_staff(viewer, &[Role::OrgAdmin, Role::Coordinator]);
    let status = r.status()?;
    let mut parties = Vec::new();
    for (p, person) in &case.parties {
        let supplied = person.provenance().supplied_by(&case.relation.user_id);
        parties.extend(project_party(viewer, p.role()?, p, person, supplied));
    }
    Ok(ReferralView {
        id: r.id.clone(),
        provider_id: r.provider_id.clone(),
        centre_id: r.centre_id.clone(),
        service_type: r.service()?,
        status,
        status_changed_at: utc(r.status_changed_at),
        actions: available_actions(status, &extras.readiness)
            .into_iter()
            .filter(|a| case.relation.may(*a))
            .collect(),
        missing: r.missing()?,
        referrer_kind: r.referrer_kind()?,
        referrer: fields
            .referrer
            .then(|| stored_json(&r.referrer_details))
            .transpose()?,
        external_ref: (fields.referrer).then(|| r.external_ref.clone()).flatten(),
        court_ordered: r.court_ordered,
        court: if fields.court {
            r.court.as_deref().map(stored_json).transpose()?
        } else {
            None
        },
        parties,
        risk: fields.risk.then(|| r.risk()).transpose()?,
        availability: (fields.referrer || fields.risk)
            .then(|| r.availability.clone())
            .flatten(),
        funded_by: r.funder.as_deref().and_then(|f| f.parse().ok()),
        fees: if fields.ledger {
            extras.outstanding.map(|outstanding| FeesDue {
                outstanding,
                currency: CURRENCY,
            })
        } else {
            None
        },
        waiting_list: match (fields.waiting_list, extras.waiting_position) {
            (true, Some(position)) => Some(WaitingListPlace {
                position,
                waiting_since: r.complete_at.map(utc),
                priority: staff_decides.then_some(r.priority),
                priority_reason: if staff_decides {
                    r.priority_reason.clone()
                } else {
                    None
                },
            }),
            _ => None,
        },
        offer: (status == ReferralStatus::PlaceOffered).then(|| OfferView {
            expires_at: r.offer_expires_at.map(utc),
        }),
        decline: (status == ReferralStatus::Declined).then(|| DeclineView {
            reason: if fields.risk {
                r.decline_reason.clone()
            } else {
                None
            },
            signposted_service: r.signposted_service.as_deref().and_then(|s| s.parse().ok()),
        }),
        closure: (status == ReferralStatus::Closed).then(|| ClosureView {
            reason: r.closure_reason.clone(),
            notes: if staff_decides {
                r.closure_notes.clone()
            } else {
                None
            },
        }),
        suspension_reason: if fields.risk {
            r.suspension_reason.clone()
        } else {
            None
        },
        first_session_on: if matches!(viewer, Viewer::Staff(_) | Viewer::Party(_)) {
            r.first_session_on
        } else {
            None
        },
        activated_on: r.activated_on,
        next_review_on: if staff_decides {
            r.next_review_on
        } else {
            None
        },
        version: r.version,
        created_at: utc(r.created_at),
        updated_at: utc(r.updated_at),
    })
}

/// One party as `viewer` sees it; `None` when the viewer may not see it listed at all.
pub fn project_party(
    viewer: Viewer,
    role: PartyRole,
    p: &Party,
    person: &Person,
    supplied_by_viewer: ContactParts,
) -> Option<PartyView> {
    let f = disclosure::party(viewer, role, supplied_by_viewer);
    if !f.listed {
        return None;
    }
    Some(PartyView {
        role,
        id: f.identity.then(|| person.id.clone()),
        given_name: if f.identity {
            person.given_name.clone()
        } else {
            None
        },
        family_name: if f.identity {
            person.family_name.clone()
        } else {
            None
        },
        date_of_birth: if f.date_of_birth {
            person.date_of_birth
        } else {
            None
        },
        relationship: if f.identity {
            p.relationship.clone()
        } else {
            None
        },
        contact: f.contact.any().then(|| {
            let address = |v: &Option<String>| v.clone().filter(|_| f.contact.address);
            ContactView {
                address_line1: address(&person.address_line1),
                address_line2: address(&person.address_line2),
                town: address(&person.town),
                postcode: address(&person.postcode),
                phone: person.phone.clone().filter(|_| f.contact.phone),
                email: person.email.clone().filter(|_| f.contact.email),
            }
        }),
        needs: f.needs.then(|| NeedsView {
            interpreter_language: person.interpreter_language.clone(),
            access_needs: person.access_needs.clone(),
        }),
        has_account: is_staff(viewer, &[Role::OrgAdmin, Role::Coordinator])
            .then_some(person.user_id.is_some()),
    })
}
