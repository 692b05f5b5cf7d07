//! Partner API clients: a provider's org admins register them (name, kind of organisation,
//! scopes), rotate their secrets and revoke them. A secret is shown once, when it is made.

mod grant;

pub use grant::{basic_credentials, grant};

use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::error::ProblemType;
use crate::error::{self, ApiError, OrNotFound, Require};
use crate::extract::{Principal, ValidJson};
use crate::http::{created, ok_tagged, utc, Instant};
use crate::security::new_secret;
use crate::state::AppState;
use ccm_domain::clients::{format_scopes, parse_scopes, Scope};
use ccm_domain::{ReferrerKind, Role};
use ccm_persistence::clients::{self, Client};
use ccm_persistence::users::{self, User};
use ccm_persistence::{new_id, now, AnyConnection};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_clients)
        .service(create_client)
        .service(get_client)
        .service(rotate_secret)
        .service(revoke_client);
}

/// A client as its provider's admins see it (never its secret).
#[derive(Serialize, ToSchema)]
pub struct ClientView {
    pub id: String,
    pub provider_id: String,
    #[schema(example = "Cafcass South East case system")]
    pub name: String,
    /// The kind of organisation it refers for; reports released to that kind of body on its
    /// referrals are the ones it reads.
    pub organisation_kind: ReferrerKind,
    pub scopes: Vec<Scope>,
    /// The secret's first characters, to tell which secret a system holds.
    #[schema(example = "ccmc_AbC1")]
    pub secret_hint: String,
    pub secret_rotated_at: Instant,
    /// Set once revoked: its tokens stop working at once.
    pub revoked_at: Option<Instant>,
    pub created_at: Instant,
    pub version: i64,
}

impl ClientView {
    fn from_row(c: &Client) -> Result<ClientView, ApiError> {
        Ok(ClientView {
            id: c.id.clone(),
            provider_id: c.provider_id.clone(),
            name: c.name.clone(),
            organisation_kind: c.organisation_kind.parse().map_err(|e| {
                ApiError::Internal(format!("stored organisation kind unreadable: {e}"))
            })?,
            scopes: parse_scopes(&c.scopes),
            secret_hint: c.secret_hint.clone(),
            secret_rotated_at: utc(c.secret_rotated_at),
            revoked_at: c.revoked_at.map(utc),
            created_at: utc(c.created_at),
            version: c.version,
        })
    }
}

/// A client with its secret, answered only when the secret is made.
#[derive(Serialize, ToSchema)]
pub struct ClientWithSecret {
    pub client: ClientView,
    /// Shown this once; only its hash is kept. Exchange it with the client's id at
    /// `POST /v1/auth/token` (`grant_type=client_credentials`).
    #[schema(example = "ccmc_AbC1...")]
    pub client_secret: String,
}

crate::http::list_response!(ClientList, ClientView);

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Cafcass South East case system", "organisation_kind": "cafcass", "scopes": ["referrals:write", "referrals:read", "reports:read", "webhooks:manage"]}))]
pub struct NewClient {
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// `solicitor`, `cafcass`, `court`, `local_authority` or `other_centre` (not `self`).
    pub organisation_kind: ReferrerKind,
    #[validate(length(min = 1, max = 4))]
    #[schema(min_items = 1, max_items = 4)]
    pub scopes: Vec<Scope>,
}

/// List the provider's API clients, oldest first (org admins).
#[utoipa::path(
    tag = "api-clients",
    responses(
        (status = 200, description = "The provider's clients.", body = ClientList),
        (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden),
    )
)]
#[get("/api-clients")]
pub async fn list_clients(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let provider = own_provider(&principal)?;
    let rows = state
        .read(move |conn| Ok(clients::for_provider(conn, &provider)?))
        .await?;
    let items = rows
        .iter()
        .map(ClientView::from_row)
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(ClientList {
        items,
        next_cursor: None,
    }))
}

