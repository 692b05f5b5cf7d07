//! User accounts. An org admin manages its own provider's accounts; a platform admin any.

use actix_web::{get, patch, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson, ValidQuery};
use crate::http::{
    created, list_response, next_cursor, ok_tagged, utc, IfMatch, Instant, PageParams,
};
use crate::ids::UserId;
use crate::state::AppState;
use ccm_app::users::{self, User, UserFilter};
use ccm_domain::Role;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_users)
        .service(create_user)
        .service(get_user)
        .service(update_user);
}

/// An account as its managers see it (never the password hash).
#[derive(Serialize, ToSchema)]
pub struct UserView {
    pub id: String,
    #[schema(example = "coordinator@cl.demo.ccm")]
    pub email: String,
    #[schema(example = "Sam Coordinator")]
    pub display_name: String,
    pub role: Role,
    /// The provider the account belongs to; null for a platform admin.
    pub provider_id: Option<String>,
    pub active: bool,
    pub last_login_at: Option<Instant>,
    pub version: i64,
    pub created_at: Instant,
    pub updated_at: Instant,
}

impl UserView {
    pub fn from_row(u: &User) -> Result<UserView, ApiError> {
        Ok(UserView {
            id: u.id.clone(),
            email: u.email.clone(),
            display_name: u.display_name.clone(),
            role: u.role()?,
            provider_id: u.provider_id.clone(),
            active: u.active,
            last_login_at: u.last_login_at.map(utc),
            version: u.version,
            created_at: utc(u.created_at),
            updated_at: utc(u.updated_at),
        })
    }
}

list_response!(UserList, UserView);

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "volunteer2@cl.demo.ccm", "display_name": "Robin Volunteer", "role": "volunteer", "password": "a-long-first-password"}))]
pub struct NewUser {
    #[validate(email, length(max = 254))]
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 100)]
    pub display_name: String,
    pub role: Role,
    /// Required for every role but `platform_admin`; an org admin's own provider by default.
    #[serde(default)]
    pub provider_id: Option<String>,
    /// At least 12 characters. The user should change it at first login (`POST /v1/me/password`).
    #[validate(length(min = 12, max = 128))]
    #[schema(min_length = 12, max_length = 128)]
    pub password: String,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 100)]
    pub display_name: Option<String>,
    pub role: Option<Role>,
    /// `false` deactivates the account and ends all its logins.
    pub active: Option<bool>,
    /// Sets a new password and ends all the account's logins.
    #[validate(length(min = 12, max = 128))]
    #[schema(min_length = 12, max_length = 128)]
    pub password: Option<String>,
}

#[derive(Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Only accounts of this provider.
    pub provider: Option<String>,
    /// Only accounts with this role.
    pub role: Option<Role>,
}

/// List accounts: all for a platform admin, the own provider's for an org admin.
#[utoipa::path(
    tag = "users",
    params(UserQuery, PageParams),
    responses(
        (status = 200, description = "A page of accounts, oldest first.", body = UserList),
        (status = 400, response = error::BadRequest),
        (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden),
    )
)]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    principal: Principal,
    query: ValidQuery<UserQuery>,
    page: ValidQuery<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = (page.0.limit(), page.0.after()?);
    let filter = UserFilter {
        provider_id: query.0.provider,
        role: query.0.role,
    };
    let actor = principal.caller();
    let page = state
        .read(move |conn| Ok(users::list(conn, &actor, filter, after.as_deref(), limit)?))
        .await?;
    let items = page
        .items
        .iter()
        .map(UserView::from_row)
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(UserList {
        next_cursor: next_cursor(&page, |u| &u.id),
        items,
    }))
}

/// Create an account.
///
/// Accounts belong to a provider: an address may have an account at each provider (and one
/// among platform admins), each with its own password, role and deactivation. 409
/// `duplicate-email` when the address already has an account at the same provider; an address
/// known only elsewhere gets a new, separate account here, as an unknown one does.
#[utoipa::path(
    tag = "users",
    request_body = NewUser,
    responses(
        (status = 201, description = "Created.", body = UserView,
            headers(("Location" = String, description = "The new account's URL"), ("ETag" = String, description = "Version tag"))),
        error::CreateErrors,
    )
)]
#[post("/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    principal: Principal,
    body: ValidJson<NewUser>,
) -> Result<HttpResponse, ApiError> {
    let new = body.0;
    let cmd = users::NewUser {
        email: new.email,
        display_name: new.display_name,
        role: new.role,
        provider_id: new.provider_id,
    };
    let admitted = users::admit(&principal.caller(), cmd)?;
    let password_hash = state.hash_password(new.password).await?;
    let user = state
        .write(move |conn| {
            let user = users::create(conn, admitted, password_hash)?;
            crate::audit::subject("user", &user.id);
            Ok(user)
        })
        .await?;
    Ok(created(
        &format!("/v1/users/{}", user.id),
        &UserView::from_row(&user)?,
        user.version,
    ))
}

/// Read an account.
#[utoipa::path(
    tag = "users",
    params(UserId),
    responses(
        (status = 200, description = "The account.", body = UserView, headers(("ETag" = String, description = "Version tag"))),
        (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden),
        (status = 404, response = error::NotFound),
    )
)]
#[get("/users/{id}")]
pub async fn get_user(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<UserId>,
) -> Result<HttpResponse, ApiError> {
    let (actor, id) = (principal.caller(), id.into_inner().0);
    let user = state
        .read(move |conn| Ok(users::get(conn, &actor, &id)?))
        .await?;
    Ok(ok_tagged(&UserView::from_row(&user)?, user.version))
}

/// Change an account's name, role, password or active flag. Send `If-Match` with the ETag to
/// refuse the change if someone else changed the account first. An API client's own account
/// is managed as the client (409).
#[utoipa::path(
    tag = "users",
    params(UserId, ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = UserPatch,
    responses(
        (status = 200, description = "Updated.", body = UserView, headers(("ETag" = String, description = "Version tag"))),
        (status = 400, response = error::BadRequest),
        (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden),
        (status = 404, response = error::NotFound),
        (status = 409, response = error::Conflict),
        (status = 412, response = error::PreconditionFailed),
        (status = 415, response = error::UnsupportedMediaType),
        (status = 422, response = error::Unprocessable),
    )
)]
#[patch("/users/{id}")]
pub async fn update_user(
    if_match: IfMatch,
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<UserId>,
    body: ValidJson<UserPatch>,
) -> Result<HttpResponse, ApiError> {
    let patch = body.0;
    let password_hash = match patch.password.clone() {
        Some(p) => Some(state.hash_password(p).await?),
        None => None,
    };
    let cmd = users::UserPatch {
        display_name: patch.display_name,
        role: patch.role,
        active: patch.active,
        password_hash,
    };
    let (actor, if_match, id) = (
        principal.caller(),
        if_match.precondition(),
        id.into_inner().0,
    );
    let user = state
        .write(move |conn| Ok(users::update(conn, &actor, &id, cmd, &if_match)?))
        .await?;
    Ok(ok_tagged(&UserView::from_row(&user)?, user.version))
}
