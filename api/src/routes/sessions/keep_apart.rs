//! Keep-apart pairs: an adult of this case who must not meet an adult of another family (an
//! order between them, a known threat). Shared sessions plan the two into different arrival
//! windows; recording a pair re-plans the shared sessions to come.

use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::cases;
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::http::{utc, Instant};
use crate::ids::ReferralId;
use crate::state::AppState;
use ccm_app::sessions::keep_apart::{self, KeepApart, KeepApartCmd};
use ccm_domain::referral::PartyRole;

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
#[utoipa::path(tag = "sessions", params(ReferralId), request_body = KeepApartIn, responses((status = 201, description = "Recorded.", body = KeepApartView), error::CreateErrors))]
#[post("/referrals/{id}/keep-apart")]
pub async fn record(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
    body: ValidJson<KeepApartIn>,
) -> Result<HttpResponse, ApiError> {
    let b = body.0;
    let cmd = KeepApartCmd {
        party: b.party,
        other_referral_id: b.other_referral_id,
        other_party: b.other_party,
        reason: b.reason,
    };
    let id = id.into_inner().0;
    let actor = cases::actor(&principal);
    let created = state
        .write(move |conn| {
            let pair = keep_apart::record(conn, &actor, &id, cmd)?;
            crate::audit::case(&pair.referral_id);
            Ok::<_, ApiError>(view(pair))
        })
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// The keep-apart pairs naming this case, on either side (the provider's coordinators, org
/// admins and supervisors).
#[utoipa::path(tag = "sessions", params(ReferralId), responses((status = 200, description = "Pairs, oldest first.", body = Vec<KeepApartView>), (status = 401, response = error::Unauthorized),
    (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound)))]
#[get("/referrals/{id}/keep-apart")]
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let actor = cases::actor(&principal);
    let pairs = state
        .read(move |conn| {
            let pairs = keep_apart::list(conn, &actor, &id)?;
            crate::audit::case(&id);
            Ok::<_, ApiError>(pairs.into_iter().map(view).collect::<Vec<_>>())
        })
        .await?;
    Ok(HttpResponse::Ok().json(pairs))
}
