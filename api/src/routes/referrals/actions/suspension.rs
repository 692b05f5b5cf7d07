//! Contact paused and resumed.

use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::{act, just, Need, NotesBody};
use crate::cases::workflow;
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::routes::referrals::ReferralView;
use crate::state::AppState;
use ccm_domain::referral::lifecycle::{Event, ReferralAction, SuspensionReason};
use ccm_persistence::referrals::ReferralChanges;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspendBody {
    pub reason: SuspensionReason,
    #[validate(length(min = 1, max = 1000))]
    #[schema(min_length = 1, max_length = 1000)]
    pub notes: Option<String>,
}

/// Suspend contact (a safeguarding concern, non-payment, a breach).
#[utoipa::path(tag = "referrals", params(("id" = String, Path, description = "Referral id")), request_body = SuspendBody,
    responses((status = 200, description = "Suspended.", body = ReferralView), error::CreateErrors))]
#[post("/referrals/{id}/suspend")]
pub async fn suspend(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    body: ValidJson<SuspendBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    act(
        state,
        principal,
        id.into_inner(),
        Need::Action(ReferralAction::Suspend),
        move |conn, case, by, now| {
            let changes = ReferralChanges {
                suspension_reason: Some(Some(body.reason.as_str().into())),
                ..Default::default()
            };
            let why = match &body.notes {
                Some(notes) => format!("{}: {notes}", body.reason.as_str()),
                None => body.reason.as_str().to_string(),
            };
            just(workflow::transition(
                conn,
                &case.referral,
                Event::Action(ReferralAction::Suspend),
                by,
                Some(&why),
                changes,
                now,
            ))
        },
    )
    .await
}

/// Resume contact after a suspension.
#[utoipa::path(tag = "referrals", params(("id" = String, Path, description = "Referral id")), request_body = NotesBody,
    responses((status = 200, description = "Active again.", body = ReferralView), error::CreateErrors))]
#[post("/referrals/{id}/resume")]
pub async fn resume(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    body: ValidJson<NotesBody>,
) -> Result<HttpResponse, ApiError> {
    let notes = body.0.notes;
    act(
        state,
        principal,
        id.into_inner(),
        Need::Action(ReferralAction::Resume),
        move |conn, case, by, now| {
            let changes = ReferralChanges {
                suspension_reason: Some(None),
                ..Default::default()
            };
            just(workflow::transition(
                conn,
                &case.referral,
                Event::Resumed {
                    contact_started: case.referral.activated_on.is_some(),
                },
                by,
                notes.as_deref(),
                changes,
                now,
            ))
        },
    )
    .await
}
