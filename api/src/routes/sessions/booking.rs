//! Booking over HTTP: one session, a series, or a handover slot. The request becomes a
//! [`BookCmd`] for `ccm_app::sessions::book`, which checks and writes; the sessions booked come
//! back as the caller may see them.

use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use time::{Date, Duration, OffsetDateTime, Time};
use utoipa::ToSchema;
use validator::Validate;

use super::{views_of, SessionView};
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::ids::ReferralId;
use crate::state::AppState;
use ccm_app::sessions::{self, BookCmd, Where};
use ccm_domain::opening::hhmm;
use ccm_domain::referral::disclosure::Viewer;
use ccm_domain::schedule::arrival::HandoverSlot;
use ccm_domain::schedule::request::Times;
use ccm_domain::schedule::series::SeriesRule;

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

impl BookingIn {
    fn command(self, turnaround: Duration) -> BookCmd {
        BookCmd {
            times: Times {
                starts_at: self.starts_at,
                ends_at: self.ends_at,
                series: self.series.map(|s| SeriesRule {
                    first_date: s.first_date,
                    starts: s.starts,
                    minutes: s.minutes,
                    every_weeks: s.every_weeks,
                    count: s.count,
                }),
                handover: self.handover.map(|h| (h.date, h.slot)),
            },
            place: Where {
                room_id: self.room_id,
                supervisor_id: self.supervisor_id,
                community_place: self.community_place,
            },
            provisional: self.provisional,
            turnaround,
        }
    }
}

/// Book the case's contact: one session, a series (expanded in London time, so it keeps its
/// local time across clock changes) or a CL handover slot (Saturdays only). Each parent gets
/// their own staggered arrival and departure. A session with a charge waits for payment.
#[utoipa::path(tag = "sessions", params(ReferralId), request_body = BookingIn, responses((status = 201, description = "Booked, earliest first.", body = Vec<SessionView>), error::CreateErrors))]
#[post("/referrals/{id}/sessions")]
pub async fn book(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
    body: ValidJson<BookingIn>,
) -> Result<HttpResponse, ApiError> {
    let turnaround = Duration::minutes(i64::from(state.config.turnaround_minutes));
    let cmd = body.0.command(turnaround);
    let (actor, viewer) = (super::actor(&principal), Viewer::Staff(principal.role));
    let id = id.into_inner().0;
    let views = state
        .write(move |conn| {
            let placed = sessions::book(conn, &actor, &id, cmd)?;
            crate::audit::case(&placed.referral_id);
            views_of(viewer, placed.sessions)
        })
        .await?;
    Ok(HttpResponse::Created().json(views))
}
