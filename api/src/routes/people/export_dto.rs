//! The shape of a subject access export: the person's own record and, per case, only what is
//! about them. Other people appear by role only (a parent's children by given name).

use serde::Serialize;
use time::Date;
use utoipa::ToSchema;

use crate::http::{self, Instant};
use crate::routes::referrals::view::{ContactView, NeedsView};
use crate::routes::reports::released::ReleasedReport;
use crate::routes::sessions::PartyTimesView;
use ccm_domain::records::document::DocumentKind;
use ccm_domain::referral::lifecycle::ReferralStatus;
use ccm_domain::referral::PartyRole;
use ccm_domain::subject_access::LetterboxSide;
use ccm_domain::{Money, Role, ServiceType};

/// Everything the provider holds on one person, for answering their subject access request.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"generated_at": "2027-04-01T09:00:00Z", "generated_by": "019a5f3e-0000-7000-8000-000000000001",
    "subject": {"id": "019a5f3e-0000-7000-8000-000000000002", "provider_id": "019a5f3e-0000-7000-8000-000000000009",
        "given_name": "Ann", "family_name": "Smith", "date_of_birth": null,
        "contact": {"address_line1": null, "address_line2": null, "town": null, "postcode": null, "phone": "07700 900123", "email": "ann@example.org"},
        "contact_supplied_by": {"address": null, "phone": null, "email": null}, "needs": {"interpreter_language": null, "access_needs": null},
        "created_at": "2027-01-02T10:00:00Z", "updated_at": "2027-01-02T10:00:00Z"},
    "account": null,
    "cases": [{"referral_id": "019a5f3e-0000-7000-8000-000000000003", "centre_id": "019a5f3e-0000-7000-8000-000000000004",
        "centre_name": "CL Gravesend Supervised", "service_type": "supervised", "status": "active",
        "party_role": "resident_parent", "relationship": null,
        "other_parties": [{"role": "non_resident_parent", "given_name": null}, {"role": "child", "given_name": "Cal"}],
        "referred_at": "2027-01-02T10:00:00Z", "status_changed_at": "2027-01-20T10:00:00Z", "court_ordered": true,
        "activated_on": "2027-01-20", "first_session_on": null, "next_review_on": "2027-04-20", "closure_reason": null,
        "pre_visits": [], "sessions": [], "charges": [], "released_reports": [], "letterbox": [], "safeguarding_concerns": [], "documents": []}],
    "notes": ["Other people's personal data is left out: ..."]}))]
pub struct SubjectExport {
    pub generated_at: Instant,
    /// The account that produced the export.
    pub generated_by: String,
    pub subject: SubjectRecord,
    /// The person's own account, if one is linked.
    pub account: Option<AccountRecord>,
    /// Every case they are a party to, oldest first.
    pub cases: Vec<CaseRecord>,
    /// What the export deliberately leaves out, and why.
    pub notes: Vec<&'static str>,
}

/// The person record, every field.
#[derive(Serialize, ToSchema)]
pub struct SubjectRecord {
    pub id: String,
    pub provider_id: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    #[serde(with = "http::date::format::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub date_of_birth: Option<Date>,
    pub contact: ContactView,
    /// The accounts that supplied each of the current contact details.
    pub contact_supplied_by: ContactSuppliedBy,
    pub needs: NeedsView,
    pub created_at: Instant,
    pub updated_at: Instant,
}

