//! Supervised session reports. A report falls due when a supervised session is over; its
//! author (the supervisor) writes it in sections; someone else checks it; it is released only
//! to the recipients the court order names, each release recorded; an amendment after release
//! keeps what was released. Supported and handover contact keep no notes at all.

use actix_web::{get, put, web, HttpResponse};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use validator::Validate;

use crate::cases::{self, workflow, Case};
use crate::error::ProblemType;
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::http::{utc, Instant};
use crate::ids::SessionId;
use crate::state::AppState;
use ccm_domain::london;
use ccm_domain::records::may_observe;
use ccm_domain::records::report::{self, ReportEvent, ReportStatus};
use ccm_domain::Role;
use ccm_persistence::reports::{self as store, Report, ReportChanges};
use ccm_persistence::sessions::{self, Session};
use ccm_persistence::AnyConnection;

mod actions;
mod incidents;
pub mod released;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_report)
        .service(write_report)
        .service(actions::overdue)
        .service(actions::submit)
        .service(actions::request_changes)
        .service(actions::approve)
        .service(actions::release)
        .service(actions::amend)
        .service(incidents::record)
        .service(incidents::list)
        .service(released::released_to_me);
}

/// Staff who read reports and check them; volunteers and finance do not.
const READERS: &[Role] = &[Role::OrgAdmin, Role::Coordinator, Role::Supervisor];

/// The sections of a supervised session report (each up to 20,000 characters).
#[derive(Clone, Default, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"arrival": "Dad arrived on time and was settled in the room.", "activities": "Drawing, then a board game."}))]
pub struct Sections {
    /// Arrival and the child's response.
    #[validate(length(max = 20000))]
    #[schema(max_length = 20000)]
    pub arrival: Option<String>,
    #[validate(length(max = 20000))]
    #[schema(max_length = 20000)]
    pub activities: Option<String>,
    /// Interaction between parent and child.
    #[validate(length(max = 20000))]
    #[schema(max_length = 20000)]
    pub interaction: Option<String>,
    /// The child's presentation.
    #[validate(length(max = 20000))]
    #[schema(max_length = 20000)]
    pub presentation: Option<String>,
    #[validate(length(max = 20000))]
    #[schema(max_length = 20000)]
    pub incidents: Option<String>,
    #[validate(length(max = 20000))]
    #[schema(max_length = 20000)]
    pub departure: Option<String>,
    /// How the session ended.
    #[validate(length(max = 20000))]
    #[schema(max_length = 20000)]
    pub ending: Option<String>,
}

