//! Making a referral: who may refer and as what, the intake saved in one transaction, and
//! the first step past the information and fee gates.

use actix_web::{post, web, HttpResponse};
use time::OffsetDateTime;

use crate::cases::{self, workflow};
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::http::created;
use crate::state::AppState;
use ccm_domain::quote::LineKind;
use ccm_domain::referral::lifecycle::{Event, ReferralStatus};
use ccm_domain::referral::PartyRole;
use ccm_domain::{london, ReferrerKind, Role};
use ccm_persistence::referrals::{self, Referral, ReferralChanges};
use ccm_persistence::{centres, new_id, offerings, people, AnyConnection, StoreError};

use super::dto::{NewReferral, ReferrerDetails};
use super::view::ReferralView;
use super::{dto, full_view, intake, update};
use crate::error::ProblemType;

/// Who is making a referral, and as what.
enum Referring {
    Staff,
    Referrer,
    Parent(PartyRole),
}

fn referring(principal: &Principal, new: &NewReferral) -> Result<Referring, ApiError> {
    match principal.role {
        Role::OrgAdmin | Role::Coordinator => Ok(Referring::Staff),
        Role::Referrer if new.referrer.kind == ReferrerKind::SelfReferral => Err(ApiError::invalid(
            "referrer.kind",
            "not_self",
            "a referrer account refers on behalf of others; use its own kind (solicitor, cafcass, ...)",
        )),
        Role::Referrer => Ok(Referring::Referrer),
        Role::Parent if new.referrer.kind != ReferrerKind::SelfReferral => Err(ApiError::invalid(
            "referrer.kind",
            "self_only",
            "a parent's own account makes self-referrals",
        )),
        Role::Parent => match new.self_party {
            Some(side) => Ok(Referring::Parent(side.into())),
            None => Err(ApiError::invalid("self_party", "required", "say which parent you are")),
        },
        _ => Err(ApiError::forbidden("your role does not make referrals")),
    }
}

