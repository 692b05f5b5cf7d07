//! Released reports as their recipients read them: a parent reads what was released to them,
//! and a referrer what was released to the body it is (Cafcass, the court, the local
//! authority's social worker), each exactly as released, every version kept.

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::Sections;
use crate::cases::{self, stored_json};
use crate::error::{self, ApiError};
use crate::extract::Principal;
use crate::http::{utc, Instant};
use crate::ids::ReferralId;
use crate::state::AppState;
use ccm_domain::records::report::{recipient_for_party, recipient_for_referrer, Recipient};
use ccm_domain::referral::disclosure::Viewer;
use ccm_persistence::reports as store;

#[derive(Serialize, ToSchema)]
pub struct ReleasedReport {
    pub report_id: String,
    pub session_id: String,
    /// 1 for the first release; each amendment released is the next.
    pub version: i32,
    pub recipient: Recipient,
    pub released_at: Instant,
    /// The sections as they were released.
    pub sections: Sections,
}

/// The case's reports released to the caller (a parent, or the referrer as the body the
/// order names), oldest first.
#[utoipa::path(tag = "reports", params(ReferralId), responses((status = 200, description = "What was released to you.", body = Vec<ReleasedReport>), (status = 401, response = error::Unauthorized),
    (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound)))]
#[get("/referrals/{id}/released-reports")]
pub async fn released_to_me(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let views = state
        .read(move |conn| {
            let case = cases::load(conn, &id, &principal, false)?;
            let recipient = match case.relation.viewer {
                Viewer::Party(role) => recipient_for_party(role),
                Viewer::Referrer => recipient_for_referrer(case.referral.referrer_kind()?),
                Viewer::Staff(_) => {
                    return Err(ApiError::forbidden(
                        "staff read a session's report at /v1/sessions/{id}/report",
                    ))
                }
            }
            .ok_or_else(|| {
                ApiError::forbidden(
                    "reports go to the recipients the order names; the centre sends yours",
                )
            })?;
            let mut out = Vec::new();
            for (release, session_id) in
                store::released_to(conn, &case.referral.id, recipient.as_str())?
            {
                crate::audit::read(
                    "report",
                    &release.report_id,
                    Some(&case.referral.id),
                    &["released_sections"],
                );
                out.push(ReleasedReport {
                    sections: stored_json(&release.sections)?,
                    report_id: release.report_id,
                    session_id,
                    version: release.version_number,
                    recipient,
                    released_at: utc(release.released_at),
                });
            }
            Ok(out)
        })
        .await?;
    Ok(HttpResponse::Ok().json(views))
}
