//! Booking: one session, a series, or a handover slot, each checked against the case, the
//! centre's hours, and every other session holding the same room or supervisor, under the
//! room's and supervisor's row locks so two servers cannot both take the last place.

use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use time::{Date, Duration, OffsetDateTime, Time};
use utoipa::ToSchema;
use validator::Validate;

use super::{session_views, SessionView};
use crate::cases::{self, workflow, Case};
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::routes::referrals::require_deciding_staff;
use crate::state::AppState;
use ccm_domain::opening::hhmm;
use ccm_domain::quote::session_charge;
use ccm_domain::referral::lifecycle::{is_final, ReferralStatus};
use ccm_domain::schedule::arrival::{self, ArrivalPolicy, HandoverSlot, HANDOVER_POLICY};
use ccm_domain::schedule::booking::{exclusive_clash, shared_clash};
use ccm_domain::schedule::series::{self, SeriesRule};
use ccm_domain::schedule::Slot;
use ccm_domain::{london, Role, RoomKind, ServiceType};
use ccm_persistence::ledger::{self, Charge};
use ccm_persistence::sessions::{self, Held, Session, SessionParty};
use ccm_persistence::{casework, centres, new_id, offerings, rooms, tariffs, users, AnyConnection};

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

/// The room and supervisor the service needs, checked against the case's centre and provider.
fn resources(
    conn: &mut AnyConnection,
    case: &Case,
    b: &BookingIn,
    service: ServiceType,
) -> Result<Option<(String, RoomKind, u32)>, ApiError> {
    let r = &case.referral;
    if b.community_place.is_some() && service != ServiceType::Supervised {
        return Err(ApiError::invalid(
            "community_place",
            "supervised_only",
            "only supervised contact happens in the community",
        ));
    }
    if b.supervisor_id.is_some() && service != ServiceType::Supervised {
        return Err(ApiError::invalid(
            "supervisor_id",
            "supervised_only",
            "only supervised contact has a supervisor",
        ));
    }
    if service == ServiceType::Supervised {
        let Some(sup) = &b.supervisor_id else {
            return Err(ApiError::invalid(
                "supervisor_id",
                "required",
                "supervised contact needs a supervisor",
            ));
        };
        let user = users::find(conn, sup).ok();
        let fits = user.is_some_and(|u| {
            u.active
                && u.role == Role::Supervisor.as_str()
                && u.provider_id.as_deref() == Some(r.provider_id.as_str())
        });
        if !fits {
            return Err(ApiError::invalid(
                "supervisor_id",
                "not_supervisor",
                "not an active supervisor of this provider",
            ));
        }
        if b.room_id.is_some() == b.community_place.is_some() {
            return Err(ApiError::invalid(
                "room_id",
                "one_of",
                "supervised contact needs a private room or a community place, not both",
            ));
        }
    }
    if service == ServiceType::Supported && b.room_id.is_none() {
        return Err(ApiError::invalid(
            "room_id",
            "required",
            "supported contact needs a shared room",
        ));
    }
    let Some(room_id) = &b.room_id else {
        return Ok(None);
    };
    let room = rooms::find(conn, room_id)
        .ok()
        .filter(|room| room.centre_id == r.centre_id && room.active);
    let Some(room) = room else {
        return Err(ApiError::invalid(
            "room_id",
            "not_found",
            "no such room at the case's centre",
        ));
    };
    let kind = room.kind()?;
    let wanted = if service == ServiceType::Supported {
        RoomKind::Shared
    } else {
        RoomKind::Private
    };
    if kind != wanted {
        return Err(ApiError::invalid(
            "room_id",
            "room_kind",
            format!("{service} contact needs a {} room", wanted.as_str()),
        ));
    }
    Ok(Some((
        room.id,
        kind,
        u32::try_from(room.capacity).unwrap_or(1),
    )))
}

fn held(rows: Vec<Held>) -> Vec<(String, Slot)> {
    rows.into_iter()
        .map(|h| {
            (
                h.id,
                Slot {
                    start: h.starts_at.assume_utc(),
                    end: h.ends_at.assume_utc(),
                },
            )
        })
        .collect()
}

