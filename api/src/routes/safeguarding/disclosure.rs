//! What a referrer or court may learn about a case. For supported and handover contact that is
//! the attendance record alone (dates and times: who came, when, who did not), because those
//! services keep no notes; supervised contact adds the reports released to named recipients.
//! Anything more is disclosed only for a safeguarding reason, recorded here by the designated
//! lead with what went to whom.

use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime, Time};
use utoipa::ToSchema;
use validator::Validate;

use super::{staff_case, LEADS, READERS};
use crate::cases::{self, workflow};
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::http::{self, utc, Instant};
use crate::ids::ReferralId;
use crate::state::AppState;
use ccm_domain::london;
use ccm_domain::opening::hhmm;
use ccm_domain::records::safeguarding::{disclosure_reason, DisclosureRecipient};
use ccm_domain::referral::disclosure::Viewer;
use ccm_domain::referral::PartyRole;
use ccm_domain::ServiceType;
use ccm_persistence::safeguarding::{self as store, Disclosure};
use ccm_persistence::{new_id, sessions};

#[derive(Serialize, ToSchema)]
pub struct PartyAttendance {
    pub party: PartyRole,
    pub arrived_at: Option<Instant>,
    pub departed_at: Option<Instant>,
    pub no_show: bool,
}

#[derive(Serialize, ToSchema)]
pub struct AttendedSession {
    pub session_id: String,
    /// The session's date in England.
    #[serde(with = "http::date::format")]
    #[schema(value_type = String, format = Date, example = "2027-01-09")]
    pub date: Date,
    pub starts_at: Instant,
    pub ends_at: Instant,
    /// Local (Europe/London) start and end, as people read them.
    #[serde(with = "hhmm")]
    #[schema(value_type = String, example = "10:00")]
    pub local_start: Time,
    #[serde(with = "hhmm")]
    #[schema(value_type = String, example = "12:00")]
    pub local_end: Time,
    /// `completed`, `ended_early`, `cancelled`, or still `confirmed` when nobody has been
    /// checked in or out yet.
    pub status: String,
    pub parties: Vec<PartyAttendance>,
}

#[derive(Serialize, ToSchema)]
pub struct AttendanceRecord {
    pub referral_id: String,
    pub service_type: ServiceType,
    /// Sessions that have started, oldest first: dates and times only, never observations.
    pub sessions: Vec<AttendedSession>,
}

/// The case's attendance record: for its referrer (for supported and handover contact, the only
/// thing a referrer may learn) and the provider's staff.
#[utoipa::path(tag = "safeguarding", params(ReferralId), responses((status = 200, description = "Attendance dates and times.", body = AttendanceRecord), (status = 401, response = error::Unauthorized),
    (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound)))]
#[get("/referrals/{id}/attendance")]
pub async fn attendance(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let view = state
        .read(move |conn| {
            let case = cases::load(conn, &id, &principal, false)?;
            if matches!(case.relation.viewer, Viewer::Party(_)) {
                return Err(ApiError::forbidden(
                    "a parent sees their own times in the case's sessions, not the other parent's",
                ));
            }
            let now = OffsetDateTime::now_utc();
            let held: Vec<_> = sessions::for_referral(conn, &case.referral.id)?
                .into_iter()
                .filter(|s| s.starts_at.assume_utc() <= now)
                .collect();
            let ids: Vec<String> = held.iter().map(|s| s.id.clone()).collect();
            let parties = sessions::parties(conn, &ids)?;
            let mut out = Vec::new();
            for s in held {
                let (start, end) = (s.starts_at.assume_utc(), s.ends_at.assume_utc());
                let mut seen = Vec::new();
                for p in parties.iter().filter(|p| p.session_id == s.id) {
                    seen.push(PartyAttendance {
                        party: p.party.parse().map_err(|_| {
                            ApiError::from(ccm_persistence::StoreError::Corrupt(
                                "session_parties.party".into(),
                            ))
                        })?,
                        arrived_at: p.arrived_at.map(utc),
                        departed_at: p.departed_at.map(utc),
                        no_show: p.no_show,
                    });
                }
                out.push(AttendedSession {
                    session_id: s.id,
                    date: london::local_date(start),
                    starts_at: Instant(start),
                    ends_at: Instant(end),
                    local_start: london::to_local(start).time(),
                    local_end: london::to_local(end).time(),
                    status: s.status,
                    parties: seen,
                });
            }
            Ok(AttendanceRecord {
                referral_id: case.referral.id.clone(),
                service_type: case.referral.service()?,
                sessions: out,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"recipient": "police", "recipient_name": "PC Dale, Kent Police child protection team",
    "what": "The staff account of Cal's disclosure on 9 January and the incident record.",
    "safeguarding_reason": "Cal disclosed physical harm; the police asked for the centre's account.",
    "concern_id": "019a5f3e-0000-7000-8000-000000000005"}))]
pub struct DisclosureIn {
    pub recipient: DisclosureRecipient,
    #[validate(
        length(min = 1, max = 300),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 300)]
    pub recipient_name: String,
    /// What was disclosed beyond attendance.
    #[validate(
        length(min = 1, max = 5000),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 5000)]
    pub what: String,
    /// Why someone is at risk of harm, which alone justifies the disclosure. Required.
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    pub safeguarding_reason: Option<String>,
    /// The safeguarding concern it arose from, if any: one of this case's.
    pub concern_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DisclosureView {
    pub id: String,
    pub referral_id: String,
    pub recipient: DisclosureRecipient,
    pub recipient_name: String,
    pub what: String,
    pub safeguarding_reason: String,
    pub concern_id: Option<String>,
    pub disclosed_by: String,
    pub disclosed_at: Instant,
}

