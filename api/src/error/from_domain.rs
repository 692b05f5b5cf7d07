//! The domain's refusals as HTTP problems: an illegal step of a lifecycle is 409 naming the
//! current status and what is allowed now; a rule about who may act is 403.

use super::{ApiError, ProblemType};
use ccm_persistence::document_store::DocumentStoreError;

impl From<ccm_domain::referral::lifecycle::TransitionError> for ApiError {
    fn from(e: ccm_domain::referral::lifecycle::TransitionError) -> Self {
        let allowed: Vec<String> = e.allowed.iter().map(|a| a.to_string()).collect();
        let detail = if allowed.is_empty() {
            format!("{e}; nothing more can be done to it")
        } else {
            format!("{e}; allowed now: {}", allowed.join(", "))
        };
        ApiError::Transition {
            detail,
            current_status: e.status.to_string(),
            allowed_actions: allowed,
        }
    }
}

impl From<ccm_domain::schedule::lifecycle::SessionTransitionError> for ApiError {
    fn from(e: ccm_domain::schedule::lifecycle::SessionTransitionError) -> Self {
        let allowed = ccm_domain::schedule::lifecycle::allowed_actions(e.from);
        let detail = if allowed.is_empty() {
            format!("{e}; nothing more can be done to it")
        } else {
            format!("{e}; allowed now: {}", allowed.join(", "))
        };
        ApiError::Transition {
            detail,
            current_status: e.from.as_str().to_string(),
            allowed_actions: allowed.iter().map(|a| a.to_string()).collect(),
        }
    }
}

impl From<ccm_domain::records::report::ReportError> for ApiError {
    fn from(e: ccm_domain::records::report::ReportError) -> Self {
        use ccm_domain::records::report::{allowed_actions, ReportError};
        match e {
            ReportError::NotIndependent => ApiError::Forbidden(e.to_string()),
            ReportError::Transition { from, .. } => {
                let allowed = allowed_actions(from);
                ApiError::Transition {
                    detail: format!("{e}; allowed now: {}", allowed.join(", ")),
                    current_status: from.as_str().to_string(),
                    allowed_actions: allowed.iter().map(|a| a.to_string()).collect(),
                }
            }
        }
    }
}

impl From<ccm_domain::records::indirect::ItemError> for ApiError {
    fn from(e: ccm_domain::records::indirect::ItemError) -> Self {
        use ccm_domain::records::indirect::{allowed_actions, ItemError};
        match e {
            ItemError::Transition { from, .. } => {
                let allowed = allowed_actions(from);
                let detail = if allowed.is_empty() {
                    format!("{e}; nothing more can be done to it")
                } else {
                    format!("{e}; allowed now: {}", allowed.join(", "))
                };
                ApiError::Transition {
                    detail,
                    current_status: from.as_str().to_string(),
                    allowed_actions: allowed.iter().map(|a| a.to_string()).collect(),
                }
            }
            // The handler that sends knows the charge and names it; this is the fallback.
            ItemError::FeeUnpaid => ApiError::conflict(ProblemType::FeeUnpaid, e.to_string()),
        }
    }
}

impl From<ccm_domain::records::document::UploadError> for ApiError {
    fn from(e: ccm_domain::records::document::UploadError) -> Self {
        use ccm_domain::records::document::UploadError;
        match e {
            UploadError::Empty => ApiError::invalid("body", "empty", e.to_string()),
            UploadError::TypeNotAllowed(_) | UploadError::NotWhatItClaims(_) => {
                ApiError::UnsupportedMediaType(e.to_string())
            }
        }
    }
}

impl From<DocumentStoreError> for ApiError {
    /// Contents the store cannot keep or give back are a fault of ours (a full disk, a file
    /// gone missing), never the caller's.
    fn from(e: DocumentStoreError) -> Self {
        ApiError::Internal(e.to_string())
    }
}
