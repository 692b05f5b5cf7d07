//! The caller's own account.

use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::routes::auth::{refused, reserve_attempt};
use crate::routes::users::UserView;
use crate::state::AppState;
use ccm_app::auth;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(me).service(change_password);
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    #[serde(flatten)]
    pub user: UserView,
    /// The name of the caller's provider; null for a platform admin.
    pub provider_name: Option<String>,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    #[validate(length(min = 1, max = 1024))]
    #[schema(min_length = 1, max_length = 1024)]
    pub current_password: String,
    /// At least 12 characters.
    #[validate(length(min = 12, max = 128))]
    #[schema(min_length = 12, max_length = 128)]
    pub new_password: String,
}

/// Who am I: the account behind the access token.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, description = "The caller's account.", body = Me),
        (status = 401, response = error::Unauthorized),
    )
)]
#[get("/me")]
pub async fn me(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let (user, provider_name) = state
        .read(move |conn| Ok(auth::me(conn, &principal.user_id)?))
        .await?;
    Ok(HttpResponse::Ok().json(Me {
        user: UserView::from_row(&user)?,
        provider_name,
    }))
}

/// Change your own password. Ends every login of the account (all its refresh tokens); access
/// tokens already issued expire on their own. Wrong current passwords count towards the same
/// lockout as logins.
#[utoipa::path(
    tag = "auth",
    request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed."),
        (status = 400, response = error::BadRequest),
        (status = 401, response = error::Unauthorized),
        (status = 415, response = error::UnsupportedMediaType),
        (status = 422, response = error::Unprocessable),
        (status = 429, response = error::TooManyRequests),
    )
)]
#[post("/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    principal: Principal,
    body: ValidJson<PasswordChange>,
) -> Result<HttpResponse, ApiError> {
    let change = body.0;
    let user_id = principal.user_id.clone();
    let user = state
        .read(move |conn| Ok(auth::own_account(conn, &user_id)?))
        .await?;
    // Guesses of the current password count against the account's address like logins do.
    let (counted, _) = reserve_attempt(&state, &user.email, false).await?;
    if !state
        .verify_password(Some(user.password_hash.clone()), change.current_password)
        .await?
    {
        return Err(match refused(counted) {
            ApiError::Unauthorized(_) => {
                ApiError::invalid("current_password", "wrong", "is not your current password")
            }
            locked => locked,
        });
    }
    let new_hash = state.hash_password(change.new_password).await?;
    state
        .write(move |conn| Ok(auth::set_password(conn, &user, new_hash)?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
