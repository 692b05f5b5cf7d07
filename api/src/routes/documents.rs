//! Documents filed on a case: the court order, the referral form, exported reports. A file is
//! uploaded as the raw request body with its own `Content-Type` (no multipart: one file per
//! request, nothing to parse but the bytes) and `?kind=&filename=`. Only a few formats are
//! accepted, checked by their first bytes, up to `CCM_DOCUMENT_MAX_BYTES`.
//!
//! Who may see them is `ccm_domain::records::document`: the provider's org admins and
//! coordinators file and read them all, supervisors read the court order and exported
//! reports, volunteers and finance are refused (403), and parents, referrers and other
//! providers are not told a document exists (404).

use actix_web::http::header::{
    self, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::cases::{self, Case};
use crate::error::{self, ApiError, OrNotFound, Require};
use crate::extract::{Principal, ValidQuery};
use crate::http::{list_response, next_cursor, utc, Instant, PageParams};
use crate::ids::{DocumentId, ReferralId};
use crate::state::AppState;
use ccm_domain::records::document::{self as rules, DocumentKind};
use ccm_persistence::documents::{self, Document};
use ccm_persistence::error::parse_stored;
use ccm_persistence::{new_id, now, AnyConnection};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(upload_document)
        .service(list_documents)
        .service(get_document)
        .service(document_content);
}

/// Whether a request is a document upload, whose body may be as large as a document.
pub fn is_upload(method: &str, path: &str) -> bool {
    method.eq_ignore_ascii_case("POST")
        && path
            .strip_prefix("/v1/referrals/")
            .and_then(|rest| rest.strip_suffix("/documents"))
            .is_some_and(|id| !id.is_empty() && !id.contains('/'))
}

#[derive(Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UploadParams {
    /// What the document is.
    pub kind: DocumentKind,
    /// The file's name, offered again on download. Only its last part is kept, with anything
    /// but letters, digits, spaces and `.-_()` replaced by `_`; a name with nothing usable
    /// left becomes the kind and the type's extension (`court_order.pdf`).
    #[validate(length(min = 1, max = 255))]
    #[param(min_length = 1, max_length = 255, example = "court-order.pdf")]
    pub filename: String,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a2c4-1f00-7abc-8def-0123456789ab", "referral_id": "0193a2b0-5e11-7c2d-9e3f-112233445566",
    "kind": "court_order", "filename": "court-order.pdf", "content_type": "application/pdf", "size_bytes": 48213,
    "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "uploaded_by": "0193a1f0-0000-7000-8000-00000000c001", "created_at": "2026-11-23T10:15:00Z"}))]
pub struct DocumentView {
    pub id: String,
    pub referral_id: String,
    pub kind: DocumentKind,
    /// The name it is offered under for download.
    pub filename: String,
    /// One of the accepted document types.
    pub content_type: String,
    pub size_bytes: i64,
    /// Hex SHA-256 of the contents.
    pub sha256: String,
    /// The account that uploaded it.
    pub uploaded_by: String,
    pub created_at: Instant,
}

impl DocumentView {
    fn new(d: Document) -> Result<DocumentView, ApiError> {
        Ok(DocumentView {
            kind: parse_stored("documents.kind", &d.kind)?,
            id: d.id,
            referral_id: d.referral_id,
            filename: d.filename,
            content_type: d.content_type,
            size_bytes: d.size_bytes,
            sha256: d.sha256,
            uploaded_by: d.uploaded_by,
            created_at: utc(d.created_at),
        })
    }
}

list_response!(DocumentList, DocumentView);

/// A file's bytes, as they are: the request or response body itself.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
pub struct FileBytes(Vec<u8>);

/// A document and the case it is on, if the caller may read it.
fn readable(
    conn: &mut AnyConnection,
    id: &str,
    principal: &Principal,
) -> Result<Document, ApiError> {
    let document = documents::find(conn, id).or_not_found("document")?;
    let case = cases::load(conn, &document.referral_id, principal, false)
        .map_err(|_| ApiError::not_found("document"))?;
    let kind = parse_stored("documents.kind", &document.kind)?;
    rules::may_read(case.relation.viewer, kind).require("document")?;
    Ok(document)
}