fn disclosure_view(d: Disclosure) -> Result<DisclosureView, ApiError> {
    crate::audit::read(
        "disclosure",
        &d.id,
        Some(&d.referral_id),
        &["what", "safeguarding_reason"],
    );
    Ok(DisclosureView {
        recipient: d.recipient.parse().map_err(|_| {
            ApiError::from(ccm_persistence::StoreError::Corrupt(
                "disclosures.recipient".into(),
            ))
        })?,
        id: d.id,
        referral_id: d.referral_id,
        recipient_name: d.recipient_name,
        what: d.what,
        safeguarding_reason: d.safeguarding_reason,
        concern_id: d.concern_id,
        disclosed_by: d.disclosed_by,
        disclosed_at: utc(d.disclosed_at),
    })
}

/// Record a disclosure beyond attendance (or beyond released reports): to whom, what, and the
/// safeguarding reason, without which it is refused (422).
#[utoipa::path(tag = "safeguarding", params(ReferralId), request_body = DisclosureIn,
    responses((status = 201, description = "Recorded.", body = DisclosureView), error::CreateErrors))]
#[post("/referrals/{id}/disclosures")]
pub async fn record(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
    body: ValidJson<DisclosureIn>,
) -> Result<HttpResponse, ApiError> {
    let b = body.0;
    let id = id.into_inner().0;
    let view = state
        .write(move |conn| {
            let case = staff_case(conn, &id, &principal, LEADS, true)?;
            let service = case.referral.service()?;
            let reason = disclosure_reason(service, b.safeguarding_reason.as_deref())
                .map_err(|e| ApiError::invalid("safeguarding_reason", "required", e.to_string()))?;
            if let Some(concern) = &b.concern_id {
                let theirs = store::find(conn, concern)
                    .map(|c| c.referral_id == case.referral.id)
                    .unwrap_or(false);
                if !theirs {
                    return Err(ApiError::invalid(
                        "concern_id",
                        "not_found",
                        "not one of this case's safeguarding concerns",
                    ));
                }
            }
            let d = Disclosure {
                id: new_id(),
                referral_id: case.referral.id.clone(),
                recipient: b.recipient.as_str().into(),
                recipient_name: b.recipient_name.trim().to_string(),
                what: b.what.trim().to_string(),
                safeguarding_reason: reason,
                concern_id: b.concern_id,
                disclosed_by: principal.user_id.clone(),
                disclosed_at: workflow::stored(OffsetDateTime::now_utc()),
            };
            store::insert_disclosure(conn, &d)?;
            crate::audit::subject("disclosure", &d.id);
            disclosure_view(d)
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}

/// The case's disclosures beyond attendance, oldest first.
#[utoipa::path(tag = "safeguarding", params(ReferralId), responses((status = 200, description = "Disclosures.", body = Vec<DisclosureView>), (status = 401, response = error::Unauthorized),
    (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound)))]
#[get("/referrals/{id}/disclosures")]
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let views = state
        .read(move |conn| {
            let case = staff_case(conn, &id, &principal, READERS, false)?;
            store::disclosures_for(conn, &case.referral.id)?
                .into_iter()
                .map(disclosure_view)
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    Ok(HttpResponse::Ok().json(views))
}
