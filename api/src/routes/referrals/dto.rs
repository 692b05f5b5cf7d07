//! What a referral looks like coming in: intake (`POST /v1/referrals`) and completion
//! (`PATCH /v1/referrals/{id}`). Every section is optional: what is missing is listed on the
//! referral, not refused; what is present must be valid.

use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::ToSchema;
use validator::Validate;

use crate::http;
use ccm_domain::referral::eligibility::Risk;
use ccm_domain::{ReferrerKind, ServiceType};

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "centre_id": "0193...", "service_type": "supported",
    "referrer": {"kind": "solicitor", "name": "Jo Brief", "organisation": "Brief & Co", "email": "jo@brief.example"},
    "external_ref": "BC-2026-0113",
    "resident_parent": {"given_name": "Ann", "family_name": "Smith", "contact": {"phone": "01304 000001"}},
    "non_resident_parent": {"given_name": "Bob", "family_name": "Jones", "relationship": "father", "contact": {"email": "bob@example.org"}},
    "children": [{"given_name": "Cal", "family_name": "Smith", "date_of_birth": "2019-04-01"}],
    "risk": {"domestic_abuse": "none"},
    "availability": "Saturday mornings"
}))]
pub struct NewReferral {
    pub centre_id: String,
    pub service_type: ServiceType,
    #[validate(nested)]
    pub referrer: ReferrerIn,
    /// The referring agency's own reference, to find the referral again.
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 100)]
    pub external_ref: Option<String>,
    #[serde(default)]
    pub court_ordered: bool,
    #[validate(nested)]
    pub court: Option<CourtIn>,
    #[validate(nested)]
    pub resident_parent: Option<AdultIn>,
    #[validate(nested)]
    pub non_resident_parent: Option<AdultIn>,
    #[serde(default)]
    #[validate(nested, length(max = 10))]
    #[schema(max_items = 10)]
    pub children: Vec<ChildIn>,
    #[serde(default)]
    #[validate(nested, length(max = 10))]
    #[schema(max_items = 10)]
    pub attendees: Vec<AttendeeIn>,
    /// Risk factors (staff only see them back).
    pub risk: Option<Risk>,
    /// When the family can attend.
    #[validate(length(min = 1, max = 1000))]
    #[schema(min_length = 1, max_length = 1000)]
    pub availability: Option<String>,
    /// For a parent referring themselves: which side they are.
    pub self_party: Option<ParentSide>,
}

/// Completing or correcting a referral. Sections given replace what is there (a parent's
/// fields given replace those fields; `children` and `attendees` replace the lists).
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferralPatch {
    #[validate(nested)]
    pub referrer: Option<ReferrerIn>,
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 100)]
    pub external_ref: Option<String>,
    pub court_ordered: Option<bool>,
    #[validate(nested)]
    pub court: Option<CourtIn>,
    #[validate(nested)]
    pub resident_parent: Option<AdultIn>,
    #[validate(nested)]
    pub non_resident_parent: Option<AdultIn>,
    #[validate(nested, length(max = 10))]
    #[schema(max_items = 10)]
    pub children: Option<Vec<ChildIn>>,
    #[validate(nested, length(max = 10))]
    #[schema(max_items = 10)]
    pub attendees: Option<Vec<AttendeeIn>>,
    /// Staff only.
    pub risk: Option<Risk>,
    #[validate(length(min = 1, max = 1000))]
    #[schema(min_length = 1, max_length = 1000)]
    pub availability: Option<String>,
    /// The planned date of the first session (staff only); pre-visits for supported contact
    /// are not held that day.
    #[serde(default, with = "http::date::format::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub first_session_on: Option<Date>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ParentSide {
    ResidentParent,
    NonResidentParent,
}

impl From<ParentSide> for ccm_domain::referral::PartyRole {
    fn from(side: ParentSide) -> Self {
        match side {
            ParentSide::ResidentParent => Self::ResidentParent,
            ParentSide::NonResidentParent => Self::NonResidentParent,
        }
    }
}

