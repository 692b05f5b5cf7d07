//! User accounts. An org admin manages its own provider's accounts; a platform admin any.

use actix_web::{get, patch, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::error::ProblemType;
use crate::error::{self, ApiError, OrNotFound, Require};
use crate::extract::{Principal, ValidJson, ValidQuery};
use crate::http::{
    created, list_response, next_cursor, ok_tagged, utc, IfMatch, Instant, PageParams,
};
use crate::state::AppState;
use ccm_domain::access::{own_account_change, role_needs_provider, UserListScope};
use ccm_domain::Role;
use ccm_persistence::users::{self, User, UserChanges, UserFilter};
use ccm_persistence::{clients, new_id, now, providers, tokens, StoreError};

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
    let mut filter = UserFilter {
        provider_id: query.0.provider,
        role: query.0.role,
    };
    match principal.actor().user_list_scope() {
        UserListScope::All => {}
        UserListScope::Provider(own) => {
            if filter.provider_id.as_deref().is_some_and(|p| p != own) {
                return Ok(HttpResponse::Ok().json(UserList {
                    items: vec![],
                    next_cursor: None,
                }));
            }
            filter.provider_id = Some(own.to_string());
        }
        UserListScope::None => return Err(ApiError::forbidden("only admins list accounts")),
    }
    let page = state
        .read(move |conn| Ok(users::list(conn, &filter, after.as_deref(), limit)?))
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
    let provider_id = match (new.provider_id, new.role) {
        (Some(_), Role::PlatformAdmin) => {
            return Err(ApiError::invalid(
                "provider_id",
                "forbidden",
                "a platform admin belongs to no provider",
            ))
        }
        (None, role) if role_needs_provider(role) => match &principal.provider_id {
            Some(own) => Some(own.clone()),
            None => {
                return Err(ApiError::invalid(
                    "provider_id",
                    "required",
                    "is required for this role",
                ))
            }
        },
        (given, _) => given,
    };
    principal
        .actor()
        .manage_user(provider_id.as_deref(), new.role)
        .require("provider")?;
    let password_hash = state.hash_password(new.password).await?;
    let at = now();
    let user = User {
        id: new_id(),
        email: new.email.trim().to_lowercase(),
        display_name: new.display_name.trim().to_string(),
        password_hash,
        role: new.role.as_str().to_string(),
        provider_id,
        active: true,
        version: 1,
        last_login_at: None,
        created_at: at,
        updated_at: at,
    };
    crate::audit::subject("user", &user.id);
    let user = state
        .write(move |conn| {
            if let Some(p) = &user.provider_id {
                match providers::find(conn, p) {
                    Err(StoreError::NotFound) => {
                        return Err(ApiError::invalid(
                            "provider_id",
                            "not_found",
                            "no such provider",
                        ))
                    }
                    other => other?,
                };
            }
            // Only the provider's own accounts count: an address with an account elsewhere gets
            // a new, separate account here, so this answer says nothing about other providers.
            let provider = user.provider_id.as_deref();
            if users::find_by_email_at(conn, provider, &user.email)?.is_some() {
                return Err(ApiError::conflict(
                    ProblemType::DuplicateEmail,
                    "an account with this e-mail address already exists at this provider",
                ));
            }
            users::insert(conn, &user)?;
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
    params(("id" = String, Path, description = "User id")),
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
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    if id != principal.user_id {
        principal.actor().manages_users().require("user")?;
    }
    let user = state
        .read(move |conn| users::find(conn, &id).or_not_found("user"))
        .await?;
    if user.id != principal.user_id {
        principal
            .actor()
            .manage_user(user.provider_id.as_deref(), user.role()?)
            .require("user")?;
    }
    Ok(ok_tagged(&UserView::from_row(&user)?, user.version))
}

/// Change an account's name, role, password or active flag. Send `If-Match` with the ETag to
/// refuse the change if someone else changed the account first. An API client's own account
/// is managed as the client (409).
#[utoipa::path(
    tag = "users",
    params(("id" = String, Path, description = "User id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
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
    id: web::Path<String>,
    body: ValidJson<UserPatch>,
) -> Result<HttpResponse, ApiError> {
    let patch = body.0;
    let password_hash = match patch.password.clone() {
        Some(p) => Some(state.hash_password(p).await?),
        None => None,
    };
    let id = id.into_inner();
    let user = state
        .write(move |conn| {
            let actor = principal.actor();
            actor.manages_users().require("user")?;
            let user = users::find_locked(conn, &id).or_not_found("user")?;
            actor.manage_user(user.provider_id.as_deref(), user.role()?).require("user")?;
            // A partner client's account is managed as the client: a role or a password given
            // to it would outlive the client's scopes and its revocation.
            if clients::for_user(conn, &user.id)?.is_some() {
                return Err(ApiError::conflict(
                    ProblemType::ApiClientAccount,
                    "this account belongs to an API client; manage it at /v1/api-clients",
                ));
            }
            if let Some(role) = patch.role {
                actor.manage_user(user.provider_id.as_deref(), role).require("user")?;
                if role_needs_provider(role) != role_needs_provider(user.role()?) {
                    return Err(ApiError::invalid(
                        "role",
                        "provider_mismatch",
                        "a platform admin belongs to no provider; other roles to one: create a new account instead",
                    ));
                }
            }
            if user.id == principal.user_id {
                own_account_change(
                    patch.role.is_some_and(|r| r.as_str() != user.role),
                    patch.active == Some(false),
                )
                .map_err(|why| ApiError::rule(ProblemType::OwnAccount, why))?;
            }
            let changes = UserChanges {
                display_name: patch.display_name.map(|n| n.trim().to_string()),
                role: patch.role.map(|r| r.as_str().to_string()),
                active: patch.active,
                password_hash,
            };
            // Preconditions last: a request that is wrong anyway gets that answer first.
            if_match.check(user.version)?;
            let at = now();
            let updated = users::update(conn, &user.id, &changes, at)?;
            if patch.active == Some(false) || changes.password_hash.is_some() {
                tokens::revoke_user(conn, &user.id, at)?;
            }
            Ok(updated)
        })
        .await?;
    Ok(ok_tagged(&UserView::from_row(&user)?, user.version))
}
