//! Completing and correcting a referral: `PATCH /v1/referrals/{id}`. Staff and whoever made
//! the referral may fill in what is missing; a referral waiting for information moves on as
//! soon as it is complete.

use actix_web::{patch, web, HttpResponse};
use time::{OffsetDateTime, PrimitiveDateTime};

use super::dto::{ReferralPatch, ReferrerDetails};
use super::{full_view, intake};
use crate::cases::{self, stored_json, workflow};
use crate::error::ProblemType;
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::http::{ok_tagged, IfMatch};
use crate::ids::ReferralId;
use crate::state::AppState;
use ccm_domain::quote::LineKind;
use ccm_domain::referral::lifecycle::{is_final, Actor, Event, ReferralStatus};
use ccm_domain::referral::PartyRole;
use ccm_domain::{london, Role};
use ccm_persistence::people::{self, PersonChanges};
use ccm_persistence::referrals::{self, Referral, ReferralChanges};
use ccm_persistence::{users, AnyConnection, StoreError};

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
    let patch = body.0;
    let now = OffsetDateTime::now_utc();
    intake::check(
        patch.resident_parent.as_ref(),
        patch.non_resident_parent.as_ref(),
        patch.children.as_deref().unwrap_or_default(),
        london::local_date(now),
    )?;
    let id = id.into_inner().0;
    let (version, view) = state
        .write(move |conn| {
            let case = cases::load(conn, &id, &principal, true)?;
            let staff = case.relation.is_staff(&[Role::OrgAdmin, Role::Coordinator]);
            if !staff && !case.relation.actors.contains(&Actor::Creator) {
                return Err(ApiError::forbidden(
                    "only staff and whoever made the referral may change it",
                ));
            }
            if let (false, Some(field)) = (staff, intake::staff_only_fields(&patch)) {
                return Err(ApiError::forbidden(format!(
                    "only staff may change {field}"
                )));
            }
            let r = &case.referral;
            if is_final(r.status()?) {
                return Err(ApiError::conflict(
                    ProblemType::CaseClosed,
                    format!("a {} referral cannot be changed", r.status),
                ));
            }
            let at = workflow::stored(now);
            let provider_id = r.provider_id.clone();
            let scope = intake::Scope {
                referral_id: &r.id,
                provider_id: &provider_id,
                by: &principal.user_id,
                at,
            };
            for (role, adult) in [
                (PartyRole::ResidentParent, &patch.resident_parent),
                (PartyRole::NonResidentParent, &patch.non_resident_parent),
            ] {
                if let Some(adult) = adult {
                    let existing = cases::person_in(&case.parties, role).cloned();
                    let person = intake::write_adult(conn, &scope, existing.as_ref(), role, adult)?;
                    if let Some(account) = &adult.account_id {
                        link_account(conn, &person.id, account, &provider_id, role, at)?;
                    }
                }
            }
            let parties = referrals::parties(conn, &r.id)?;
            // The two parents given separately may now be one person.
            if let (Some(a), Some(b)) = (
                cases::person_in(&parties, PartyRole::ResidentParent),
                cases::person_in(&parties, PartyRole::NonResidentParent),
            ) {
                let same = |x: &Option<String>, y: &Option<String>| x.is_some() && x == y;
                if same(&a.email, &b.email) || same(&a.phone, &b.phone) {
                    return Err(ApiError::invalid(
                        "non_resident_parent",
                        "same_person",
                        "is the same person as the resident parent (same e-mail or phone)",
                    ));
                }
            }
            if let Some(children) = &patch.children {
                intake::write_children(conn, &scope, &parties, children)?;
            }
            if let Some(attendees) = &patch.attendees {
                intake::write_attendees(conn, &scope, &parties, attendees)?;
            }
            let mut referrer: ReferrerDetails = stored_json(&r.referrer_details)?;
            if let Some(given) = &patch.referrer {
                if given.kind.as_str() != r.referrer_kind {
                    return Err(ApiError::invalid(
                        "referrer.kind",
                        "fixed",
                        "who referred cannot change; make a new referral",
                    ));
                }
                referrer = ReferrerDetails::from(given);
            }
            let court = match &patch.court {
                Some(c) => Some(c.clone()),
                None => r.court.as_deref().map(stored_json).transpose()?,
            };
            let court_ordered = patch.court_ordered.unwrap_or(r.court_ordered);
            let changes = ReferralChanges {
                referrer_details: Some(serde_json::to_string(&referrer).unwrap_or_default()),
                external_ref: patch
                    .external_ref
                    .as_ref()
                    .map(|e| Some(e.trim().to_string())),
                court_ordered: patch.court_ordered,
                court: patch
                    .court
                    .as_ref()
                    .map(|c| Some(serde_json::to_string(c).unwrap_or_default())),
                risk: patch
                    .risk
                    .as_ref()
                    .map(|risk| serde_json::to_string(risk).unwrap_or_default()),
                availability: patch.availability.as_ref().map(|a| Some(a.clone())),
                first_session_on: patch.first_session_on.map(Some),
                ..Default::default()
            };
            if_match.check(r.version)?;
            let updated = referrals::update(conn, &r.id, &changes, at)?;
            let parties = referrals::parties(conn, &r.id)?;
            let missing = intake::missing(
                &parties,
                updated.referrer_kind()?,
                referrer.name.clone(),
                court_ordered,
                court.as_ref(),
            );
            let by = workflow::By {
                user_id: Some(&principal.user_id),
                role: Some(principal.role),
            };
            complete_or_wait(conn, &updated, missing, by, now)?;
            let case = cases::load(conn, &id, &principal, false)?;
            let version = case.referral.version;
            Ok((version, full_view(conn, case)?))
        })
        .await?;
    Ok(ok_tagged(&view, version))
}

