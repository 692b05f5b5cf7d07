//! Moving sessions over HTTP: one occurrence, this and the following ones, or all of a series
//! still to come; to another local time or length, room, supervisor or community place. The
//! request becomes a [`MoveCmd`] for `ccm_app::sessions::move_sessions`.

use actix_web::{patch, web, HttpResponse};
use serde::Deserialize;
use time::{OffsetDateTime, Time};
use utoipa::ToSchema;
use validator::Validate;

use super::{views_of, SessionView};
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::ids::SessionId;
use crate::state::AppState;
use ccm_app::sessions::{self, MoveCmd, Where};
use ccm_domain::opening::hhmm;
use ccm_domain::referral::disclosure::Viewer;
use ccm_domain::schedule::request::Retime;
use ccm_domain::schedule::series::EditScope;

/// What to change. Times: either `starts_at`/`ends_at` (scope `one` only) or a new local
/// `starts` time and/or `minutes`, applied on each session's own date.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"scope": "following", "starts": "14:00", "minutes": 90}))]
pub struct SessionEdit {
    #[serde(default = "one")]
    pub scope: EditScope,
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub starts_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ends_at: Option<OffsetDateTime>,
    /// Local (Europe/London) start time, "HH:MM".
    #[serde(default, with = "hhmm::option")]
    #[schema(value_type = Option<String>, example = "14:00")]
    pub starts: Option<Time>,
    #[validate(range(min = 1, max = 1440))]
    #[schema(minimum = 1, maximum = 1440)]
    pub minutes: Option<u32>,
    pub room_id: Option<String>,
    pub supervisor_id: Option<String>,
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub community_place: Option<String>,
}

fn one() -> EditScope {
    EditScope::One
}

impl SessionEdit {
    fn command(self, turnaround: time::Duration) -> MoveCmd {
        MoveCmd {
            change: Retime {
                scope: Some(self.scope),
                starts_at: self.starts_at,
                ends_at: self.ends_at,
                starts: self.starts,
                minutes: self.minutes,
                room: self.room_id.is_some(),
                supervisor: self.supervisor_id.is_some(),
                community_place: self.community_place.is_some(),
            },
            place: Where {
                room_id: self.room_id,
                supervisor_id: self.supervisor_id,
                community_place: self.community_place,
            },
            turnaround,
        }
    }
}

/// Move a session, or this and the following ones, or all of its series still to come. A
/// session whose paid charge would change is refused (cancel and book again); an unpaid one's
/// charge is replaced. Handover slots are fixed: cancel and book another slot instead.
#[utoipa::path(tag = "sessions", params(SessionId), request_body = SessionEdit, responses((status = 200, description = "The sessions changed, earliest first.", body = Vec<SessionView>), error::CreateErrors))]
#[patch("/sessions/{id}")]
pub async fn edit(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<SessionId>,
    body: ValidJson<SessionEdit>,
) -> Result<HttpResponse, ApiError> {
    let turnaround = time::Duration::minutes(i64::from(state.config.turnaround_minutes));
    let cmd = body.0.command(turnaround);
    let (actor, viewer) = (super::actor(&principal), Viewer::Staff(principal.role));
    let id = id.into_inner().0;
    let views = state
        .write(move |conn| {
            let placed = sessions::move_sessions(conn, &actor, &id, cmd)?;
            crate::audit::case(&placed.referral_id);
            views_of(viewer, placed.sessions)
        })
        .await?;
    Ok(HttpResponse::Ok().json(views))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ccm_domain::schedule::request::check_move;

    #[test]
    fn a_move_needs_something_to_change_and_exact_times_only_for_one_session() {
        let change = |v| {
            let e: SessionEdit = serde_json::from_value(v).unwrap();
            check_move(&e.command(time::Duration::ZERO).change)
        };
        assert!(change(serde_json::json!({"scope": "all"})).is_err());
        assert!(change(serde_json::json!({
            "scope": "all", "starts_at": "2027-01-09T10:00:00Z", "ends_at": "2027-01-09T11:00:00Z"
        }))
        .is_err());
        assert!(change(serde_json::json!({"scope": "following", "starts": "14:00"})).is_ok());
    }
}
