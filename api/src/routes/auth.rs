//! Tokens: password login, refresh-token rotation and logout.

use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use time::Duration;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::error::{self, ApiError, ProviderChoice};
use crate::extract::{JsonOrForm, ValidJson};
use crate::security::{new_refresh_token, token_hash};
use crate::state::AppState;
use ccm_app::auth::{self, Candidate, NewRefresh, Refresh, User, CLIENT_ROLE};
use ccm_domain::accounts::{self, SignIn};
use ccm_domain::lockout::Attempts;
use ccm_domain::Role;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(token).service(refresh).service(logout);
}

#[derive(Deserialize, ToSchema, Clone, Copy, Default, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum GrantType {
    /// E-mail and password of a staff member, referrer or parent.
    #[default]
    Password,
    /// A partner's API client: `client_id` and `client_secret` (OAuth2 client credentials).
    ClientCredentials,
}

/// `email` and `password` for the password grant; `client_id` and `client_secret` for the
/// client-credentials grant. Sent as JSON, or as a form as OAuth2 client libraries do.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"grant_type": "password", "email": "coordinator@cl.demo.ccm", "password": "demo-password-2026"}))]
pub struct TokenRequest {
    #[serde(default)]
    pub grant_type: GrantType,
    #[validate(length(min = 3, max = 254))]
    #[schema(min_length = 3, max_length = 254)]
    pub email: Option<String>,
    #[validate(length(min = 1, max = 1024))]
    #[schema(min_length = 1, max_length = 1024)]
    pub password: Option<String>,
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub client_id: Option<String>,
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub client_secret: Option<String>,
    /// Password grant only: the provider whose account to sign in to. Accounts belong to a
    /// provider, so one address may have an account at several; it is needed only when the
    /// password opens more than one (400 listing them without it). Empty for the platform admin
    /// account.
    #[validate(length(max = 64))]
    #[schema(max_length = 64)]
    pub provider_id: Option<String>,
    /// Ignored beyond validation: a client always receives the scopes it was granted.
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    pub scope: Option<String>,
}

