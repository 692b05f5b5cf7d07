//! Safeguarding concerns about a child of a case. Anyone working at the centre may raise one
//! (a volunteer included) and may suspend the case at once; the designated lead (a coordinator
//! or org admin) decides, records any outside referral and closes it with its outcome. Only
//! coordinators, org admins and supervisors read concerns. Disclosure beyond attendance is in
//! [`disclosure`].

pub mod disclosure;
mod steps;

use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use validator::Validate;

use crate::cases::{self, workflow, Case};
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::http::{utc, Instant};
use crate::ids::{ConcernId, ReferralId};
use crate::state::AppState;
use ccm_domain::records::safeguarding::{self as rules, Agency, ConcernDecision, ConcernStatus};
use ccm_domain::referral::lifecycle::{Event, ReferralAction, SuspensionReason};
use ccm_domain::referral::PartyRole;
use ccm_domain::Role;
use ccm_persistence::referrals::ReferralChanges;
use ccm_persistence::safeguarding::{self as store, Concern};
use ccm_persistence::{new_id, sessions, AnyConnection};

/// Who reads concerns.
const READERS: &[Role] = &[Role::OrgAdmin, Role::Coordinator, Role::Supervisor];
/// Who raises them: everyone working with families.
const RAISERS: &[Role] = &[
    Role::OrgAdmin,
    Role::Coordinator,
    Role::Supervisor,
    Role::Volunteer,
];
/// The designated lead's roles.
const LEADS: &[Role] = &[Role::OrgAdmin, Role::Coordinator];

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(raise)
        .service(list)
        .service(get_concern)
        .service(steps::decide)
        .service(steps::refer)
        .service(steps::close)
        .service(disclosure::attendance)
        .service(disclosure::record)
        .service(disclosure::list);
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"child_id": "019a5f3e-0000-7000-8000-000000000004",
    "concern": "Cal said Dad's new partner hits him when he is naughty.", "suspend_case": true}))]
pub struct RaiseBody {
    /// The child the concern is about: a child of this case.
    pub child_id: String,
    /// The session it arose at, if any.
    pub session_id: Option<String>,
    #[validate(
        length(min = 1, max = 5000),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 5000)]
    pub concern: String,
    /// Suspend the case now (its sessions stay booked until the lead decides).
    #[serde(default)]
    pub suspend_case: bool,
}

#[derive(Serialize, ToSchema)]
pub struct OutsideReferral {
    pub agency: Agency,
    pub contact: String,
    pub reference: Option<String>,
    pub referred_at: Instant,
    pub referred_by: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ConcernView {
    pub id: String,
    pub referral_id: String,
    pub child_id: String,
    pub session_id: Option<String>,
    pub concern: String,
    pub raised_by: String,
    pub raised_at: Instant,
    /// Whether raising it suspended the case.
    pub suspended_case: bool,
    pub status: ConcernStatus,
    pub decision: Option<ConcernDecision>,
    pub rationale: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<Instant>,
    pub outside_referral: Option<OutsideReferral>,
    pub outcome: Option<String>,
    pub closed_by: Option<String>,
    pub closed_at: Option<Instant>,
    /// What can be done next (each is `POST /v1/safeguarding-concerns/{id}/{action}`).
    pub allowed_actions: Vec<String>,
    pub version: i64,
}

fn corrupt(what: &str) -> ApiError {
    ccm_persistence::StoreError::Corrupt(format!("safeguarding_concerns.{what}")).into()
}

fn status_of(c: &Concern) -> Result<(ConcernStatus, Option<ConcernDecision>), ApiError> {
    let status = c.status.parse().map_err(|_| corrupt("status"))?;
    let decision = c
        .decision
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(|_| corrupt("decision"))?;
    Ok((status, decision))
}

/// The concern as its readers see it; every concern leaves the API through here, so its
/// reading is put on the audit trail here.
fn view(c: Concern) -> Result<ConcernView, ApiError> {
    let (status, decision) = status_of(&c)?;
    crate::audit::read(
        "safeguarding_concern",
        &c.id,
        Some(&c.referral_id),
        &["concern", "rationale", "outside_referral", "outcome"],
    );
    let outside_referral = match (c.agency.as_deref(), c.referred_at) {
        (Some(agency), Some(at)) => Some(OutsideReferral {
            agency: agency.parse().map_err(|_| corrupt("agency"))?,
            contact: c.agency_contact.clone().unwrap_or_default(),
            reference: c.agency_reference.clone(),
            referred_at: utc(at),
            referred_by: c.referred_by.clone(),
        }),
        _ => None,
    };
    Ok(ConcernView {
        allowed_actions: rules::allowed_actions(status, decision)
            .iter()
            .map(|a| a.to_string())
            .collect(),
        id: c.id,
        referral_id: c.referral_id,
        child_id: c.child_id,
        session_id: c.session_id,
        concern: c.concern,
        raised_by: c.raised_by,
        raised_at: utc(c.raised_at),
        suspended_case: c.suspended_case,
        status,
        decision,
        rationale: c.rationale,
        decided_by: c.decided_by,
        decided_at: c.decided_at.map(utc),
        outside_referral,
        outcome: c.outcome,
        closed_by: c.closed_by,
        closed_at: c.closed_at.map(utc),
        version: c.version,
    })
}

fn staff_case(
    conn: &mut AnyConnection,
    referral_id: &str,
    principal: &Principal,
    roles: &[Role],
    lock: bool,
) -> Result<Case, ApiError> {
    let case = cases::load(conn, referral_id, principal, lock)?;
    if !matches!(
        case.relation.viewer,
        ccm_domain::referral::disclosure::Viewer::Staff(_)
    ) {
        return Err(ApiError::not_found("referral"));
    }
    if !case.relation.is_staff(roles) {
        return Err(ApiError::forbidden(
            "safeguarding concerns are for the centre's coordinators, admins and supervisors",
        ));
    }
    Ok(case)
}

/// Raise a safeguarding concern about a child of the case, optionally suspending the case.
#[utoipa::path(tag = "safeguarding", params(ReferralId), request_body = RaiseBody,
    responses((status = 201, description = "Raised.", body = ConcernView,
        headers(("Location" = String, description = "The concern's URL"))), error::CreateErrors))]