/// Make a referral. What is missing puts it into `awaiting_information` (listed in `missing`)
/// rather than refusing it; the admin/referral fee is raised from the centre's tariff unless a
/// funder pays. Send an `Idempotency-Key` so a retry cannot make a second referral.
#[utoipa::path(
    tag = "referrals",
    request_body = NewReferral,
    security(("bearer" = [])),
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
    let new = body.0;
    let referring = referring(&principal, &new)?;
    let now = OffsetDateTime::now_utc();
    intake::check(
        new.resident_parent.as_ref(),
        new.non_resident_parent.as_ref(),
        &new.children,
        london::local_date(now),
    )?;
    let provider_id = principal
        .provider_id
        .clone()
        .ok_or_else(|| ApiError::forbidden("your account belongs to no provider"))?;
    let caller = principal.clone();
    let (case, view) = state
        .write(move |conn| {
            let centre = match centres::find(conn, &new.centre_id) {
                Ok(c) if c.provider_id == provider_id => c,
                Ok(_) | Err(StoreError::NotFound) => {
                    return Err(ApiError::invalid(
                        "centre_id",
                        "not_found",
                        "no such centre",
                    ))
                }
                Err(e) => return Err(e.into()),
            };
            let offering = offerings::find_for(conn, &centre.id, new.service_type)?
                .filter(|o| o.active && centre.active);
            let Some(offering) = offering else {
                return Err(ApiError::rule(
                    ProblemType::ServiceNotOffered,
                    format!(
                        "{} does not offer {} contact",
                        centre.name, new.service_type
                    ),
                ));
            };
            if !offering.waiting_list_open {
                return Err(ApiError::rule(
                    ProblemType::WaitingListClosed,
                    format!(
                        "{}'s waiting list for {} contact is closed",
                        centre.name, new.service_type
                    ),
                ));
            }
            if let Some(client_id) = &caller.client_id {
                // A partner's system refers as the kind of body it was registered for, so the
                // reports it can read are the ones released to that body.
                let client = ccm_persistence::clients::find(conn, client_id)?;
                if client.organisation_kind != new.referrer.kind.as_str() {
                    return Err(ApiError::invalid(
                        "referrer.kind",
                        "client_kind",
                        format!(
                            "this API client refers as {}; referrer.kind must be that",
                            client.organisation_kind
                        ),
                    ));
                }
            }
            let at = workflow::stored(now);
            let id = new_id();
            crate::audit::subject("referral", &id);
            let (_, funder) = workflow::tariff_lines(
                conn,
                &centre.id,
                new.service_type,
                new.referrer.kind,
                new.court_ordered,
                LineKind::ReferralFee,
            )?;
            let referral = Referral {
                id: id.clone(),
                provider_id: provider_id.clone(),
                centre_id: centre.id.clone(),
                service_type: new.service_type.as_str().to_string(),
                status: ReferralStatus::Submitted.as_str().to_string(),
                status_changed_at: at,
                referrer_kind: new.referrer.kind.as_str().to_string(),
                referrer_user_id: matches!(referring, Referring::Referrer)
                    .then(|| caller.user_id.clone()),
                referrer_details: serde_json::to_string(&ReferrerDetails::from(&new.referrer))
                    .unwrap_or_default(),
                external_ref: new.external_ref.as_ref().map(|r| r.trim().to_string()),
                court_ordered: new.court_ordered,
                court: new
                    .court
                    .as_ref()
                    .map(|c| serde_json::to_string(c).unwrap_or_default()),
                risk: serde_json::to_string(&new.risk.clone().unwrap_or_default())
                    .unwrap_or_default(),
                availability: new.availability.clone(),
                missing: "[]".into(),
                funder: funder.map(|f| f.as_str().to_string()),
                session_minutes: offering.default_session_minutes,
                complete_at: None,
                priority: 0,
                priority_reason: None,
                offer_expires_at: None,
                decline_reason: None,
                signposted_service: None,
                override_reason: None,
                suspension_reason: None,
                closure_reason: None,
                closure_notes: None,
                activated_on: None,
                next_review_on: None,
                first_session_on: None,
                created_by: Some(caller.user_id.clone()),
                version: 1,
                created_at: at,
                updated_at: at,
            };
            referrals::insert(conn, &referral)?;
            let scope = intake::Scope {
                referral_id: &id,
                provider_id: &provider_id,
                by: &caller.user_id,
                at,
            };
            for (role, adult) in [
                (PartyRole::ResidentParent, &new.resident_parent),
                (PartyRole::NonResidentParent, &new.non_resident_parent),
            ] {
                if let Some(adult) = adult {
                    if adult.account_id.is_some() && !matches!(referring, Referring::Staff) {
                        return Err(ApiError::forbidden("only staff link parent accounts"));
                    }
                    let person = intake::write_adult(conn, &scope, None, role, adult)?;
                    if let Some(account) = &adult.account_id {
                        update::link_account(conn, &person.id, account, &provider_id, role, at)?;
                    }
                }
            }
            if let Referring::Parent(side) = referring {
                let parties = referrals::parties(conn, &id)?;
                let me = match cases::person_in(&parties, side) {
                    Some(p) => p.clone(),
                    None => {
                        let empty = dto::AdultIn {
                            given_name: None,
                            family_name: None,
                            date_of_birth: None,
                            relationship: None,
                            contact: None,
                            needs: None,
                            account_id: None,
                        };
                        intake::write_adult(conn, &scope, None, side, &empty)?
                    }
                };
                people::update(
                    conn,
                    &me.id,
                    &people::PersonChanges {
                        user_id: Some(Some(caller.user_id.clone())),
                        ..Default::default()
                    },
                    at,
                )?;
            }
            intake::write_children(conn, &scope, &[], &new.children)?;
            intake::write_attendees(conn, &scope, &[], &new.attendees)?;
            workflow::raise_charges(conn, &referral, LineKind::ReferralFee, &caller.user_id, now)?;
            let parties = referrals::parties(conn, &id)?;
            let missing = intake::missing(
                &parties,
                new.referrer.kind,
                new.referrer.name.clone(),
                new.court_ordered,
                new.court.as_ref(),
            );
            let by = workflow::By {
                user_id: Some(&caller.user_id),
                role: Some(caller.role),
            };
            let referral = complete_or_wait(conn, &referral, missing, by, now)?;
            let case = cases::load(conn, &referral.id, &caller, false)?;
            let view = full_view(conn, &case)?;
            Ok((case, view))
        })
        .await?;
    Ok(created(
        &format!("/v1/referrals/{}", case.referral.id),
        &view,
        case.referral.version,
    ))
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
    } else {
        Ok(referrals::update(
            conn,
            &referral.id,
            &changes,
            workflow::stored(now),
        )?)
    }
}