/// Register a partner's API client; its secret is in the answer, once.
#[utoipa::path(
    tag = "api-clients",
    request_body = NewClient,
    responses(
        (status = 201, description = "Registered.", body = ClientWithSecret,
            headers(("Location" = String, description = "The client's URL"), ("ETag" = String, description = "Version tag"))),
        error::CreateErrors,
    )
)]
#[post("/api-clients")]
pub async fn create_client(
    state: web::Data<AppState>,
    principal: Principal,
    body: ValidJson<NewClient>,
) -> Result<HttpResponse, ApiError> {
    let new = body.0;
    let provider = own_provider(&principal)?;
    if new.organisation_kind == ReferrerKind::SelfReferral {
        return Err(ApiError::invalid(
            "organisation_kind",
            "invalid",
            "an API client refers for an organisation, not for a parent themselves",
        ));
    }
    let (secret, hash) = new_secret("ccmc_")?;
    let at = now();
    let id = new_id();
    let user = User {
        id: new_id(),
        // Reserved (.invalid) so no person can hold it; the account has no usable password.
        email: format!("client-{id}@api-clients.invalid"),
        display_name: format!("{} (API client)", new.name.trim()),
        password_hash: "!".into(),
        role: Role::Referrer.as_str().into(),
        provider_id: Some(provider.clone()),
        active: true,
        version: 1,
        last_login_at: None,
        created_at: at,
        updated_at: at,
    };
    let client = Client {
        id,
        provider_id: provider,
        user_id: user.id.clone(),
        name: new.name.trim().to_string(),
        organisation_kind: new.organisation_kind.as_str().into(),
        scopes: format_scopes(&new.scopes),
        secret_hint: secret.chars().take(9).collect(),
        secret_hash: hash,
        created_by: principal.user_id.clone(),
        created_at: at,
        secret_rotated_at: at,
        revoked_at: None,
        revoked_by: None,
        version: 1,
    };
    crate::audit::subject("api_client", &client.id);
    let client = state
        .write(move |conn| {
            users::insert(conn, &user)?;
            clients::insert(conn, &client)?;
            Ok(client)
        })
        .await?;
    Ok(created(
        &format!("/v1/api-clients/{}", client.id),
        &ClientWithSecret {
            client: ClientView::from_row(&client)?,
            client_secret: secret,
        },
        client.version,
    ))
}

/// Read an API client.
#[utoipa::path(
    tag = "api-clients",
    params(("id" = String, Path, description = "Client id")),
    responses(
        (status = 200, description = "The client.", body = ClientView, headers(("ETag" = String, description = "Version tag"))),
        (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden),
        (status = 404, response = error::NotFound),
    )
)]
#[get("/api-clients/{id}")]
pub async fn get_client(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let client = state
        .read(move |conn| managed(conn, &principal, &id, false))
        .await?;
    Ok(ok_tagged(&ClientView::from_row(&client)?, client.version))
}

/// Give the client a new secret. The old one stops working at once (tokens already issued
/// run to their expiry); the new one is in the answer, once.
#[utoipa::path(
    tag = "api-clients",
    params(("id" = String, Path, description = "Client id")),
    responses(
        (status = 200, description = "The new secret.", body = ClientWithSecret),
        (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden),
        (status = 404, response = error::NotFound),
        (status = 409, response = error::Conflict),
    )
)]
#[post("/api-clients/{id}/rotate-secret")]
pub async fn rotate_secret(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (secret, hash) = new_secret("ccmc_")?;
    let hint: String = secret.chars().take(9).collect();
    let client = state
        .write(move |conn| {
            let client = managed(conn, &principal, &id, true)?;
            if client.revoked_at.is_some() {
                return Err(ApiError::conflict(
                    ProblemType::ClientRevoked,
                    "a revoked client cannot be given a new secret; register a new client",
                ));
            }
            Ok(clients::set_secret(conn, &client.id, &hash, &hint, now())?)
        })
        .await?;
    Ok(ok_tagged(
        &ClientWithSecret {
            client: ClientView::from_row(&client)?,
            client_secret: secret,
        },
        client.version,
    ))
}

/// Revoke the client: its secret and every token it holds stop working at once (401). Its
/// referrals stay with the provider. Revoking again changes nothing.
#[utoipa::path(
    tag = "api-clients",
    params(("id" = String, Path, description = "Client id")),
    responses(
        (status = 200, description = "Revoked.", body = ClientView),
        (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden),
        (status = 404, response = error::NotFound),
    )
)]
#[post("/api-clients/{id}/revoke")]
pub async fn revoke_client(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let by = principal.user_id.clone();
    let client = state
        .write(move |conn| {
            let client = managed(conn, &principal, &id, true)?;
            if client.revoked_at.is_some() {
                return Ok(client);
            }
            let at = now();
            ccm_persistence::webhooks::deactivate_client(conn, &client.id, at)?;
            Ok(clients::revoke(conn, &client.id, &by, at)?)
        })
        .await?;
    Ok(ok_tagged(&ClientView::from_row(&client)?, client.version))
}

/// The caller's provider, if the caller may manage its API clients (its org admins).
fn own_provider(principal: &Principal) -> Result<String, ApiError> {
    match (&principal.role, &principal.provider_id) {
        (Role::OrgAdmin, Some(provider)) => Ok(provider.clone()),
        _ => Err(ApiError::forbidden(
            "only a provider's org admins manage its API clients",
        )),
    }
}

/// A client the caller may manage; 404 if it is another provider's.
fn managed(
    conn: &mut AnyConnection,
    principal: &Principal,
    id: &str,
    lock: bool,
) -> Result<Client, ApiError> {
    // Asked first, so that a caller who manages no clients learns nothing of which ids exist.
    own_provider(principal)?;
    let client = if lock {
        clients::find_locked(conn, id)
    } else {
        clients::find(conn, id)
    }
    .or_not_found("API client")?;
    principal
        .actor()
        .manage_catalogue(&client.provider_id)
        .require("API client")?;
    crate::audit::subject("api_client", &client.id);
    Ok(client)
}
