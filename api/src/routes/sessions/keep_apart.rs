//! Keep-apart pairs: an adult of this case who must not meet an adult of another family (an
//! order between them, a known threat). Shared sessions plan the two into different arrival
//! windows; recording a pair re-plans the shared sessions to come.

use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use validator::Validate;

use crate::cases::{self, scheduling, workflow};
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::http::{utc, Instant};
use crate::routes::referrals::require_deciding_staff;
use crate::state::AppState;
use ccm_domain::referral::PartyRole;
use ccm_domain::Role;
use ccm_persistence::scheduling::{self as store, KeepApart};
use ccm_persistence::{new_id, referrals, rooms, sessions};

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"party": "non_resident_parent", "other_referral_id": "0193...",
    "other_party": "resident_parent", "reason": "non-molestation order between them"}))]
pub struct KeepApartIn {
    /// Which adult of this case.
    pub party: PartyRole,
    /// Another case of the same provider.
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub other_referral_id: String,
    pub other_party: PartyRole,
    #[validate(
        length(min = 1, max = 1000),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 1000)]
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct KeepApartView {
    pub id: String,
    pub referral_id: String,
    pub party: String,
    pub other_referral_id: String,
    pub other_party: String,
    pub reason: String,
    pub created_at: Instant,
}

fn view(k: KeepApart) -> KeepApartView {
    KeepApartView {
        id: k.id,
        referral_id: k.referral_id,
        party: k.party,
        other_referral_id: k.other_referral_id,
        other_party: k.other_party,
        reason: k.reason,
        created_at: utc(k.created_at),
    }
}

/// Record that an adult of this case must not meet an adult of another (the provider's
/// coordinators and org admins). Shared sessions to come are re-planned around the pair.
#[utoipa::path(tag = "sessions", params(("id" = String, Path, description = "Referral id")), request_body = KeepApartIn, responses((status = 201, description = "Recorded.", body = KeepApartView), error::CreateErrors))]
#[post("/referrals/{id}/keep-apart")]
pub async fn record(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    body: ValidJson<KeepApartIn>,
) -> Result<HttpResponse, ApiError> {
    let b = body.0;
    let id = id.into_inner();
    let created = state
        .write(move |conn| {
            let case = cases::load(conn, &id, &principal, true)?;
            require_deciding_staff(&case.relation)?;
            let r = &case.referral;
            let other = referrals::find(conn, &b.other_referral_id)
                .ok()
                .filter(|o| o.provider_id == r.provider_id && o.id != r.id);
            let Some(other) = other else {
                return Err(ApiError::invalid(
                    "other_referral_id",
                    "not_found",
                    "no other case of this provider has that id",
                ));
            };
            let now = OffsetDateTime::now_utc();
            let pair = KeepApart {
                id: new_id(),
                referral_id: r.id.clone(),
                party: b.party.as_str().into(),
                other_referral_id: other.id.clone(),
                other_party: b.other_party.as_str().into(),
                reason: b.reason.trim().to_string(),
                created_by: principal.user_id.clone(),
                created_at: workflow::stored(now),
            };
            store::insert_keep_apart(conn, &pair)?;
            for s in sessions::upcoming(conn, &r.id, workflow::stored(now))? {
                let Some(room_id) = &s.room_id else { continue };
                if rooms::find(conn, room_id)?.kind == "shared" {
                    scheduling::replan_shared(conn, &s.centre_id, room_id, s.starts_at, s.ends_at)?;
                }
            }
            Ok(view(pair))
        })
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// The keep-apart pairs naming this case, on either side (the provider's coordinators, org
/// admins and supervisors).
#[utoipa::path(tag = "sessions", params(("id" = String, Path, description = "Referral id")), responses((status = 200, description = "Pairs, oldest first.", body = Vec<KeepApartView>), (status = 401, response = error::Unauthorized),
    (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound)))]
#[get("/referrals/{id}/keep-apart")]
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let pairs = state
        .read(move |conn| {
            let case = cases::load(conn, &id, &principal, false)?;
            // The reasons (orders, threats) are sensitive: for those who plan and run sessions.
            if !case
                .relation
                .is_staff(&[Role::OrgAdmin, Role::Coordinator, Role::Supervisor])
            {
                return Err(ApiError::forbidden(
                    "keep-apart pairs are for the centre's coordinators, admins and supervisors",
                ));
            }
            let pairs = store::keep_apart_for(conn, std::slice::from_ref(&case.referral.id))?;
            Ok(pairs.into_iter().map(view).collect::<Vec<_>>())
        })
        .await?;
    Ok(HttpResponse::Ok().json(pairs))
}
