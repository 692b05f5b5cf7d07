//! The schedule agreed for an indirect case: what may be exchanged, which way, and how often
//! (e.g. a letter a month, cards at birthdays and Christmas).

use actix_web::{get, put, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::{indirect_case, HANDLERS, LOG_STAFF};
use crate::cases::stored_json;
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::http::{ok_tagged, utc, IfMatch, Instant};
use crate::ids::ReferralId;
use crate::state::AppState;
use ccm_domain::records::indirect::{check_schedule, Direction, Frequency, ItemKind};
use ccm_persistence::indirect::{self as store, Schedule};
use ccm_persistence::now;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kinds": ["letter", "card"], "directions": ["to_child", "from_child"], "frequency": "monthly",
    "occasions": ["Cal's birthday (1 April)", "Christmas"], "notes": "A letter a month from Dad; cards at birthdays and Christmas. Cal may reply."}))]
pub struct IndirectScheduleIn {
    /// What may be exchanged.
    #[validate(length(min = 1, max = 5))]
    #[schema(min_items = 1, max_items = 5)]
    pub kinds: Vec<ItemKind>,
    /// Who sends to whom: `to_child` (from the non-resident parent), `from_child` (replies).
    #[validate(length(min = 1, max = 2))]
    #[schema(min_items = 1, max_items = 2)]
    pub directions: Vec<Direction>,
    pub frequency: Frequency,
    /// Named occasions items may go at (birthdays, Christmas, Eid...): at least one for
    /// `occasions_only`. Each 1 to 100 characters.
    #[serde(default)]
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub occasions: Vec<String>,
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 2000)]
    pub notes: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct IndirectScheduleView {
    pub referral_id: String,
    pub kinds: Vec<ItemKind>,
    pub directions: Vec<Direction>,
    pub frequency: Frequency,
    pub occasions: Vec<String>,
    pub notes: Option<String>,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: Instant,
}

fn view(s: Schedule) -> Result<IndirectScheduleView, ApiError> {
    Ok(IndirectScheduleView {
        kinds: stored_json(&s.kinds)?,
        directions: stored_json(&s.directions)?,
        frequency: s
            .frequency
            .parse()
            .map_err(|e| ApiError::Internal(format!("indirect_schedules.frequency: {e}")))?,
        occasions: stored_json(&s.occasions)?,
        referral_id: s.referral_id,
        notes: s.notes,
        version: s.version,
        updated_by: s.updated_by,
        updated_at: utc(s.updated_at),
    })
}

fn json<T: Serialize>(value: &T) -> Result<String, ApiError> {
    serde_json::to_string(value).map_err(|e| ApiError::Internal(format!("schedule JSON: {e}")))
}

/// The case's indirect schedule (coordinators, org admins, supervisors, volunteers); 404
/// until one is agreed.
#[utoipa::path(tag = "indirect", params(ReferralId), responses((status = 200, description = "The schedule.", body = IndirectScheduleView, headers(("ETag" = String, description = "Version tag"))),
    (status = 401, response = error::Unauthorized), (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound),
    (status = 422, response = error::Unprocessable)))]
#[get("/referrals/{id}/indirect-schedule")]
pub async fn get_indirect_schedule(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let view = state
        .read(move |conn| {
            let case = indirect_case(conn, &id, &principal, false, LOG_STAFF)?;
            let s = store::schedule(conn, &case.referral.id)?
                .ok_or_else(|| ApiError::not_found("indirect schedule"))?;
            view(s)
        })
        .await?;
    Ok(ok_tagged(&view, view.version))
}

/// Set the case's schedule, replacing the one before (coordinators and org admins). Send the
/// ETag last read as `If-Match` to avoid overwriting someone else's change (412 if stale).
#[utoipa::path(tag = "indirect", params(ReferralId, ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = IndirectScheduleIn, responses((status = 200, description = "Saved.", body = IndirectScheduleView, headers(("ETag" = String, description = "Version tag"))), error::UpdateErrors))]
#[put("/referrals/{id}/indirect-schedule")]
pub async fn put_indirect_schedule(
    state: web::Data<AppState>,
    principal: Principal,
    if_match: IfMatch,
    id: web::Path<ReferralId>,
    body: ValidJson<IndirectScheduleIn>,
) -> Result<HttpResponse, ApiError> {
    let mut b = body.0;
    if let Some(i) = b
        .occasions
        .iter()
        .position(|o| o.trim().is_empty() || o.chars().count() > 100)
    {
        return Err(ApiError::invalid(
            &format!("occasions[{i}]"),
            "length",
            "must be 1 to 100 characters",
        ));
    }
    check_schedule(b.frequency, &b.occasions)
        .map_err(|e| ApiError::invalid("occasions", "required", e.to_string()))?;
    b.kinds.sort();
    b.kinds.dedup();
    b.directions.sort();
    b.directions.dedup();
    let occasions: Vec<String> = b.occasions.iter().map(|o| o.trim().to_string()).collect();
    let id = id.into_inner().0;
    let view = state
        .write(move |conn| {
            let case = indirect_case(conn, &id, &principal, true, HANDLERS)?;
            let current = store::schedule(conn, &case.referral.id)?;
            if_match.check(current.as_ref().map_or(0, |c| c.version))?;
            let at = now();
            let schedule = Schedule {
                referral_id: case.referral.id.clone(),
                kinds: json(&b.kinds)?,
                directions: json(&b.directions)?,
                frequency: b.frequency.as_str().into(),
                occasions: json(&occasions)?,
                notes: b.notes.map(|n| n.trim().to_string()),
                version: current.as_ref().map_or(1, |c| c.version + 1),
                updated_by: principal.user_id.clone(),
                created_at: current.as_ref().map_or(at, |c| c.created_at),
                updated_at: at,
            };
            store::save_schedule(conn, &schedule)?;
            view(schedule)
        })
        .await?;
    Ok(ok_tagged(&view, view.version))
}