/// Links a party to a parent account of the same provider, so the parent can follow the case.
pub fn link_account(
    conn: &mut AnyConnection,
    person_id: &str,
    account_id: &str,
    provider_id: &str,
    role: PartyRole,
    at: PrimitiveDateTime,
) -> Result<(), ApiError> {
    let field = format!("{role}.account_id");
    // One answer for an id that does not exist and one that is not this provider's parent, so
    // that another provider's account ids cannot be probed from here.
    let refused = || {
        ApiError::invalid(
            &field,
            "not_a_parent",
            "must be the id of a parent account of this provider",
        )
    };
    let user = match users::find(conn, account_id) {
        Ok(u) => u,
        Err(StoreError::NotFound) => return Err(refused()),
        Err(e) => return Err(e.into()),
    };
    if user.role()? != Role::Parent || user.provider_id.as_deref() != Some(provider_id) {
        return Err(refused());
    }
    people::update(
        conn,
        person_id,
        &PersonChanges {
            user_id: Some(Some(user.id)),
            ..Default::default()
        },
        at,
    )?;
    Ok(())
}

/// Records what is missing and moves an intake on: to `awaiting_information` if details are
/// missing, else past the fee gate or to screening.
pub fn complete_or_wait(
    conn: &mut AnyConnection,
    referral: &Referral,
    missing: Vec<String>,
    by: workflow::By,
    now: OffsetDateTime,
) -> Result<Referral, ApiError> {
    let status = referral.status()?;
    let mut changes = ReferralChanges {
        missing: Some(serde_json::to_string(&missing).unwrap_or_else(|_| "[]".into())),
        ..Default::default()
    };
    let waiting = matches!(
        status,
        ReferralStatus::Submitted | ReferralStatus::AwaitingInformation
    );
    if !waiting {
        return Ok(referrals::update(
            conn,
            &referral.id,
            &changes,
            workflow::stored(now),
        )?);
    }
    if missing.is_empty() {
        changes.complete_at = Some(Some(workflow::stored(now)));
        let fee_due = !workflow::outstanding(conn, &referral.id, LineKind::ReferralFee)?.is_zero();
        workflow::transition(
            conn,
            referral,
            Event::InformationComplete {
                referral_fee_due: fee_due,
            },
            by,
            None,
            changes,
            now,
        )
        .map_err(Into::into)
    } else if status == ReferralStatus::Submitted {
        workflow::transition(
            conn,
            referral,
            Event::InformationMissing,
            by,
            None,
            changes,
            now,
        )
        .map_err(Into::into)
    } else {
        Ok(referrals::update(
            conn,
            &referral.id,
            &changes,
            workflow::stored(now),
        )?)
    }
}