impl TokenRequest {
    /// The two fields a grant needs, or 422 naming the first one missing.
    fn pair(&self) -> Result<(String, String), ApiError> {
        let (a, b, names) = match self.grant_type {
            GrantType::Password => (&self.email, &self.password, ["email", "password"]),
            GrantType::ClientCredentials => (
                &self.client_id,
                &self.client_secret,
                ["client_id", "client_secret"],
            ),
        };
        match (a, b) {
            (Some(a), Some(b)) => Ok((a.clone(), b.clone())),
            (None, _) => Err(ApiError::invalid(
                names[0],
                "required",
                "this grant needs it",
            )),
            (_, None) => Err(ApiError::invalid(
                names[1],
                "required",
                "this grant needs it",
            )),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// A short-lived JWT for `Authorization: Bearer`.
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: u64,
    /// Exchange at `POST /v1/auth/refresh` for a new pair; each refresh token works once.
    /// Not issued to API clients, which ask for a new token with their secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Seconds until the refresh token expires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_expires_in: Option<u64>,
    pub user_id: String,
    pub role: Role,
    /// An API client's granted scopes, space-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "referrals:write referrals:read reports:read")]
    pub scope: Option<String>,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub refresh_token: String,
}

const WRONG_CREDENTIALS: &str = "the e-mail address or password is wrong";

/// Log in with e-mail and password, or as an API client with its id and secret.
///
/// The password grant answers an access token and a refresh token. The client-credentials
/// grant (`grant_type=client_credentials`, JSON or an OAuth2 form, the client's id and secret
/// in the body or as HTTP Basic credentials) answers an access token only, carrying the
/// client's scopes; a revoked client or a rotated secret is refused (401).
/// Accounts belong to a provider, so one address may have an account at several, each with its
/// own password. The password picks the account; when it opens accounts at more than one
/// provider, the answer is 400 (`urn:ccm:problem:invalid-request`, OAuth2's `invalid_request`)
/// naming `provider_id` and listing those providers in `providers`: send the request again
/// with the chosen one's id in `provider_id`, which then limits the sign-in to that provider.
/// Five wrong passwords in a row for one address lock it for 15 minutes (429 with
/// `Retry-After`), whether or not an account exists for it. Each client IP address may also
/// call the auth endpoints only so often (`CCM_AUTH_RATE_PER_MINUTE`, 30 a minute by default):
/// over that, 429 with `Retry-After` in seconds, and the request is not processed.
#[utoipa::path(
    tag = "auth",
    request_body(content(
        (TokenRequest = "application/json"),
        (TokenRequest = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "Logged in.", body = TokenResponse),
        (status = 400, response = error::BadRequest),
        (status = 401, response = error::Unauthorized),
        (status = 415, response = error::UnsupportedMediaType),
        (status = 422, response = error::Unprocessable),
        (status = 429, response = error::TooManyRequests),
    )
)]
#[post("/auth/token")]
pub async fn token(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: JsonOrForm<TokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut request = body.0;
    if request.grant_type == GrantType::ClientCredentials && request.client_id.is_none() {
        if let Some((id, secret)) = super::clients::basic_credentials(&req)? {
            request.client_id = Some(id);
            request.client_secret = Some(secret);
        }
    }
    let (first, secret) = request.pair()?;
    if request.grant_type == GrantType::ClientCredentials {
        let issued = client_grant(&state, first, secret).await?;
        return Ok(HttpResponse::Ok().json(issued));
    }
    password_grant(&state, first, secret, request.provider_id).await
}

/// The password grant: the active accounts with the address (at the provider named, if one
/// is) whose password matches. One: its tokens. Several: 400 listing their providers.
async fn password_grant(
    state: &AppState,
    email: String,
    password: String,
    provider_id: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let email = email.trim().to_lowercase();
    let (counted, mut candidates) = reserve_attempt(state, &email, true).await?;
    candidates
        .retain(|(u, _)| accounts::is_named(provider_id.as_deref(), u.provider_id.as_deref()));
    let matching = matching_accounts(state, candidates, password).await?;
    let (user, _) = match accounts::choose(matching) {
        SignIn::Account(account) => account,
        SignIn::Refused => return Err(refused(counted)),
        SignIn::ChooseProvider(several) => return Err(choose_provider(state, email, several).await),
    };
    let role = user.role()?;
    let (refresh_token, hash) = new_refresh_token()?;
    let first = NewRefresh {
        hash,
        ttl: state.config.refresh_token_ttl,
    };
    let user_id = user.id.clone();
    crate::audit::signed_in(&user.id, role, user.provider_id.as_deref());
    state
        .write(move |conn| Ok(auth::signed_in(conn, &email, &user_id, &first)?))
        .await?;
    let access_token = state
        .keys
        .issue(&user.id, role, user.provider_id.as_deref())?;
    tracing::info!(user_id = %user.id, %role, "logged in");
    Ok(HttpResponse::Ok().json(token_response(
        state,
        access_token,
        refresh_token,
        user.id,
        role,
    )))
}

/// The answer when the password opens accounts at several providers: 400 naming
/// `provider_id` and listing them. The password is proven, so the attempt does not count as a
/// wrong one.
async fn choose_provider(state: &AppState, email: String, several: Vec<Candidate>) -> ApiError {
    if let Err(e) = state
        .write(move |conn| Ok(auth::forget_failures(conn, &email)?))
        .await
    {
        return e;
    }
    ApiError::ChooseProvider {
        detail: "this e-mail address and password open accounts at several providers: \
                 name one in provider_id"
            .into(),
        providers: several
            .into_iter()
            .map(|(u, name)| ProviderChoice {
                id: u.provider_id,
                name,
            })
            .collect(),
    }
}

/// The candidates whose password is `password`. With no candidate it still spends one
/// verification's time, so an unknown address takes as long to refuse as a wrong password.
async fn matching_accounts<T>(
    state: &AppState,
    candidates: Vec<(User, T)>,
    password: String,
) -> Result<Vec<(User, T)>, ApiError> {
    if candidates.is_empty() {
        state.verify_password(None, password).await?;
        return Ok(Vec::new());
    }
    let mut matching = Vec::new();
    for (user, extra) in candidates {
        let hash = Some(user.password_hash.clone());
        if state.verify_password(hash, password.clone()).await? {
            matching.push((user, extra));
        }
    }
    Ok(matching)
}

/// Counts a password attempt for `email` before the password is checked, in one transaction
/// with the lock check, so that parallel guesses cannot all slip past the check: however many
/// arrive at once, at most the policy's number of passwords is checked per lock period. A
/// successful attempt then clears the count. Reads the address's active accounts in the same
/// transaction if `lookup`. Answers 429 while the address is locked.
pub(crate) async fn reserve_attempt(
    state: &AppState,
    email: &str,
    lookup: bool,
) -> Result<(Attempts, Vec<Candidate>), ApiError> {
    let policy = state.config.lockout;
    let email = email.to_string();
    let reserved = state
        .write(
            move |conn| match auth::reserve_attempt(conn, &email, policy)? {
                Ok(counted) if lookup => Ok(Ok((counted, auth::candidates(conn, &email)?))),
                Ok(counted) => Ok(Ok((counted, Vec::new()))),
                Err(wait) => Ok(Err(wait)),
            },
        )
        .await?;
    reserved.map_err(locked)
}

/// The answer to a wrong password: 429 if this attempt used up the address's allowance.
pub(crate) fn refused(counted: Attempts) -> ApiError {
    match counted.locked_for(time::OffsetDateTime::now_utc()) {
        Some(wait) => locked(wait),
        None => ApiError::Unauthorized(WRONG_CREDENTIALS.into()),
    }
}

/// Exchange a refresh token for a new access token and a new refresh token.
///
/// Each refresh token works once. Presenting one that was already used revokes every token of
/// that login, since only a copy (a stolen token) could be presented twice. Limited per client
/// IP address with the other auth endpoints (429 with `Retry-After`).
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new token pair.", body = TokenResponse),
        (status = 400, response = error::BadRequest),
        (status = 401, response = error::Unauthorized),
        (status = 415, response = error::UnsupportedMediaType),
        (status = 422, response = error::Unprocessable),
        (status = 429, response = error::TooManyRequests),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    body: ValidJson<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let hash = token_hash(&body.0.refresh_token);
    let (new_token, new_hash) = new_refresh_token()?;
    let new = NewRefresh {
        hash: new_hash,
        ttl: state.config.refresh_token_ttl,
    };
    let outcome = state
        .write(move |conn| {
            let outcome = auth::refresh(conn, &hash, &new)?;
            if let Refresh::Issued(user) = &outcome {
                crate::audit::signed_in(&user.id, user.role()?, user.provider_id.as_deref());
            }
            Ok(outcome)
        })
        .await?;
    let user = match outcome {
        Refresh::Issued(user) => user,
        Refresh::Refused(why) => return Err(ApiError::Unauthorized(why.into())),
    };
    let role = user.role()?;
    let access_token = state
        .keys
        .issue(&user.id, role, user.provider_id.as_deref())?;
    Ok(HttpResponse::Ok().json(token_response(
        &state,
        access_token,
        new_token,
        user.id,
        role,
    )))
}