#[post("/referrals/{id}/safeguarding-concerns")]
pub async fn raise(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
    body: ValidJson<RaiseBody>,
) -> Result<HttpResponse, ApiError> {
    let b = body.0;
    let id = id.into_inner().0;
    let view = state
        .write(move |conn| {
            let case = staff_case(conn, &id, &principal, RAISERS, true)?;
            let is_child = case.parties.iter().any(|(p, person)| {
                person.id == b.child_id && p.role().ok() == Some(PartyRole::Child)
            });
            if !is_child {
                return Err(ApiError::invalid(
                    "child_id",
                    "not_a_child_of_the_case",
                    "not one of this case's children",
                ));
            }
            if let Some(session) = &b.session_id {
                let theirs = sessions::find(conn, session)
                    .map(|s| s.referral_id == case.referral.id)
                    .unwrap_or(false);
                if !theirs {
                    return Err(ApiError::invalid(
                        "session_id",
                        "not_found",
                        "not one of this case's sessions",
                    ));
                }
            }
            let now = OffsetDateTime::now_utc();
            if b.suspend_case {
                let by = workflow::By {
                    user_id: Some(&principal.user_id),
                    role: Some(principal.role),
                };
                workflow::transition(
                    conn,
                    &case.referral,
                    Event::Action(ReferralAction::Suspend),
                    by,
                    Some(SuspensionReason::SafeguardingConcern.as_str()),
                    ReferralChanges {
                        suspension_reason: Some(Some(
                            SuspensionReason::SafeguardingConcern.as_str().into(),
                        )),
                        ..Default::default()
                    },
                    now,
                )?;
            }
            let concern = Concern {
                id: new_id(),
                referral_id: case.referral.id.clone(),
                child_id: b.child_id,
                session_id: b.session_id,
                concern: b.concern.trim().to_string(),
                raised_by: principal.user_id.clone(),
                raised_at: workflow::stored(now),
                suspended_case: b.suspend_case,
                status: ConcernStatus::Raised.as_str().into(),
                decision: None,
                rationale: None,
                decided_by: None,
                decided_at: None,
                agency: None,
                agency_contact: None,
                agency_reference: None,
                referred_at: None,
                referred_by: None,
                outcome: None,
                closed_by: None,
                closed_at: None,
                version: 1,
            };
            store::insert(conn, &concern)?;
            crate::audit::subject("safeguarding_concern", &concern.id);
            view(concern)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/v1/safeguarding-concerns/{}", view.id),
        ))
        .json(view))
}

/// The case's safeguarding concerns, oldest first.
#[utoipa::path(tag = "safeguarding", params(ReferralId), responses((status = 200, description = "Concerns.", body = Vec<ConcernView>), (status = 401, response = error::Unauthorized),
    (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound)))]
#[get("/referrals/{id}/safeguarding-concerns")]
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let views = state
        .read(move |conn| {
            let case = staff_case(conn, &id, &principal, READERS, false)?;
            store::for_referral(conn, &case.referral.id)?
                .into_iter()
                .map(view)
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    Ok(HttpResponse::Ok().json(views))
}

/// The concern, for one of `roles`; 404 for anyone outside the provider.
fn load(
    conn: &mut AnyConnection,
    id: &str,
    principal: &Principal,
    roles: &[Role],
    lock: bool,
) -> Result<Concern, ApiError> {
    let concern = if lock {
        store::find_locked(conn, id)
    } else {
        store::find(conn, id)
    }
    .map_err(|_| ApiError::not_found("safeguarding concern"))?;
    staff_case(conn, &concern.referral_id, principal, roles, lock).map_err(|e| match e {
        ApiError::NotFound(_) => ApiError::not_found("safeguarding concern"),
        other => other,
    })?;
    Ok(concern)
}

/// One safeguarding concern.
#[utoipa::path(tag = "safeguarding", params(ConcernId), responses((status = 200, description = "The concern.", body = ConcernView), (status = 401, response = error::Unauthorized),
    (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound)))]
#[get("/safeguarding-concerns/{id}")]
pub async fn get_concern(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ConcernId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let view = state
        .read(move |conn| view(load(conn, &id, &principal, READERS, false)?))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