/// The body, read up to `limit` bytes: 413 beyond it, before any of it is read when the
/// sender declares its length.
async fn body(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<web::Bytes, ApiError> {
    let too_large =
        || ApiError::PayloadTooLarge(format!("a document may be at most {limit} bytes"));
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    match payload.to_bytes_limited(limit).await {
        Err(_) => Err(too_large()),
        Ok(Err(e)) => Err(ApiError::BadRequest {
            detail: format!("the request body could not be read: {e}"),
            errors: vec![],
        }),
        Ok(Ok(bytes)) => Ok(bytes),
    }
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// File a document on a case: the file is the request body, sent with its own
/// `Content-Type` (PDF, JPEG, PNG or DOCX); its first bytes must match that type. For the
/// provider's org admins and coordinators.
#[utoipa::path(
    tag = "documents",
    params(ReferralId, UploadParams),
    request_body(
        description = "The file itself, as raw bytes, with its type as the Content-Type.",
        content(
            (inline(FileBytes) = "application/pdf"),
            (inline(FileBytes) = "image/jpeg"),
            (inline(FileBytes) = "image/png"),
            (inline(FileBytes) = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ),
    ),
    responses(
        (status = 201, description = "Filed.", body = DocumentView,
            headers(("Location" = String, description = "The document's URL"))),
        (status = 400, response = error::BadRequest),
        (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden),
        (status = 404, response = error::NotFound),
        (status = 413, response = error::DocumentTooLarge),
        (status = 415, response = error::DocumentTypeRefused),
        (status = 422, response = error::Unprocessable),
    )
)]
#[post("/referrals/{id}/documents")]
pub async fn upload_document(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
    params: ValidQuery<UploadParams>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let params = params.0;
    // Who may file here is settled before a byte of a possibly large body is read.
    let (referral_id, caller) = (id.into_inner().0, principal.clone());
    let referral_id = state
        .read(move |conn| {
            let Case {
                referral, relation, ..
            } = cases::load(conn, &referral_id, &caller, false)?;
            rules::may_upload(relation.viewer).require("referral")?;
            Ok(referral.id)
        })
        .await?;
    let declared = req
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or("(unreadable)"))
        .unwrap_or("(none)");
    let content_type = rules::accepted_type(declared)?;
    let filename = rules::stored_filename(&params.filename, params.kind, content_type);
    let bytes = body(&req, payload, state.config.document_max_bytes).await?;
    rules::check_content(content_type, &bytes)?;
    let sha256 = hex_sha256(&bytes);
    let size_bytes = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    let storage_key = state.documents(move |store| store.put(&bytes)).await?;
    let document = Document {
        id: new_id(),
        referral_id,
        kind: params.kind.as_str().into(),
        filename,
        content_type: content_type.as_str().into(),
        size_bytes,
        sha256,
        storage_key: storage_key.clone(),
        uploaded_by: principal.user_id,
        created_at: now(),
    };
    let saved = state
        .write(move |conn| {
            documents::insert(conn, &document)?;
            Ok(document)
        })
        .await;
    let document = match saved {
        Ok(d) => d,
        Err(e) => {
            // Unrecorded contents are unreachable: take them back out rather than leave them.
            if let Err(cleanup) = state
                .documents(move |store| store.delete(&storage_key))
                .await
            {
                tracing::warn!(error = %cleanup, "an unrecorded document's contents stay on disk");
            }
            return Err(e);
        }
    };
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/documents/{}", document.id)))
        .json(DocumentView::new(document)?))
}

/// The documents on a case that the caller may read, oldest first: all of them for org
/// admins and coordinators, the court order and exported reports for supervisors.
#[utoipa::path(
    tag = "documents",
    params(ReferralId, PageParams),
    responses(
        (status = 200, description = "A page of the case's documents, oldest first.", body = DocumentList),
        (status = 400, response = error::BadRequest),
        (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden),
        (status = 404, response = error::NotFound),
    )
)]
#[get("/referrals/{id}/documents")]
pub async fn list_documents(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
    page: ValidQuery<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let (limit, after) = (page.0.limit(), page.0.after()?);
    let page = state
        .read(move |conn| {
            let case = cases::load(conn, &id, &principal, false)?;
            let viewer = case.relation.viewer;
            rules::may_list(viewer).require("referral")?;
            let kinds: Vec<&str> = rules::readable_kinds(viewer)
                .into_iter()
                .map(DocumentKind::as_str)
                .collect();
            Ok(documents::list_for_referral(
                conn,
                &case.referral.id,
                &kinds,
                after.as_deref(),
                limit,
            )?)
        })
        .await?;
    let next_cursor = next_cursor(&page, |d| &d.id);
    Ok(HttpResponse::Ok().json(DocumentList {
        items: page
            .items
            .into_iter()
            .map(DocumentView::new)
            .collect::<Result<_, _>>()?,
        next_cursor,
    }))
}