#[derive(Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferrerIn {
    pub kind: ReferrerKind,
    /// The person referring (needed unless a parent refers themselves).
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub organisation: Option<String>,
    #[validate(email, length(max = 254))]
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
    #[validate(length(min = 5, max = 30))]
    #[schema(min_length = 5, max_length = 30)]
    pub phone: Option<String>,
}

/// A court order's details, for court-ordered contact.
#[derive(Clone, Default, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CourtIn {
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(
        min_length = 1,
        max_length = 200,
        example = "Family Court at Canterbury"
    )]
    pub court: Option<String>,
    #[validate(length(min = 1, max = 50), custom(function = "crate::http::not_blank"))]
    #[schema(min_length = 1, max_length = 50, example = "CT26P00123")]
    pub case_number: Option<String>,
    #[serde(default, with = "http::date::format::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub order_date: Option<Date>,
    /// Who the order allows to attend.
    #[validate(length(min = 1, max = 500))]
    #[schema(min_length = 1, max_length = 500)]
    pub who_may_attend: Option<String>,
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200, example = "fortnightly, 2 hours")]
    pub frequency: Option<String>,
    /// Who reports are released to, as the order says.
    #[serde(default)]
    #[validate(length(max = 10))]
    #[schema(max_items = 10, example = json!(["cafcass", "resident_parent_solicitor"]))]
    pub report_recipients: Vec<String>,
}

#[derive(Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdultIn {
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 100)]
    pub given_name: Option<String>,
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 100)]
    pub family_name: Option<String>,
    #[serde(default, with = "http::date::format::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub date_of_birth: Option<Date>,
    /// How they are related to the children ("mother", "grandmother").
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub relationship: Option<String>,
    /// Confidential: never shown to the other parent.
    #[validate(nested)]
    pub contact: Option<ContactIn>,
    /// Interpreter and access needs (health data: staff only).
    #[validate(nested)]
    pub needs: Option<NeedsIn>,
    /// Links this party to a parent account so they can follow the case (staff only).
    pub account_id: Option<String>,
}

#[derive(Clone, Default, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactIn {
    #[validate(nested)]
    pub address: Option<PostalAddress>,
    #[validate(length(min = 5, max = 30))]
    #[schema(min_length = 5, max_length = 30)]
    pub phone: Option<String>,
    #[validate(email, length(max = 254))]
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
}

#[derive(Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostalAddress {
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub line1: String,
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub line2: Option<String>,
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 100)]
    pub town: String,
    #[validate(length(min = 5, max = 10))]
    #[schema(
        min_length = 5,
        max_length = 10,
        pattern = r"^ ?[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2} ?$"
    )]
    pub postcode: String,
}

#[derive(Clone, Default, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NeedsIn {
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100, example = "Polish")]
    pub interpreter_language: Option<String>,
    #[validate(length(min = 1, max = 500))]
    #[schema(min_length = 1, max_length = 500, example = "step-free access")]
    pub access_needs: Option<String>,
}

#[derive(Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChildIn {
    /// The child's id, to update a child already on the referral.
    pub id: Option<String>,
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 100)]
    pub given_name: Option<String>,
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 100)]
    pub family_name: Option<String>,
    /// Not in the future, less than 18 years ago.
    #[serde(default, with = "http::date::format::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub date_of_birth: Option<Date>,
}

#[derive(Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendeeIn {
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 100)]
    pub given_name: String,
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 100)]
    pub family_name: String,
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub relationship: Option<String>,
}

/// The referrer's details as stored (JSON) and shown to staff.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ReferrerDetails {
    pub name: Option<String>,
    pub organisation: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl From<&ReferrerIn> for ReferrerDetails {
    fn from(r: &ReferrerIn) -> Self {
        ReferrerDetails {
            name: r.name.as_ref().map(|n| n.trim().to_string()),
            organisation: r.organisation.clone(),
            email: r.email.as_ref().map(|e| e.trim().to_lowercase()),
            phone: r.phone.clone(),
        }
    }
}
