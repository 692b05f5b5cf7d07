//! Booking: one session, a series, or a handover slot, each checked against the case, the
//! centre's hours, and every other session holding the same room or supervisor, under the
//! room's and supervisor's row locks so two servers cannot both take the last place.

use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use time::{Date, Duration, OffsetDateTime, Time};
use utoipa::ToSchema;
use validator::Validate;

use super::checks::{self, Place};
use super::{charges, session_views, SessionView};
use crate::cases::{self, scheduling, workflow};
use crate::error::ProblemType;
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::routes::referrals::require_deciding_staff;
use crate::state::AppState;
use ccm_domain::opening::hhmm;
use ccm_domain::referral::lifecycle::{is_final, ReferralStatus};
use ccm_domain::schedule::arrival::{self, HandoverSlot};
use ccm_domain::schedule::place;
use ccm_domain::schedule::series::{self, SeriesRule};
use ccm_domain::schedule::Slot;
use ccm_domain::{RoomKind, ServiceType};
use ccm_persistence::sessions::{self, Session};
use ccm_persistence::{centres, new_id};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeriesIn {
    #[serde(with = "crate::http::date::format")]
    #[schema(value_type = String, format = Date, example = "2027-01-09")]
    pub first_date: Date,
    /// Local (Europe/London) start time, "HH:MM".
    #[serde(with = "hhmm")]
    #[schema(value_type = String, example = "10:00")]
    pub starts: Time,
    #[schema(minimum = 1, maximum = 1440, example = 120)]
    pub minutes: u32,
    /// 1 weekly, 2 alternate weeks, up to 4.
    #[schema(minimum = 1, maximum = 4, example = 2)]
    pub every_weeks: u8,
    #[schema(minimum = 1, maximum = 104, example = 6)]
    pub count: u16,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandoverIn {
    /// A Saturday.
    #[serde(with = "crate::http::date::format")]
    #[schema(value_type = String, format = Date, example = "2027-01-09")]
    pub date: Date,
    pub slot: HandoverSlot,
}

/// Give exactly one of `starts_at` and `ends_at` (one session), `series`, or `handover`.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"series": {"first_date": "2027-01-09", "starts": "10:00", "minutes": 120, "every_weeks": 2, "count": 6}, "room_id": "0193...", "supervisor_id": "0193..."}))]
pub struct BookingIn {
    /// With an offset, e.g. `2027-01-09T10:00:00Z` or `2027-06-05T10:00:00+01:00`.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub starts_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ends_at: Option<OffsetDateTime>,
    pub series: Option<SeriesIn>,
    pub handover: Option<HandoverIn>,
    /// A room of the case's centre: shared for supported contact, private for supervised.
    pub room_id: Option<String>,
    /// A supervisor of the provider (supervised contact).
    pub supervisor_id: Option<String>,
    /// Supervised contact in the community (a park, a cafe) instead of a room.
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub community_place: Option<String>,
    /// Hold supervised dates before contact starts, to confirm before the pre-visit.
    #[serde(default)]
    pub provisional: bool,
}

/// Where and when, once the request is understood.
struct Plan {
    slots: Vec<Slot>,
    handover: Option<HandoverSlot>,
    series: bool,
}

fn when(b: &BookingIn, service: ServiceType) -> Result<Plan, ApiError> {
    let single = b.starts_at.is_some() || b.ends_at.is_some();
    let given =
        usize::from(single) + usize::from(b.series.is_some()) + usize::from(b.handover.is_some());
    if given != 1 {
        return Err(ApiError::invalid(
            "starts_at",
            "one_of",
            "give exactly one of starts_at/ends_at, series or handover",
        ));
    }
    if service == ServiceType::Handover && b.handover.is_none() {
        return Err(ApiError::invalid(
            "handover",
            "required",
            "handover is booked by Saturday slot",
        ));
    }
    if let Some(h) = &b.handover {
        if service != ServiceType::Handover {
            return Err(ApiError::invalid(
                "handover",
                "not_handover",
                "this case is not handover",
            ));
        }
        let slot = arrival::handover_slot(h.date, h.slot)
            .map_err(|e| ApiError::invalid("handover.date", "saturday_only", e.to_string()))?;
        return Ok(Plan {
            slots: vec![slot],
            handover: Some(h.slot),
            series: false,
        });
    }
    if let Some(s) = &b.series {
        let rule = SeriesRule {
            first_date: s.first_date,
            starts: s.starts,
            minutes: s.minutes,
            every_weeks: s.every_weeks,
            count: s.count,
        };
        let slots = series::expand(&rule).map_err(|e| {
            ApiError::invalid(&format!("series.{}", e.field()), "invalid", e.to_string())
        })?;
        return Ok(Plan {
            slots,
            handover: None,
            series: true,
        });
    }
    let (Some(start), Some(end)) = (b.starts_at, b.ends_at) else {
        let field = if b.starts_at.is_none() {
            "starts_at"
        } else {
            "ends_at"
        };
        return Err(ApiError::invalid(
            field,
            "required",
            "a session needs both its start and end",
        ));
    };
    let slot =
        Slot::new(start, end).map_err(|e| ApiError::invalid("ends_at", "range", e.to_string()))?;
    Ok(Plan {
        slots: vec![slot],
        handover: None,
        series: false,
    })
}

/// Book the case's contact: one session, a series (expanded in London time, so it keeps its
/// local time across clock changes) or a CL handover slot (Saturdays only). Each parent gets
/// their own staggered arrival and departure. A session with a charge waits for payment.
#[utoipa::path(tag = "sessions", params(("id" = String, Path, description = "Referral id")), request_body = BookingIn, security(("bearer" = [])),
    responses((status = 201, description = "Booked, earliest first.", body = Vec<SessionView>), error::CreateErrors))]
