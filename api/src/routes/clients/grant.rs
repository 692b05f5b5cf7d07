//! The OAuth2 client-credentials grant: a client's id and secret for an access token.

use actix_web::http::header;
use actix_web::HttpRequest;
use base64::Engine;
use ccm_domain::Role;
use ccm_persistence::{clients, now, users, StoreError};

use crate::error::ApiError;
use crate::routes::auth::TokenResponse;
use crate::security::token_hash;
use crate::state::AppState;

const WRONG: &str = "the client id or secret is wrong";

/// An access token for the client, carrying its scopes. No refresh token: a client asks
/// again with its secret. 401 for a wrong id or secret, a revoked client or a replaced secret.
pub async fn grant(
    state: &AppState,
    client_id: String,
    secret: String,
) -> Result<TokenResponse, ApiError> {
    let presented = token_hash(&secret);
    let client = state
        .read(move |conn| match clients::find(conn, &client_id) {
            Err(StoreError::NotFound) => Ok(None),
            other => Ok(Some(other?)),
        })
        .await?;
    // Both hashes are SHA-256 of 32 random bytes: comparing them leaks nothing useful.
    let client = match client {
        Some(c) if c.secret_hash == presented => c,
        _ => return Err(ApiError::Unauthorized(WRONG.into())),
    };
    if client.revoked_at.is_some() {
        return Err(ApiError::Unauthorized(
            "this API client's access has been revoked".into(),
        ));
    }
    crate::audit::signed_in(&client.user_id, Role::Referrer, Some(&client.provider_id));
    let user_id = client.user_id.clone();
    state
        .write(move |conn| Ok(users::record_login(conn, &user_id, now())?))
        .await?;
    let access_token =
        state
            .keys
            .issue_for_client(&client.user_id, &client.provider_id, &client.id)?;
    tracing::info!(client_id = %client.id, "API client signed in");
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: state.keys.ttl().as_secs(),
        refresh_token: None,
        refresh_expires_in: None,
        user_id: client.user_id,
        role: Role::Referrer,
        scope: Some(client.scopes),
    })
}

/// A client's id and secret sent as HTTP Basic credentials (RFC 6749 2.3.1: each
/// form-urlencoded, then joined by a colon and base64-encoded), if the request has them.
pub fn basic_credentials(req: &HttpRequest) -> Result<Option<(String, String)>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let bad = || ApiError::Unauthorized("the Basic credentials are not readable".into());
    let value = value.to_str().map_err(|_| bad())?;
    let Some((scheme, encoded)) = value.split_once(' ') else {
        return Ok(None);
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Ok(None);
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| bad())?;
    let text = String::from_utf8(decoded).map_err(|_| bad())?;
    let (id, secret) = text.split_once(':').ok_or_else(bad)?;
    let unescape = |s: &str| -> String {
        form_urlencoded::parse(format!("v={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Ok(Some((unescape(id), unescape(secret))))
}
