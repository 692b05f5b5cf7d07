//! The one place errors become HTTP: every failure is an [`ApiError`], rendered as RFC 9457
//! problem details (`application/problem+json`). The request-id middleware adds `instance` and
//! `request_id` to whatever is rendered here.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::{Deserialize, Serialize};
use utoipa::{ToResponse, ToSchema};

use ccm_domain::access::Access;
use ccm_persistence::db::ConnectionFault;
use ccm_persistence::StoreError;

pub use ccm_app::ProblemType;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem detail (RFC 9457).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:ccm:problem:validation",
    "title": "Unprocessable Entity",
    "status": 422,
    "detail": "The request has invalid fields.",
    "instance": "/v1/centres",
    "request_id": "01937c1e-5f2a-7cc0-9d3e-2b1f0c4a8e11",
    "errors": [{"field": "address.town", "code": "length", "message": "must be 1 to 100 characters"}]
}))]
pub struct Problem {
    /// A URN naming the kind of problem, stable for clients to match on.
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    /// What went wrong, for a person.
    pub detail: String,
    /// The request path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The request id (also in the `X-Request-Id` header): quote it when reporting a problem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// One entry per invalid field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For a transition refused by a case's lifecycle: the case's status now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_status: Option<String>,
    /// For a transition refused by a case's lifecycle: the actions its status allows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_actions: Option<Vec<String>>,
    /// For a booking refused as a double booking: the session already holding the room or
    /// supervisor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clashing_session_id: Option<String>,
    /// For a step refused until a fee is paid (an indirect item is sent only once its fee is
    /// paid): the charge to pay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charge_id: Option<String>,
    /// For a sign-in whose e-mail address and password match accounts at several providers:
    /// those providers, one of which to name in `provider_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub providers: Option<Vec<ProviderChoice>>,
}

/// A provider at which the signing-in caller's e-mail address and password open an account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ProviderChoice {
    /// The value to send as `provider_id`; null for the platform admin account, chosen with an
    /// empty `provider_id`.
    pub id: Option<String>,
    /// The provider's name; null for the platform admin account.
    pub name: Option<String>,
}