#[post("/referrals/{id}/sessions")]
pub async fn book(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    body: ValidJson<BookingIn>,
) -> Result<HttpResponse, ApiError> {
    let b = body.0;
    let turnaround = Duration::minutes(i64::from(state.config.turnaround_minutes));
    let id = id.into_inner();
    let views = state
        .write(move |conn| {
            let case = cases::load(conn, &id, &principal, true)?;
            require_deciding_staff(&case.relation)?;
            let r = &case.referral;
            let service = r.service()?;
            if !place::needs(service).sessions {
                return Err(ApiError::rule(ProblemType::NoSessions, format!("{service} contact has no sessions")));
            }
            let status = r.status()?;
            let open = matches!(status, ReferralStatus::Active | ReferralStatus::ReviewDue);
            let may_hold = b.provisional && service == ServiceType::Supervised && !is_final(status) && !open;
            if !open && !may_hold {
                return Err(ApiError::conflict(ProblemType::CaseNotActive, format!("a case that is {} has no sessions booked; only supervised dates can be held provisionally before contact starts", status.as_str())));
            }
            let plan = when(&b, service)?;
            let place = Place {
                room_id: b.room_id.clone(),
                supervisor_id: b.supervisor_id.clone(),
                community_place: b.community_place.clone(),
            };
            let resource = checks::resources(conn, &case, &place, service)?;
            if b.community_place.is_none() && plan.handover.is_none() {
                let pattern = centres::find(conn, &r.centre_id)?.opening_pattern()?;
                if let Some(day) = series::first_closed(&pattern, &plan.slots) {
                    return Err(ApiError::invalid(if plan.series { "series.first_date" } else { "starts_at" }, "centre_closed", format!("the centre is not open for the session on {day}")));
                }
            }
            let now = OffsetDateTime::now_utc();
            if let Some(past) = plan.slots.iter().find(|s| s.start <= now) {
                return Err(ApiError::invalid(if plan.series { "series.first_date" } else { "starts_at" }, "past", format!("the session at {} has already started", rfc3339(past.start))));
            }
            // Lock, then look: a concurrent booking of the same room or supervisor waits here.
            checks::lock(conn, &resource)?;
            checks::check_clashes(conn, &resource, &plan.slots, turnaround, &[])?;
            checks::check_own(conn, &r.id, &plan.slots, &[])?;
            let policy = scheduling::case_policy(conn, &case)?;
            let price = charges::session_price(conn, &case, service)?;
            let series_id = plan.series.then(new_id);
            let at = workflow::stored(now);
            let mut booked = Vec::new();
            for slot in &plan.slots {
                let session_id = new_id();
                let charge_id = match price(slot.minutes()) {
                    Some(amount) if !may_hold => Some(charges::insert_session_charge(conn, r, slot, amount, &principal.user_id, at)?),
                    _ => None,
                };
                let status = if may_hold { "provisional" } else if charge_id.is_some() { "awaiting_payment" } else { "confirmed" };
                let session = Session {
                    id: session_id.clone(),
                    referral_id: r.id.clone(),
                    series_id: series_id.clone(),
                    centre_id: r.centre_id.clone(),
                    service_type: service.as_str().into(),
                    room_id: resource.room.as_ref().map(|(id, _, _)| id.clone()),
                    supervisor_id: b.supervisor_id.clone(),
                    community_place: b.community_place.clone(),
                    handover_slot: plan.handover.map(|h| h.as_str().to_string()),
                    starts_at: workflow::stored(slot.start),
                    ends_at: workflow::stored(slot.end),
                    status: status.into(),
                    charge_id,
                    cancelled_by: None,
                    cancelled_at: None,
                    cancel_reason: None,
                    notice_minutes: None,
                    cancellation_charge_id: None,
                    ended_early_reason: None,
                    version: 1,
                    created_by: principal.user_id.clone(),
                    created_at: at,
                    updated_at: at,
                };
                let times = match plan.handover {
                    Some(_) => arrival::handover_plan(slot),
                    None => arrival::plan(slot, policy),
                };
                let parties = scheduling::party_rows(&session_id, &times);
                sessions::insert(conn, &session, &parties)?;
                if let Some((room_id, RoomKind::Shared, _)) = &resource.room {
                    scheduling::replan_shared(conn, &r.centre_id, room_id, session.starts_at, session.ends_at)?;
                }
                booked.push(session.id);
            }
            // A payer's credit may already have settled a session's charge.
            super::confirm_paid(conn, &r.id, now)?;
            let booked = booked.iter().map(|id| sessions::find(conn, id)).collect::<Result<Vec<_>, _>>()?;
            session_views(conn, &case, booked)
        })
        .await?;
    Ok(HttpResponse::Created().json(views))
}

/// An instant as the API writes it everywhere else (`2027-07-03T11:30:00Z`), for messages.
fn rfc3339(at: OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| at.to_string())
}
