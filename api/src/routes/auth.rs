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
use ccm_domain::accounts::{self, SignIn};
use ccm_domain::lockout::Attempts;
use ccm_domain::Role;
use ccm_persistence::tokens::{self, RefreshToken, Throttle};
use ccm_persistence::{new_id, now, users, AnyConnection};

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
        let issued = super::clients::grant(&state, first, secret).await?;
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
    let lookup = email.clone();
    let (counted, mut candidates) = reserve_attempt(state, &email, move |conn| {
        Ok(users::active_by_email(conn, &lookup)?)
    })
    .await?;
    candidates
        .retain(|(u, _)| accounts::is_named(provider_id.as_deref(), u.provider_id.as_deref()));
    let matching = matching_accounts(state, candidates, password).await?;
    let (user, _) = match accounts::choose(matching) {
        SignIn::Account(account) => account,
        SignIn::Refused => return Err(refused(counted)),
        SignIn::ChooseProvider(several) => return Err(choose_provider(state, email, several).await),
    };
    let role = user.role()?;
    let refresh_ttl = state.config.refresh_token_ttl;
    let (refresh_token, refresh_hash) = new_refresh_token()?;
    let user_id = user.id.clone();
    crate::audit::signed_in(&user.id, role, user.provider_id.as_deref());
    state
        .write(move |conn| {
            tokens::clear_throttle(conn, &email)?;
            users::record_login(conn, &user_id, now())?;
            store_refresh(conn, &user_id, &new_id(), &refresh_hash, refresh_ttl)?;
            Ok(())
        })
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
async fn choose_provider(
    state: &AppState,
    email: String,
    several: Vec<(users::User, Option<String>)>,
) -> ApiError {
    if let Err(e) = state
        .write(move |conn| Ok(tokens::clear_throttle(conn, &email)?))
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
    candidates: Vec<(users::User, T)>,
    password: String,
) -> Result<Vec<(users::User, T)>, ApiError> {
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
/// successful attempt then clears the count (`tokens::clear_throttle`). Runs `also` in the same
/// transaction. Answers 429 while the address is locked.
pub(crate) async fn reserve_attempt<T, F>(
    state: &AppState,
    email: &str,
    also: F,
) -> Result<(Attempts, T), ApiError>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let policy = state.config.lockout;
    let email = email.to_string();
    let reserved = state
        .write(move |conn| {
            let at = time::OffsetDateTime::now_utc();
            let throttle = tokens::lock_throttle(conn, &email, stored(at))?;
            let attempts = Attempts {
                failures: u32::try_from(throttle.failures).unwrap_or(0),
                locked_until: throttle.locked_until.map(|t| t.assume_utc()),
            };
            if let Some(wait) = attempts.locked_for(at) {
                return Ok(Err(wait));
            }
            let counted = attempts.after_failure(at, policy);
            tokens::save_throttle(
                conn,
                &Throttle {
                    email: email.clone(),
                    failures: i32::try_from(counted.failures).unwrap_or(i32::MAX),
                    locked_until: counted.locked_until.map(stored),
                    updated_at: stored(at),
                },
            )?;
            Ok(Ok((counted, also(conn)?)))
        })
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

fn stored(at: time::OffsetDateTime) -> time::PrimitiveDateTime {
    let utc = at.to_offset(time::UtcOffset::UTC);
    time::PrimitiveDateTime::new(utc.date(), utc.time())
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
    let refresh_ttl = state.config.refresh_token_ttl;
    let (new_token, new_hash) = new_refresh_token()?;
    let outcome = state
        .write(move |conn| {
            let Some(old) = tokens::find_refresh(conn, &hash)? else {
                return Ok(Refresh::Refused("the refresh token is not valid"));
            };
            let at = now();
            if old.revoked_at.is_some() {
                return Ok(Refresh::Refused("the refresh token has been revoked"));
            }
            if old.expires_at <= at {
                return Ok(Refresh::Refused("the refresh token has expired"));
            }
            // Claimed atomically: of two requests presenting the same token, one wins and the
            // other is a reuse, whatever their timing.
            if !tokens::claim_refresh(conn, &old.id, at)? {
                tokens::revoke_family(conn, &old.family_id, at)?;
                tracing::warn!(user_id = %old.user_id, "refresh token reused: login revoked");
                return Ok(Refresh::Refused(
                    "the refresh token was already used; every token of that login is now revoked",
                ));
            }
            let user = users::find(conn, &old.user_id)?;
            if !user.active {
                tokens::revoke_family(conn, &old.family_id, at)?;
                return Ok(Refresh::Refused("this account has been deactivated"));
            }
            crate::audit::signed_in(&user.id, user.role()?, user.provider_id.as_deref());
            store_refresh(conn, &user.id, &old.family_id, &new_hash, refresh_ttl)?;
            Ok(Refresh::Issued(user))
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
        .write(move |conn| {
            if let Some(found) = tokens::find_refresh(conn, &hash)? {
                tokens::revoke_family(conn, &found.family_id, now())?;
            }
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

enum Refresh {
    Issued(users::User),
    Refused(&'static str),
}

fn locked(wait: Duration) -> ApiError {
    ApiError::TooManyRequests {
        detail: "too many failed logins for this address; try again later".into(),
        retry_after_secs: u64::try_from(wait.whole_seconds().max(1)).unwrap_or(1),
    }
}

fn store_refresh(
    conn: &mut AnyConnection,
    user_id: &str,
    family_id: &str,
    hash: &str,
    ttl: std::time::Duration,
) -> Result<(), ApiError> {
    let at = now();
    let ttl = Duration::try_from(ttl).unwrap_or(Duration::days(30));
    tokens::insert_refresh(
        conn,
        &RefreshToken {
            id: new_id(),
            user_id: user_id.to_string(),
            family_id: family_id.to_string(),
            token_hash: hash.to_string(),
            expires_at: at + ttl,
            used_at: None,
            revoked_at: None,
            created_at: at,
        },
    )?;
    Ok(())
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