/// The account that supplied each contact field (`null`: nobody on record).
#[derive(Serialize, ToSchema)]
pub struct ContactSuppliedBy {
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AccountRecord {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
    pub created_at: Instant,
    pub last_login_at: Option<Instant>,
}

/// One case, as it concerns the subject.
#[derive(Serialize, ToSchema)]
pub struct CaseRecord {
    pub referral_id: String,
    pub centre_id: String,
    pub centre_name: String,
    pub service_type: ServiceType,
    pub status: ReferralStatus,
    /// The subject's part in the case.
    pub party_role: PartyRole,
    /// How they are related to the child, as the referral gives it.
    pub relationship: Option<String>,
    /// The case's other parties: by role only, but a parent's children by given name.
    pub other_parties: Vec<OtherParty>,
    pub referred_at: Instant,
    pub status_changed_at: Instant,
    pub court_ordered: bool,
    #[serde(with = "http::date::format::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub activated_on: Option<Date>,
    #[serde(with = "http::date::format::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub first_session_on: Option<Date>,
    #[serde(with = "http::date::format::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub next_review_on: Option<Date>,
    /// Why the case closed (completed, withdrawn, ...), once it has.
    pub closure_reason: Option<String>,
    /// The subject's own pre-visits.
    pub pre_visits: Vec<PreVisitRecord>,
    pub sessions: Vec<SessionRecord>,
    /// Charges naming the subject as payer, with what was paid, refunded or waived.
    pub charges: Vec<ChargeRecord>,
    /// Supervised reports released to the subject, as released.
    pub released_reports: Vec<ReleasedReport>,
    pub letterbox: Vec<LetterboxRecord>,
    /// Concerns about the subject, a child: status and dates only.
    pub safeguarding_concerns: Vec<ConcernRecord>,
    /// Documents filed on the case: metadata only.
    pub documents: Vec<DocumentRecord>,
}

#[derive(Serialize, ToSchema)]
pub struct OtherParty {
    pub role: PartyRole,
    /// Only for the children of a parent's case.
    pub given_name: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PreVisitRecord {
    pub starts_at: Instant,
    pub ends_at: Instant,
    pub attended: bool,
}

#[derive(Serialize, ToSchema)]
/// A session of the case: its date and the subject's own times, never its bounds (a session's
/// start and end are some parent's times, and an export is read by a parent: their own, or
/// their child's).
pub struct SessionRecord {
    pub id: String,
    /// The session's date in England.
    #[serde(with = "http::date::format")]
    #[schema(value_type = String, format = Date, example = "2027-01-09")]
    pub date: Date,
    pub status: String,
    /// resident_parent, non_resident_parent or centre.
    pub cancelled_by: Option<String>,
    pub cancelled_at: Option<Instant>,
    /// The subject's own planned and actual times (parents only).
    pub attendance: Option<PartyTimesView>,
}

#[derive(Serialize, ToSchema)]
pub struct ChargeRecord {
    pub id: String,
    /// referral_fee, balance, session, item or cancellation.
    pub kind: String,
    pub description: String,
    #[serde(with = "http::money")]
    #[schema(value_type = String, example = "95.00")]
    pub amount: Money,
    #[schema(example = "GBP")]
    pub currency: &'static str,
    pub refundable: bool,
    pub created_at: Instant,
    /// Payments, refunds and waivers against it, oldest first.
    pub entries: Vec<EntryRecord>,
}

#[derive(Serialize, ToSchema)]
pub struct EntryRecord {
    pub id: String,
    /// payment, refund or waiver.
    pub kind: String,
    #[serde(with = "http::money")]
    #[schema(value_type = String, example = "95.00")]
    pub amount: Money,
    pub method: Option<String>,
    pub reference: Option<String>,
    pub created_at: Instant,
}

#[derive(Serialize, ToSchema)]
pub struct LetterboxRecord {
    pub id: String,
    /// Whether the subject sent it or it was sent to them.
    pub side: LetterboxSide,
    /// to_child or from_child.
    pub direction: String,
    pub kind: String,
    pub large_or_valuable: bool,
    pub received_at: Instant,
    pub status: String,
    pub sent_at: Option<Instant>,
    pub delivered_at: Option<Instant>,
    pub returned_at: Option<Instant>,
}

#[derive(Serialize, ToSchema)]
pub struct ConcernRecord {
    pub id: String,
    pub status: String,
    pub raised_at: Instant,
    pub suspended_case: bool,
    pub decided_at: Option<Instant>,
    pub referred_at: Option<Instant>,
    pub closed_at: Option<Instant>,
}

#[derive(Serialize, ToSchema)]
pub struct DocumentRecord {
    pub id: String,
    pub kind: DocumentKind,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub uploaded_at: Instant,
}