impl Sections {
    fn of(r: &Report) -> Sections {
        Sections {
            arrival: r.arrival.clone(),
            activities: r.activities.clone(),
            interaction: r.interaction.clone(),
            presentation: r.presentation.clone(),
            incidents: r.incidents.clone(),
            departure: r.departure.clone(),
            ending: r.ending.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ReleaseView {
    pub version: i32,
    pub recipient: String,
    pub released_at: Instant,
    pub released_by: String,
    pub approved_by: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReportView {
    pub id: String,
    pub session_id: String,
    pub referral_id: String,
    /// `due`, `draft`, `in_qa`, `changes_requested`, `approved`, `released` or `amended`.
    pub status: ReportStatus,
    pub author_id: Option<String>,
    pub sections: Sections,
    #[schema(value_type = String, format = Date)]
    #[serde(with = "crate::http::date::format")]
    pub due_on: time::Date,
    /// Not yet released and past its due date.
    pub overdue: bool,
    /// Who last checked it, and what they asked for.
    pub qa_by: Option<String>,
    pub qa_notes: Option<String>,
    pub amendment_reason: Option<String>,
    /// Versions released so far (an amendment makes a new one).
    pub released_versions: i32,
    /// Every release: which version went to whom and when.
    pub releases: Vec<ReleaseView>,
    pub version: i64,
}

pub fn status_of(r: &Report) -> Result<ReportStatus, ApiError> {
    r.status
        .parse()
        .map_err(|e| ApiError::Internal(format!("reports.status: {e}")))
}

/// The report as staff see it; every report leaves the API through here, so its reading is
/// put on the audit trail here.
pub fn view(conn: &mut AnyConnection, r: Report) -> Result<ReportView, ApiError> {
    crate::audit::read("report", &r.id, Some(&r.referral_id), &["sections"]);
    let releases = store::releases(conn, &r.id)?
        .into_iter()
        .map(|x| ReleaseView {
            version: x.version_number,
            recipient: x.recipient,
            released_at: utc(x.released_at),
            released_by: x.released_by,
            approved_by: x.approved_by,
        })
        .collect();
    let status = status_of(&r)?;
    let today = london::local_date(OffsetDateTime::now_utc());
    Ok(ReportView {
        overdue: !matches!(status, ReportStatus::Released | ReportStatus::Amended)
            && r.due_on < today,
        sections: Sections::of(&r),
        id: r.id,
        session_id: r.session_id,
        referral_id: r.referral_id,
        status,
        author_id: r.author_id,
        due_on: r.due_on,
        qa_by: r.qa_by,
        qa_notes: r.qa_notes,
        amendment_reason: r.amendment_reason,
        released_versions: r.released_versions,
        releases,
        version: r.version,
    })
}

pub use ccm_app::reports::open_due;

/// The session, its case (for a reader of reports) and its report if one is due. A
/// supported or handover session is refused by the no-notes rule.
fn load(
    conn: &mut AnyConnection,
    session_id: &str,
    principal: &Principal,
    for_write: bool,
) -> Result<(Session, Case, Option<Report>), ApiError> {
    let session = sessions::find(conn, session_id).map_err(|_| ApiError::not_found("session"))?;
    let case = cases::load(conn, &session.referral_id, principal, for_write)
        .map_err(|_| ApiError::not_found("session"))?;
    if !case.relation.is_staff(READERS) {
        return Err(ApiError::forbidden(
            "reports are read by the centre's coordinators, admins and supervisors",
        ));
    }
    may_observe(case.referral.service()?)
        .map_err(|e| ApiError::rule(ProblemType::NoNotes, e.to_string()))?;
    let report = store::for_session(conn, &session.id)?;
    Ok((session, case, report))
}

/// A supervised session's report (coordinators, org admins, supervisors). 404 until the
/// session is over; 422 for supported and handover sessions, which keep no notes.
#[utoipa::path(tag = "reports", params(SessionId), responses((status = 200, description = "The report.", body = ReportView), (status = 401, response = error::Unauthorized),
    (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound), (status = 422, response = error::Unprocessable)))]
#[get("/sessions/{id}/report")]
pub async fn get_report(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<SessionId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let view = state
        .read(move |conn| {
            let (_, _, report) = load(conn, &id, &principal, false)?;
            let report = report.ok_or_else(|| ApiError::not_found("report"))?;
            view(conn, report)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Write the report's sections (all of them, as given; a section left out is emptied). The
/// first writer becomes its author, and only the author writes it after that. Refused for
/// supported and handover sessions (the no-notes rule) and for a session not yet over (409).
#[utoipa::path(tag = "reports", params(SessionId), request_body = Sections, responses((status = 200, description = "Written.", body = ReportView), error::CreateErrors))]
#[put("/sessions/{id}/report")]
pub async fn write_report(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<SessionId>,
    body: ValidJson<Sections>,
) -> Result<HttpResponse, ApiError> {
    let sections = body.0;
    let id = id.into_inner().0;
    let view = state
        .write(move |conn| {
            let (_, _, report) = load(conn, &id, &principal, true)?;
            let Some(report) = report else {
                return Err(ApiError::conflict(
                    ProblemType::ReportNotDue,
                    "a report is written once its session is over",
                ));
            };
            let report = store::find_locked(conn, &report.id)?;
            if report
                .author_id
                .as_deref()
                .is_some_and(|a| a != principal.user_id)
            {
                return Err(ApiError::forbidden("only the report's author writes it"));
            }
            let status = report::apply(status_of(&report)?, ReportEvent::Write)?;
            let text = |s: &Option<String>| {
                Some(
                    s.as_deref()
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(str::to_string),
                )
            };
            let changes = ReportChanges {
                status: Some(status.as_str().into()),
                author_id: Some(Some(principal.user_id.clone())),
                arrival: text(&sections.arrival),
                activities: text(&sections.activities),
                interaction: text(&sections.interaction),
                presentation: text(&sections.presentation),
                incidents: text(&sections.incidents),
                departure: text(&sections.departure),
                ending: text(&sections.ending),
                ..Default::default()
            };
            let updated = store::update(
                conn,
                &report.id,
                &changes,
                workflow::stored(OffsetDateTime::now_utc()),
            )?;
            view(conn, updated)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
