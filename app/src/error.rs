//! Why a workflow refused, in terms a caller can act on. `ccm-api` renders each variant as an
//! HTTP problem (status, problem type, the fields named) in one place.

use ccm_persistence::StoreError;

use crate::ProblemType;

/// One invalid field of a command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The field's path in the request, e.g. `fees.referral_fee`.
    pub field: String,
    /// A machine-readable reason, e.g. `required`, `range`.
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
pub enum AppError {
    /// The caller is not who they claim, or no longer may sign in (401).
    #[error("{0}")]
    Unauthorized(String),
    /// The caller may not do this (403).
    #[error("{0}")]
    Forbidden(String),
    /// No such record, or none the caller may know of (404).
    #[error("{0}")]
    NotFound(String),
    /// The request clashes with the current state: a duplicate, a step not allowed now (409).
    #[error("{detail}")]
    Conflict { code: ProblemType, detail: String },
    /// The record changed since the caller read it (412).
    #[error("{0}")]
    PreconditionFailed(String),
    /// A case's or session's lifecycle has no such transition from its current status (409).
    #[error("{detail}")]
    Transition {
        detail: String,
        current_status: String,
        allowed_actions: Vec<String>,
    },
    /// A booking would double-book a room or a supervisor (409).
    #[error("{detail}")]
    Clash { detail: String, session_id: String },
    /// A step waits for a fee: the charge is named so it can be paid (409).
    #[error("{detail}")]
    FeeUnpaid { detail: String, charge_id: String },
    /// Well-formed but semantically invalid input (422).
    #[error("{detail}")]
    Unprocessable {
        code: ProblemType,
        detail: String,
        errors: Vec<FieldError>,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AppError {
    pub fn not_found(what: &str) -> AppError {
        AppError::NotFound(format!("{what} not found"))
    }

    pub fn forbidden(detail: impl Into<String>) -> AppError {
        AppError::Forbidden(detail.into())
    }

    pub fn conflict(code: ProblemType, detail: impl Into<String>) -> AppError {
        debug_assert_eq!(code.status(), 409, "{code:?} is not a conflict");
        AppError::Conflict {
            code,
            detail: detail.into(),
        }
    }

    /// A 422 naming one field.
    pub fn invalid(field: &str, code: &str, message: impl Into<String>) -> AppError {
        let message = message.into();
        AppError::Unprocessable {
            code: ProblemType::Validation,
            detail: format!("{field}: {message}"),
            errors: vec![FieldError::new(field, code, message)],
        }
    }

    /// A 422 naming every invalid field.
    pub fn validation(errors: Vec<FieldError>) -> AppError {
        let detail = match errors.as_slice() {
            [one] => format!("{}: {}", one.field, one.message),
            _ => "The request has invalid fields.".to_string(),
        };
        AppError::Unprocessable {
            code: ProblemType::Validation,
            detail,
            errors,
        }
    }

    /// A 422 for a rule broken by well-formed input, with its own problem type.
    pub fn rule(code: ProblemType, detail: impl Into<String>) -> AppError {
        debug_assert_eq!(code.status(), 422, "{code:?} is not a broken rule");
        AppError::Unprocessable {
            code,
            detail: detail.into(),
            errors: Vec::new(),
        }
    }
}

/// What a workflow reads that may not be there: `NotFound` from the store becomes a 404 naming
/// the thing.
pub trait OrNotFound<T> {
    fn or_not_found(self, what: &str) -> Result<T, AppError>;
}

impl<T> OrNotFound<T> for Result<T, StoreError> {
    fn or_not_found(self, what: &str) -> Result<T, AppError> {
        self.map_err(|e| match e {
            StoreError::NotFound => AppError::not_found(what),
            other => other.into(),
        })
    }
}

impl ccm_persistence::db::ConnectionFault for AppError {
    fn breaks_connection(&self) -> bool {
        matches!(self, AppError::Store(e) if e.breaks_connection())
    }
}

/// A step a session's lifecycle does not allow now: 409 naming what is allowed instead.
impl From<ccm_domain::schedule::lifecycle::SessionTransitionError> for AppError {
    fn from(e: ccm_domain::schedule::lifecycle::SessionTransitionError) -> Self {
        let allowed = ccm_domain::schedule::lifecycle::allowed_actions(e.from);
        let detail = if allowed.is_empty() {
            format!("{e}; nothing more can be done to it")
        } else {
            format!("{e}; allowed now: {}", allowed.join(", "))
        };
        AppError::Transition {
            detail,
            current_status: e.from.as_str().to_string(),
            allowed_actions: allowed.iter().map(|a| a.to_string()).collect(),
        }
    }
}