/// A document's description (not its contents).
#[utoipa::path(
    tag = "documents",
    params(DocumentId),
    responses(
        (status = 200, description = "The document.", body = DocumentView),
        (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden),
        (status = 404, response = error::NotFound),
    )
)]
#[get("/documents/{id}")]
pub async fn get_document(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<DocumentId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let document = state
        .read(move |conn| readable(conn, &id, &principal))
        .await?;
    Ok(HttpResponse::Ok().json(DocumentView::new(document)?))
}

/// Download a document: its bytes as uploaded, with the type it was filed as.
#[utoipa::path(
    tag = "documents",
    params(DocumentId),
    responses(
        (status = 200, description = "The file, offered as an attachment under its filename.",
            content(
                (inline(FileBytes) = "application/pdf"),
                (inline(FileBytes) = "image/jpeg"),
                (inline(FileBytes) = "image/png"),
                (inline(FileBytes) = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            ),
            headers(
                ("Content-Disposition" = String, description = "`attachment` with the document's filename"),
                ("X-Content-Type-Options" = String, description = "`nosniff`: the file is only ever its declared type"),
            )),
        (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden),
        (status = 404, response = error::NotFound),
    )
)]
#[get("/documents/{id}/content")]
pub async fn document_content(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<DocumentId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    // Put on the audit trail before the contents are fetched: if the trail cannot be written,
    // nothing is served.
    let document = state
        .read(move |conn| {
            let document = readable(conn, &id, &principal)?;
            crate::audit::read(
                "document",
                &document.id,
                Some(&document.referral_id),
                &["content"],
            );
            Ok(document)
        })
        .await?;
    let key = document.storage_key.clone();
    let bytes = state.documents(move |store| store.get(&key)).await?;
    if hex_sha256(&bytes) != document.sha256 {
        return Err(ApiError::Internal(format!(
            "document {} does not match its SHA-256: its contents are damaged",
            document.id
        )));
    }
    Ok(HttpResponse::Ok()
        .content_type(document.content_type.as_str())
        .insert_header(attachment(&document.filename))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(bytes))
}

/// `Content-Disposition: attachment` naming the file: an ASCII `filename` every client reads,
/// and the exact name as `filename*` when it has other letters (ŵ, é).
fn attachment(filename: &str) -> ContentDisposition {
    let ascii: String = filename
        .chars()
        .map(|c| if c.is_ascii() { c } else { '_' })
        .collect();
    let mut parameters = vec![DispositionParam::Filename(ascii)];
    if !filename.is_ascii() {
        parameters.push(DispositionParam::FilenameExt(ExtendedValue {
            charset: Charset::Ext("UTF-8".into()),
            language_tag: None,
            value: filename.as_bytes().to_vec(),
        }));
    }
    ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_case_s_document_list_takes_a_document_sized_body() {
        assert!(is_upload("POST", "/v1/referrals/abc/documents"));
        assert!(!is_upload("GET", "/v1/referrals/abc/documents"));
        assert!(!is_upload("POST", "/v1/referrals//documents"));
        assert!(!is_upload("POST", "/v1/referrals/a/b/documents"));
        assert!(!is_upload("POST", "/v1/referrals/abc/documentsx"));
        assert!(!is_upload("POST", "/v1/referrals"));
    }

    #[test]
    fn a_download_is_named_for_every_client() {
        assert_eq!(
            attachment("order.pdf").to_string(),
            "attachment; filename=\"order.pdf\""
        );
        let welsh = attachment("Gorchymyn ŵ.pdf").to_string();
        assert!(
            welsh.starts_with(
                "attachment; filename=\"Gorchymyn _.pdf\"; filename*=UTF-8''Gorchymyn%20%C5%B5.pdf"
            ),
            "{welsh}"
        );
    }
}
