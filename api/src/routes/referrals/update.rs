//! Completing and correcting a referral: `PATCH /v1/referrals/{id}`. Staff and whoever made
//! the referral may fill in what is missing; a referral waiting for information moves on as
//! soon as it is complete.

use actix_web::{patch, web, HttpResponse};
use time::OffsetDateTime;

use super::dto::{ReferralPatch, ReferrerDetails};
use super::full_view;
use crate::cases;
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::http::{ok_tagged, IfMatch};
use crate::ids::ReferralId;
use crate::state::AppState;
use ccm_app::referrals::intake::{Adult, Attendee, Child, Court};
use ccm_app::referrals::update::{self, PatchCmd};

/// Fill in or correct a referral. Sections given replace what is there; risk, the planned first
/// session and linking parent accounts are for staff only. Send `If-Match` to refuse the change
/// if someone else changed the referral first.
#[utoipa::path(
    tag = "referrals",
    params(ReferralId, ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = ReferralPatch,
    responses(
        (status = 200, description = "Updated.", body = super::ReferralView, headers(("ETag" = String, description = "Version tag"))),
        error::UpdateErrors,
    )
)]
#[patch("/referrals/{id}")]
pub async fn update_referral(
    state: web::Data<AppState>,
    principal: Principal,
    if_match: IfMatch,
    id: web::Path<ReferralId>,
    body: ValidJson<ReferralPatch>,
) -> Result<HttpResponse, ApiError> {
    let cmd = command(body.0);
    update::check(&cmd, OffsetDateTime::now_utc())?;
    let id = id.into_inner().0;
    let actor = cases::actor(&principal);
    let (version, view) = state
        .write(move |conn| {
            let case = update::update(conn, &actor, &id, cmd, &if_match.precondition())?;
            crate::audit::case(&case.referral.id);
            let version = case.referral.version;
            Ok((version, full_view(conn, case)?))
        })
        .await?;
    Ok(ok_tagged(&view, version))
}

/// The patch as a command for `ccm_app::referrals::update`: JSON columns rendered as stored.
fn command(patch: ReferralPatch) -> PatchCmd {
    PatchCmd {
        referrer: patch.referrer.as_ref().map(|given| {
            let d = ReferrerDetails::from(given);
            let details = update::ReferrerDetails {
                name: d.name,
                organisation: d.organisation,
                email: d.email,
                phone: d.phone,
            };
            (given.kind, details)
        }),
        external_ref: patch.external_ref,
        court_ordered: patch.court_ordered,
        court: patch
            .court
            .as_ref()
            .map(|c| (Court::from(c), serde_json::to_string(c).unwrap_or_default())),
        resident_parent: patch.resident_parent.as_ref().map(Adult::from),
        non_resident_parent: patch.non_resident_parent.as_ref().map(Adult::from),
        children: patch
            .children
            .as_ref()
            .map(|c| c.iter().map(Child::from).collect()),
        attendees: patch
            .attendees
            .as_ref()
            .map(|a| a.iter().map(Attendee::from).collect()),
        risk: patch
            .risk
            .as_ref()
            .map(|risk| serde_json::to_string(risk).unwrap_or_default()),
        availability: patch.availability,
        first_session_on: patch.first_session_on,
    }
}
