//! A report's steps after writing: sent for QA by its author, sent back or approved by
//! someone else, released to named recipients, amended after release; and the overdue list.

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use validator::Validate;

use super::{status_of, view, ReportView, Sections, READERS};
use crate::cases::{self, workflow, Case};
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::ids::ReportId;
use crate::state::AppState;
use ccm_domain::london;
use ccm_domain::records::report::{self, Recipient, ReportEvent, ReportStatus};
use ccm_domain::Role;
use ccm_persistence::reports::{self as store, Release, Report, ReportChanges};
use ccm_persistence::{new_id, AnyConnection};

/// The report and its case, locked, for one of `roles`.
fn load(
    conn: &mut AnyConnection,
    id: &str,
    principal: &Principal,
    roles: &[Role],
) -> Result<(Report, Case), ApiError> {
    let report = store::find_locked(conn, id).map_err(|_| ApiError::not_found("report"))?;
    let case = cases::load(conn, &report.referral_id, principal, true)
        .map_err(|_| ApiError::not_found("report"))?;
    if !case.relation.is_staff(READERS) {
        return Err(ApiError::not_found("report"));
    }
    if !case.relation.is_staff(roles) {
        return Err(ApiError::forbidden("your role does not take this step"));
    }
    Ok((report, case))
}

fn save(
    conn: &mut AnyConnection,
    report: &Report,
    changes: ReportChanges,
) -> Result<ReportView, ApiError> {
    let updated = store::update(
        conn,
        &report.id,
        &changes,
        workflow::stored(OffsetDateTime::now_utc()),
    )?;
    view(conn, updated)
}

/// Runs one step on the report (locked, for one of `roles`) in a write transaction and
/// answers with the report as it then is.
async fn step<F>(
    state: web::Data<AppState>,
    principal: Principal,
    id: String,
    roles: &'static [Role],
    f: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(&mut AnyConnection, &Report, &Case, &Principal) -> Result<ReportChanges, ApiError>
        + Send
        + 'static,
{
    let view = state
        .write(move |conn| {
            let (report, case) = load(conn, &id, &principal, roles)?;
            let changes = f(conn, &report, &case, &principal)?;
            save(conn, &report, changes)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// The changes that move the report to `status`.
fn to(status: ReportStatus) -> ReportChanges {
    ReportChanges {
        status: Some(status.as_str().into()),
        ..Default::default()
    }
}

fn by_author(report: &Report, principal: &Principal) -> bool {
    report.author_id.as_deref() == Some(principal.user_id.as_str())
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"notes": "Please describe the ending in more detail."}))]
pub struct QaNotes {
    #[validate(
        length(min = 1, max = 5000),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 5000)]
    pub notes: String,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"recipients": ["cafcass", "resident_parent_solicitor", "non_resident_parent_solicitor"]}))]
pub struct ReleaseIn {
    /// Among those the court order names. An amendment also goes to everyone who had the
    /// version before.
    #[validate(length(min = 1, max = 7))]
    #[schema(min_items = 1, max_items = 7)]
    pub recipients: Vec<Recipient>,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "the date of the next session was wrong"}))]