/// One invalid field of a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldError {
    /// The field's path in the request, e.g. `fees.referral_fee` or `limit`.
    pub field: String,
    /// A machine-readable reason, e.g. `required`, `range`, `invalid_type`.
    pub code: String,
    pub message: String,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> FieldError {
        FieldError {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Malformed JSON, query string or path.
    #[error("{detail}")]
    BadRequest {
        detail: String,
        errors: Vec<FieldError>,
    },
    /// The sign-in matches accounts at several providers: `provider_id` must name one (400,
    /// as OAuth2's `invalid_request`).
    #[error("{detail}")]
    ChooseProvider {
        detail: String,
        providers: Vec<ProviderChoice>,
    },
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{method} is not allowed here; allowed: {}", .allow.join(", "))]
    MethodNotAllowed { method: String, allow: Vec<String> },
    /// The request clashes with the current state: a duplicate, a transition not allowed.
    #[error("{detail}")]
    Conflict { code: ProblemType, detail: String },
    /// A case's lifecycle has no such transition from its current status.
    #[error("{detail}")]
    Transition {
        detail: String,
        current_status: String,
        allowed_actions: Vec<String>,
    },
    /// A booking would double-book a room or a supervisor.
    #[error("{detail}")]
    Clash { detail: String, session_id: String },
    /// A step waits for a fee: the charge is named so it can be paid.
    #[error("{detail}")]
    FeeUnpaid { detail: String, charge_id: String },
    #[error("{0}")]
    PreconditionFailed(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// Well-formed but semantically invalid input.
    #[error("{detail}")]
    Unprocessable {
        code: ProblemType,
        detail: String,
        errors: Vec<FieldError>,
    },
    #[error("{detail}")]
    TooManyRequests {
        detail: String,
        retry_after_secs: u64,
    },
    #[error("{0}")]
    Unavailable(String),
    /// A fault of ours; the detail is logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn not_found(what: &str) -> ApiError {
        ApiError::NotFound(format!("{what} not found"))
    }

    pub fn forbidden(detail: impl Into<String>) -> ApiError {
        ApiError::Forbidden(detail.into())
    }

    pub fn conflict(code: ProblemType, detail: impl Into<String>) -> ApiError {
        debug_assert_eq!(code.status(), 409, "{code:?} is not a conflict");
        ApiError::Conflict {
            code,
            detail: detail.into(),
        }
    }

    /// A 422 naming one field.
    pub fn invalid(field: &str, code: &str, message: impl Into<String>) -> ApiError {
        let message = message.into();
        ApiError::Unprocessable {
            code: ProblemType::Validation,
            detail: format!("{field}: {message}"),
            errors: vec![FieldError::new(field, code, message)],
        }
    }

    /// A 422 for a rule broken by well-formed input, with its own problem type.
    pub fn rule(code: ProblemType, detail: impl Into<String>) -> ApiError {
        debug_assert_eq!(code.status(), 422, "{code:?} is not a broken rule");
        ApiError::Unprocessable {
            code,
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    pub fn validation(errors: Vec<FieldError>) -> ApiError {
        let detail = match errors.as_slice() {
            [one] => format!("{}: {}", one.field, one.message),
            _ => "The request has invalid fields.".to_string(),
        };
        ApiError::Unprocessable {
            code: ProblemType::Validation,
            detail,
            errors,
        }
    }

    pub fn bad_query(field: &str, message: impl Into<String>) -> ApiError {
        let message = message.into();
        ApiError::BadRequest {
            detail: format!("query parameter {field}: {message}"),
            errors: vec![FieldError::new(field, "invalid", message)],
        }
    }

    /// The problem type, one of a closed list clients can switch on.
    fn code(&self) -> ProblemType {
        match self {
            ApiError::BadRequest { .. } => ProblemType::BadRequest,
            ApiError::ChooseProvider { .. } => ProblemType::InvalidRequest,
            ApiError::Unauthorized(_) => ProblemType::Unauthorized,
            ApiError::Forbidden(_) => ProblemType::Forbidden,
            ApiError::NotFound(_) => ProblemType::NotFound,
            ApiError::MethodNotAllowed { .. } => ProblemType::MethodNotAllowed,
            ApiError::Conflict { code, .. } => *code,
            ApiError::Transition { .. } => ProblemType::InvalidTransition,
            ApiError::Clash { .. } => ProblemType::BookingClash,
            ApiError::FeeUnpaid { .. } => ProblemType::FeeUnpaid,
            ApiError::PreconditionFailed(_) => ProblemType::PreconditionFailed,
            ApiError::PayloadTooLarge(_) => ProblemType::PayloadTooLarge,
            ApiError::UnsupportedMediaType(_) => ProblemType::UnsupportedMediaType,
            ApiError::Unprocessable { code, .. } => *code,
            ApiError::TooManyRequests { .. } => ProblemType::TooManyRequests,
            ApiError::Unavailable(_) => ProblemType::Unavailable,
            ApiError::Internal(_) => ProblemType::Internal,
        }
    }

    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        let detail = match self {
            ApiError::Internal(_) => {
                "Something went wrong on our side. Quote the request id if you report it."
                    .to_string()
            }
            ApiError::Unavailable(_) => {
                "The database is not available right now; try again shortly.".to_string()
            }
            other => other.to_string(),
        };
        let errors = match self {
            ApiError::BadRequest { errors, .. } | ApiError::Unprocessable { errors, .. } => {
                errors.clone()
            }
            ApiError::ChooseProvider { .. } => vec![FieldError::new(
                "provider_id",
                "required",
                "name the provider whose account to sign in to",
            )],
            _ => Vec::new(),
        };
        let (current_status, allowed_actions) = match self {
            ApiError::Transition {
                current_status,
                allowed_actions,
                ..
            } => (Some(current_status.clone()), Some(allowed_actions.clone())),
            _ => (None, None),
        };
        let clashing_session_id = match self {
            ApiError::Clash { session_id, .. } => Some(session_id.clone()),
            _ => None,
        };
        let charge_id = match self {
            ApiError::FeeUnpaid { charge_id, .. } => Some(charge_id.clone()),
            _ => None,
        };
        let providers = match self {
            ApiError::ChooseProvider { providers, .. } => Some(providers.clone()),
            _ => None,
        };
        Problem {
            problem_type: self.code().urn(),
            title: self.code().title().to_string(),
            status: status.as_u16(),
            detail,
            instance: None,
            request_id: None,
            errors,
            current_status,
            allowed_actions,
            clashing_session_id,
            charge_id,
            providers,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } | ApiError::ChooseProvider { .. } => {
                StatusCode::BAD_REQUEST
            }
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. }
            | ApiError::Transition { .. }
            | ApiError::Clash { .. }
            | ApiError::FeeUnpaid { .. } => StatusCode::CONFLICT,
            ApiError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(detail) => tracing::error!(%detail, "internal error"),
            ApiError::Unavailable(detail) => tracing::warn!(%detail, "database unavailable"),
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        match self {
            ApiError::Unauthorized(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"ccm\""));
            }
            ApiError::MethodNotAllowed { allow, .. } => {
                if let Ok(v) = HeaderValue::from_str(&allow.join(", ")) {
                    response.insert_header((header::ALLOW, v));
                }
            }
            ApiError::TooManyRequests {
                retry_after_secs, ..
            } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            ApiError::Unavailable(_) => {
                response.insert_header((header::RETRY_AFTER, "5"));
            }
            _ => {}
        }
        response.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::not_found("resource"),
            StoreError::Duplicate(constraint) => {
                // The constraint names the schema: it goes to the log, not to the caller.
                tracing::info!(%constraint, "unique constraint refused a write");
                ApiError::conflict(ProblemType::Duplicate, "this already exists")
            }
            StoreError::Unavailable(why) => ApiError::Unavailable(why),
            StoreError::Corrupt(why) => ApiError::Internal(why),
            StoreError::Query(e) => ApiError::Internal(e.to_string()),
        }
    }
}