/// Log out: revoke the refresh token and every token of the same login. Always 204, so the
/// answer reveals nothing about the token. Limited per client IP address with the other auth
/// endpoints (429 with `Retry-After`).
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "Logged out."),
        error::BodyErrors,
        (status = 429, response = error::TooManyRequests),
    )
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    body: ValidJson<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let hash = token_hash(&body.0.refresh_token);
    state
        .write(move |conn| Ok(auth::logout(conn, &hash)?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

fn locked(wait: Duration) -> ApiError {
    ApiError::TooManyRequests {
        detail: "too many failed logins for this address; try again later".into(),
        retry_after_secs: u64::try_from(wait.whole_seconds().max(1)).unwrap_or(1),
    }
}

/// An access token for an API client, carrying its scopes. No refresh token: a client asks
/// again with its secret. 401 for a wrong id or secret, a revoked client or a replaced secret.
async fn client_grant(
    state: &AppState,
    client_id: String,
    secret: String,
) -> Result<TokenResponse, ApiError> {
    let presented = token_hash(&secret);
    let client = state
        .read(move |conn| Ok(auth::client(conn, &client_id, &presented)?))
        .await?;
    crate::audit::signed_in(&client.user_id, CLIENT_ROLE, Some(&client.provider_id));
    let user_id = client.user_id.clone();
    state
        .write(move |conn| Ok(auth::record_login(conn, &user_id)?))
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
        role: CLIENT_ROLE,
        scope: Some(client.scopes),
    })
}

fn token_response(
    state: &AppState,
    access_token: String,
    refresh_token: String,
    user_id: String,
    role: Role,
) -> TokenResponse {
    TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: state.keys.ttl().as_secs(),
        refresh_token: Some(refresh_token),
        refresh_expires_in: Some(state.config.refresh_token_ttl.as_secs()),
        user_id,
        role,
        scope: None,
    }
}