pub struct AmendIn {
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// Send the report for quality assurance (its author).
#[utoipa::path(tag = "reports", params(ReportId), responses((status = 200, description = "In QA.", body = ReportView), error::CreateErrors))]
#[post("/reports/{id}/submit")]
pub async fn submit(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReportId>,
) -> Result<HttpResponse, ApiError> {
    step(
        state,
        principal,
        id.into_inner().0,
        READERS,
        |_, report, _, principal| {
            let status = report::apply(status_of(report)?, ReportEvent::SubmitForQa)?;
            if !by_author(report, principal) {
                return Err(ApiError::forbidden("the report's author sends it for QA"));
            }
            Ok(to(status))
        },
    )
    .await
}

/// Send the report back to its author with what to change (anyone but the author).
#[utoipa::path(tag = "reports", params(ReportId), request_body = QaNotes, responses((status = 200, description = "Sent back.", body = ReportView), error::CreateErrors))]
#[post("/reports/{id}/request-changes")]
pub async fn request_changes(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReportId>,
    body: ValidJson<QaNotes>,
) -> Result<HttpResponse, ApiError> {
    let notes = body.0.notes;
    step(
        state,
        principal,
        id.into_inner().0,
        READERS,
        move |_, report, _, principal| {
            let event = ReportEvent::RequestChanges {
                by_author: by_author(report, principal),
            };
            Ok(ReportChanges {
                qa_by: Some(Some(principal.user_id.clone())),
                qa_notes: Some(Some(notes.trim().to_string())),
                ..to(report::apply(status_of(report)?, event)?)
            })
        },
    )
    .await
}

/// Approve the report (anyone but its author: 403 for the author).
#[utoipa::path(tag = "reports", params(ReportId), responses((status = 200, description = "Approved.", body = ReportView), error::CreateErrors))]
#[post("/reports/{id}/approve")]
pub async fn approve(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReportId>,
) -> Result<HttpResponse, ApiError> {
    step(
        state,
        principal,
        id.into_inner().0,
        READERS,
        |_, report, _, principal| {
            let event = ReportEvent::Approve {
                by_author: by_author(report, principal),
            };
            Ok(ReportChanges {
                qa_by: Some(Some(principal.user_id.clone())),
                qa_notes: Some(None),
                ..to(report::apply(status_of(report)?, event)?)
            })
        },
    )
    .await
}

/// The recipients the case's court order names for reports.
fn named_recipients(case: &Case) -> Vec<Recipient> {
    case.referral
        .court
        .as_deref()
        .and_then(|c| serde_json::from_str::<serde_json::Value>(c).ok())
        .and_then(|c| c.get("report_recipients").cloned())
        .and_then(|r| serde_json::from_value::<Vec<String>>(r).ok())
        .unwrap_or_default()
        .iter()
        .filter_map(|r| r.parse().ok())
        .collect()
}

/// Release the approved report to recipients the court order names (coordinators and org
/// admins). Each release is recorded with its time; an amended report also goes to everyone
/// who had the previous version, who keep that version as it was.
#[utoipa::path(tag = "reports", params(ReportId), request_body = ReleaseIn, responses((status = 200, description = "Released.", body = ReportView), error::CreateErrors))]
#[post("/reports/{id}/release")]
pub async fn release(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReportId>,
    body: ValidJson<ReleaseIn>,
) -> Result<HttpResponse, ApiError> {
    let wanted = body.0.recipients;
    const RELEASERS: &[Role] = &[Role::OrgAdmin, Role::Coordinator];
    step(
        state,
        principal,
        id.into_inner().0,
        RELEASERS,
        move |conn, report, case, principal| {
            let status = report::apply(status_of(report)?, ReportEvent::Release)?;
            let named = named_recipients(case);
            if let Some(stranger) = report::unnamed_recipient(&named, &wanted) {
                return Err(ApiError::invalid(
                    "recipients",
                    "not_named",
                    format!(
                        "{} is not named as a recipient of reports for this case",
                        stranger.as_str()
                    ),
                ));
            }
            let mut recipients: Vec<String> = store::releases(conn, &report.id)?
                .into_iter()
                .map(|r| r.recipient)
                .collect();
            recipients.extend(wanted.iter().map(|r| r.as_str().to_string()));
            recipients.sort();
            recipients.dedup();
            let number = report.released_versions + 1;
            let sections = serde_json::to_string(&Sections::of(report))
                .map_err(|e| ApiError::Internal(format!("report sections: {e}")))?;
            let at = workflow::stored(OffsetDateTime::now_utc());
            for recipient in recipients {
                store::insert_release(
                    conn,
                    &Release {
                        id: new_id(),
                        report_id: report.id.clone(),
                        version_number: number,
                        recipient,
                        sections: sections.clone(),
                        approved_by: report.qa_by.clone().unwrap_or_default(),
                        released_by: principal.user_id.clone(),
                        released_at: at,
                    },
                )?;
            }
            Ok(ReportChanges {
                released_versions: Some(number),
                ..to(status)
            })
        },
    )
    .await
}

/// Start an amendment of a released report, with the reason (its author, coordinators, org
/// admins). What was released stays as it was; the amendment is checked and released again.
#[utoipa::path(tag = "reports", params(ReportId), request_body = AmendIn, responses((status = 200, description = "Being amended.", body = ReportView), error::CreateErrors))]
#[post("/reports/{id}/amend")]
pub async fn amend(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReportId>,
    body: ValidJson<AmendIn>,
) -> Result<HttpResponse, ApiError> {
    let reason = body.0.reason;
    step(
        state,
        principal,
        id.into_inner().0,
        READERS,
        move |_, report, _, _| {
            Ok(ReportChanges {
                amendment_reason: Some(Some(reason.trim().to_string())),
                ..to(report::apply(status_of(report)?, ReportEvent::Amend)?)
            })
        },
    )
    .await
}

/// The caller's provider's reports past their due date and not yet released, oldest due first
/// (coordinators, org admins, supervisors).
#[utoipa::path(tag = "reports", responses((status = 200, description = "Overdue reports.", body = Vec<ReportView>), (status = 401, response = error::Unauthorized),
    (status = 403, response = error::Forbidden)))]
#[get("/reports/overdue")]
pub async fn overdue(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let views = state
        .read(move |conn| {
            let provider = match (principal.role, principal.provider_id.as_deref()) {
                (r, Some(p)) if READERS.contains(&r) => p.to_string(),
                _ => {
                    return Err(ApiError::forbidden(
                        "overdue reports are listed for a provider's coordinators, admins and supervisors",
                    ))
                }
            };
            let today = london::local_date(OffsetDateTime::now_utc());
            store::overdue(conn, &provider, today)?
                .into_iter()
                .map(|r| view(conn, r))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    Ok(HttpResponse::Ok().json(views))
}
