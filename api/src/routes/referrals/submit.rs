//! Making a referral: the request as a command to `ccm-app`, the case it made as the caller
//! sees it.

use actix_web::{post, web, HttpResponse};
use time::OffsetDateTime;

use crate::cases::{self, Case};
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::http::created;
use crate::state::AppState;
use ccm_app::referrals::{self, Caller};

use super::dto::NewReferral;
use super::view::{project, Extras, ReferralView};

/// Make a referral. What is missing puts it into `awaiting_information` (listed in `missing`)
/// rather than refusing it; the admin/referral fee is raised from the centre's tariff unless a
/// funder pays. Send an `Idempotency-Key` so a retry cannot make a second referral.
#[utoipa::path(
    tag = "referrals",
    request_body = NewReferral,
    responses(
        (status = 201, description = "Received.", body = ReferralView,
            headers(("Location" = String, description = "The referral's URL"), ("ETag" = String, description = "Version tag"))),
        error::CreateErrors,
    )
)]
#[post("/referrals")]
pub async fn create_referral(
    state: web::Data<AppState>,
    principal: Principal,
    body: ValidJson<NewReferral>,
) -> Result<HttpResponse, ApiError> {
    let command = referrals::NewReferral::from(body.0);
    let (case, view) = state
        .write(move |conn| {
            let made = referrals::create_referral(
                conn,
                &Caller::from(&principal),
                command,
                OffsetDateTime::now_utc(),
            )?;
            crate::audit::subject("referral", &made.referral.id);
            crate::audit::case(&made.referral.id);
            let relation = cases::relation(&principal, &made.referral, &made.parties)
                .ok_or_else(|| ApiError::not_found("referral"))?;
            let extras = Extras {
                waiting_position: None,
                outstanding: Some(made.outstanding),
                readiness: made.readiness,
            };
            let case = Case {
                referral: made.referral,
                parties: made.parties,
                relation,
            };
            let view = project(&case, &extras)?;
            Ok((case, view))
        })
        .await?;
    let location = format!("/v1/referrals/{}", case.referral.id);
    Ok(created(&location, &view, case.referral.version))
}
