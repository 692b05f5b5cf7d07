//! A workflow's refusal as an HTTP problem: each [`AppError`] keeps its problem type, fields and
//! extension members.

use super::{ApiError, FieldError};
use ccm_app::AppError;

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Forbidden(detail) => ApiError::Forbidden(detail),
            AppError::NotFound(detail) => ApiError::NotFound(detail),
            AppError::Conflict { code, detail } => ApiError::Conflict { code, detail },
            AppError::Transition {
                detail,
                current_status,
                allowed_actions,
            } => ApiError::Transition {
                detail,
                current_status,
                allowed_actions,
            },
            AppError::Clash { detail, session_id } => ApiError::Clash { detail, session_id },
            AppError::FeeUnpaid { detail, charge_id } => ApiError::FeeUnpaid { detail, charge_id },
            AppError::Unprocessable {
                code,
                detail,
                errors,
            } => ApiError::Unprocessable {
                code,
                detail,
                errors: errors
                    .into_iter()
                    .map(|f| FieldError::new(f.field, f.code, f.message))
                    .collect(),
            },
            AppError::PreconditionFailed(detail) => ApiError::PreconditionFailed(detail),
            AppError::Store(e) => ApiError::from(e),
        }
    }
}