fn clash(id: &str, what: &str, slot: &Slot) -> ApiError {
    let local = london::to_local(slot.start);
    ApiError::Clash {
        detail: format!(
            "the {what} is already booked around {} {}",
            local.date(),
            hhmm::text(local.time())
        ),
        session_id: id.to_string(),
    }
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
            if service == ServiceType::Indirect {
                return Err(ApiError::rule("no-sessions", "indirect contact has no sessions"));
            }
            let status = r.status()?;
            let open = matches!(status, ReferralStatus::Active | ReferralStatus::ReviewDue);
            let may_hold = b.provisional && service == ServiceType::Supervised && !is_final(status) && !open;
            if !open && !may_hold {
                return Err(ApiError::conflict("case-not-active", format!("a case that is {} has no sessions booked; only supervised dates can be held provisionally before contact starts", status.as_str())));
            }
            let plan = when(&b, service)?;
            let resource = resources(conn, &case, &b, service)?;
            if b.community_place.is_none() && plan.handover.is_none() {
                let pattern = centres::find(conn, &r.centre_id)?.opening_pattern()?;
                if let Some(day) = series::first_closed(&pattern, &plan.slots) {
                    return Err(ApiError::invalid(if plan.series { "series.first_date" } else { "starts_at" }, "centre_closed", format!("the centre is not open for the session on {day}")));
                }
            }
            let now = OffsetDateTime::now_utc();
            if let Some(past) = plan.slots.iter().find(|s| s.start <= now) {
                return Err(ApiError::invalid(if plan.series { "series.first_date" } else { "starts_at" }, "past", format!("the session at {} has already started", past.start)));
            }
            // Lock, then look: a concurrent booking of the same room or supervisor waits here.
            if let Some((room_id, _, _)) = &resource {
                sessions::lock_room(conn, room_id)?;
            }
            if let Some(sup) = &b.supervisor_id {
                sessions::lock_supervisor(conn, sup)?;
            }
            for slot in &plan.slots {
                let (from, to) = (workflow::stored(slot.start - turnaround), workflow::stored(slot.end + turnaround));
                if let Some((room_id, kind, capacity)) = &resource {
                    let taken = held(sessions::holding_room(conn, room_id, from, to)?);
                    let hit = match kind {
                        RoomKind::Shared => shared_clash(&taken, slot, *capacity),
                        RoomKind::Private => exclusive_clash(&taken, slot, turnaround),
                    };
                    if let Some(other) = hit {
                        return Err(clash(other, "room", slot));
                    }
                }
                if let Some(sup) = &b.supervisor_id {
                    let taken = held(sessions::holding_supervisor(conn, sup, from, to)?);
                    if let Some(other) = exclusive_clash(&taken, slot, turnaround) {
                        return Err(clash(other, "supervisor", slot));
                    }
                }
            }
            let policy = if plan.handover.is_some() {
                HANDOVER_POLICY
            } else {
                let offset = casework::latest_assessment(conn, &r.id)?
                    .and_then(|a| a.arrival_offset_minutes)
                    .and_then(|m| u32::try_from(m).ok());
                ArrivalPolicy::default().with_case_offset(offset)
            };
            let price = session_price(conn, &case, service)?;
            let series_id = plan.series.then(new_id);
            let at = workflow::stored(now);
            let mut booked = Vec::new();
            for slot in &plan.slots {
                let session_id = new_id();
                let charge_id = match price(slot.minutes()) {
                    Some(amount) if !may_hold => Some(insert_session_charge(conn, r, slot, amount, at)?),
                    _ => None,
                };
                let status = if may_hold { "provisional" } else if charge_id.is_some() { "awaiting_payment" } else { "confirmed" };
                let session = Session {
                    id: session_id.clone(),
                    referral_id: r.id.clone(),
                    series_id: series_id.clone(),
                    centre_id: r.centre_id.clone(),
                    service_type: service.as_str().into(),
                    room_id: resource.as_ref().map(|(id, _, _)| id.clone()),
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
                let parties: Vec<SessionParty> = arrival::plan(slot, policy)
                    .iter()
                    .map(|t| SessionParty {
                        session_id: session_id.clone(),
                        party: t.party.as_str().into(),
                        expected_arrival: workflow::stored(t.arrive),
                        expected_departure: workflow::stored(t.depart),
                        arrived_at: None,
                        departed_at: None,
                        late_minutes: None,
                        no_show: false,
                    })
                    .collect();
                sessions::insert(conn, &session, &parties)?;
                booked.push(session);
            }
            session_views(conn, &case, booked)
        })
        .await?;
    Ok(HttpResponse::Created().json(views))
}

fn insert_session_charge(
    conn: &mut AnyConnection,
    r: &ccm_persistence::referrals::Referral,
    slot: &Slot,
    amount: i64,
    at: time::PrimitiveDateTime,
) -> Result<String, ApiError> {
    let charge = Charge {
        id: new_id(),
        referral_id: r.id.clone(),
        kind: "session".into(),
        description: format!("Session on {}", london::local_date(slot.start)),
        amount_pence: amount,
        refundable: true,
        payer: "non_resident_parent".into(),
        funder: None,
        due: "before_session".into(),
        created_at: at,
    };
    ledger::insert_charge(conn, &charge)?;
    Ok(charge.id)
}

/// Raises the charge for a stored session's times, if the tariff has one for this case.
pub fn raise_session_charge(
    conn: &mut AnyConnection,
    case: &Case,
    starts_at: time::PrimitiveDateTime,
    ends_at: time::PrimitiveDateTime,
) -> Result<Option<String>, ApiError> {
    let slot = Slot {
        start: starts_at.assume_utc(),
        end: ends_at.assume_utc(),
    };
    let price = session_price(conn, case, case.referral.service()?)?;
    match price(slot.minutes()) {
        Some(amount) => {
            let at = workflow::stored(OffsetDateTime::now_utc());
            Ok(Some(insert_session_charge(
                conn,
                &case.referral,
                &slot,
                amount,
                at,
            )?))
        }
        None => Ok(None),
    }
}

/// The session charge in pence for a session of so many minutes, or `None` where nothing is
/// charged (no session fee, or a funder pays).
fn session_price(
    conn: &mut AnyConnection,
    case: &Case,
    service: ServiceType,
) -> Result<impl Fn(u32) -> Option<i64>, ApiError> {
    let r = &case.referral;
    let tariff = match offerings::find_for(conn, &r.centre_id, service)? {
        Some(o) => tariffs::version_on(
            conn,
            &o.tariff_id,
            london::local_date(OffsetDateTime::now_utc()),
        )?
        .map(|v| v.to_domain(service))
        .transpose()?,
        None => None,
    };
    let funded = r.funder.is_some();
    Ok(move |minutes: u32| {
        let tariff = tariff.as_ref()?;
        if funded {
            return None;
        }
        session_charge(tariff, minutes)
            .map(|m| m.pence())
            .filter(|p| *p > 0)
    })
}
