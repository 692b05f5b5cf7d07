//! Partner API clients: a provider's org admins register them (name, kind of organisation,
//! scopes), rotate their secrets and revoke them. A secret is shown once, when it is made.

mod grant;

pub use grant::basic_credentials;

use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::http::{created, ok_tagged, utc, Instant};
use crate::ids::ClientId;
use crate::security::new_secret;
use crate::state::AppState;
use ccm_app::clients::{self, Client, Secret};
use ccm_domain::clients::{parse_scopes, Scope};
use ccm_domain::ReferrerKind;

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
    let actor = principal.caller();
    let rows = state
        .read(move |conn| Ok(clients::list(conn, &actor)?))
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
    let cmd = clients::NewClient {
        name: new.name,
        organisation_kind: new.organisation_kind,
        scopes: new.scopes,
    };
    let (secret, hash) = new_secret("ccmc_")?;
    let prepared = clients::prepare(&principal.caller(), cmd, hint(&secret, hash))?;
    crate::audit::subject("api_client", &prepared.1.id);
    let client = state
        .write(move |conn| Ok(clients::create(conn, prepared)?))
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
    params(ClientId),
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
    id: web::Path<ClientId>,
) -> Result<HttpResponse, ApiError> {
    let actor = principal.caller();
    let client = state
        .read(move |conn| {
            let client = clients::get(conn, &actor, &id, false)?;
            crate::audit::subject("api_client", &client.id);
            Ok(client)
        })
        .await?;
    Ok(ok_tagged(&ClientView::from_row(&client)?, client.version))
}

/// Give the client a new secret. The old one stops working at once (tokens already issued
/// run to their expiry); the new one is in the answer, once.
#[utoipa::path(
    tag = "api-clients",
    params(ClientId),
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
    id: web::Path<ClientId>,
) -> Result<HttpResponse, ApiError> {
    let (secret, hash) = new_secret("ccmc_")?;
    let (actor, new) = (principal.caller(), hint(&secret, hash));
    let client = state
        .write(move |conn| {
            let client = clients::rotate_secret(conn, &actor, &id, new)?;
            crate::audit::subject("api_client", &client.id);
            Ok(client)
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
    params(ClientId),
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
    id: web::Path<ClientId>,
) -> Result<HttpResponse, ApiError> {
    let actor = principal.caller();
    let client = state
        .write(move |conn| {
            let client = clients::revoke(conn, &actor, &id)?;
            crate::audit::subject("api_client", &client.id);
            Ok(client)
        })
        .await?;
    Ok(ok_tagged(&ClientView::from_row(&client)?, client.version))
}

/// The caller's provider, if the caller may manage its API clients (its org admins).
/// The secret as stored: its hash, and its first characters to recognise it by.
fn hint(secret: &str, hash: String) -> Secret {
    Secret {
        hash,
        hint: secret.chars().take(9).collect(),
    }
}