impl ConnectionFault for ApiError {
    fn breaks_connection(&self) -> bool {
        matches!(self, ApiError::Unavailable(_))
    }
}

/// Turns a storage "not found" into a 404 that names the resource.
pub trait OrNotFound<T> {
    fn or_not_found(self, what: &str) -> Result<T, ApiError>;
}

impl<T> OrNotFound<T> for Result<T, StoreError> {
    fn or_not_found(self, what: &str) -> Result<T, ApiError> {
        self.map_err(|e| match e {
            StoreError::NotFound => ApiError::not_found(what),
            other => other.into(),
        })
    }
}

/// Turns an access decision into a result: 403 when forbidden, 404 when the thing belongs to
/// another organisation (its existence is not revealed).
pub trait Require {
    fn require(self, what: &str) -> Result<(), ApiError>;
}

impl Require for Access {
    fn require(self, what: &str) -> Result<(), ApiError> {
        match self {
            Access::Allowed => Ok(()),
            Access::Forbidden => Err(ApiError::forbidden(format!(
                "your role may not do this to a {what}"
            ))),
            Access::Hidden => Err(ApiError::not_found(what)),
        }
    }
}

macro_rules! problem_response {
    ($name:ident, $description:literal) => {
        #[doc = $description]
        #[derive(ToResponse)]
        #[response(description = $description, content_type = "application/problem+json")]
        #[allow(dead_code)]
        pub struct $name(Problem);
    };
}

problem_response!(BadRequest, "Malformed JSON, query string or path value.");
problem_response!(
    Unauthorized,
    "No bearer token, or it is invalid or expired."
);
problem_response!(Forbidden, "Authenticated, but this role may not do this.");
problem_response!(NotFound, "Not found, or not visible to the caller.");
problem_response!(
    Conflict,
    "Clashes with the current state (a duplicate, a transition not allowed)."
);
problem_response!(
    PreconditionFailed,
    "The If-Match ETag is stale: fetch the resource again."
);
problem_response!(
    PayloadTooLarge,
    "The request body is larger than the server accepts."
);
problem_response!(
    UnsupportedMediaType,
    "The request body is not application/json."
);
problem_response!(
    DocumentTooLarge,
    "The file is larger than the server accepts for a document (`CCM_DOCUMENT_MAX_BYTES`)."
);
problem_response!(
    DocumentTypeRefused,
    "The Content-Type is not one of the accepted document types, or the file's first bytes are not those of the type it claims."
);
problem_response!(
    Unprocessable,
    "Well-formed but invalid input; `errors` names each field."
);
/// Too many attempts; retry after the Retry-After header's seconds.
#[derive(ToResponse)]
#[response(
    description = "Too many attempts; retry after the Retry-After header's seconds.",
    content_type = "application/problem+json",
    headers(("Retry-After" = u64, description = "Whole seconds to wait before trying again."))
)]
#[allow(dead_code)]
pub struct TooManyRequests(Problem);
problem_response!(Unavailable, "The database is unavailable; retry later.");

mod from_app;
mod from_domain;
mod groups;

pub use groups::{BodyErrors, CreateErrors, UpdateErrors};

#[cfg(test)]
mod tests;
