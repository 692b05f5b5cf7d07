//! Signing in: the failed-login throttle, password and client-credentials sign-ins, refresh
//! token rotation, logout and password changes. Passwords are verified and hashed by the
//! caller (slow, off the request's thread); these are the steps that read and write.

use ccm_domain::clients::Refusal;
use ccm_domain::lockout::{Attempts, LockoutPolicy};
use ccm_domain::Role;
use ccm_persistence::tokens::{self, RefreshToken, Throttle};
use ccm_persistence::users::{self, UserChanges};
use ccm_persistence::{clients, new_id, now, AnyConnection, StoreError};
use time::{Duration, OffsetDateTime};

pub use ccm_persistence::clients::Client;
pub use ccm_persistence::users::User;

use crate::clock::stored;
use crate::AppError;

/// An account a password may open, with its provider's name.
pub type Candidate = (User, Option<String>);

/// A refresh token to store: its hash and how long it lasts.
#[derive(Clone, Debug)]
pub struct NewRefresh {
    pub hash: String,
    pub ttl: std::time::Duration,
}

/// What presenting a refresh token came to.
#[derive(Clone, Debug)]
pub enum Refresh {
    /// A new token of the same login is stored; the account it opens.
    Issued(User),
    Refused(&'static str),
}

/// Counts an attempt for `email` as failed before it is checked (a success clears it), so that
/// concurrent guesses are all counted; `Err` with the wait while the address is locked out.
pub fn reserve_attempt(
    conn: &mut AnyConnection,
    email: &str,
    policy: LockoutPolicy,
) -> Result<Result<Attempts, Duration>, AppError> {
    let at = OffsetDateTime::now_utc();
    let throttle = tokens::lock_throttle(conn, email, stored(at))?;
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
            email: email.to_string(),
            failures: i32::try_from(counted.failures).unwrap_or(i32::MAX),
            locked_until: counted.locked_until.map(stored),
            updated_at: stored(at),
        },
    )?;
    Ok(Ok(counted))
}

/// The active accounts an address has, at any provider.
pub fn candidates(conn: &mut AnyConnection, email: &str) -> Result<Vec<Candidate>, AppError> {
    Ok(users::active_by_email(conn, email)?)
}

/// Forgets an address's failed attempts: its password was right.
pub fn forget_failures(conn: &mut AnyConnection, email: &str) -> Result<(), AppError> {
    Ok(tokens::clear_throttle(conn, email)?)
}

/// Records a password sign-in and stores the new login's first refresh token.
pub fn signed_in(
    conn: &mut AnyConnection,
    email: &str,
    user_id: &str,
    refresh: &NewRefresh,
) -> Result<(), AppError> {
    tokens::clear_throttle(conn, email)?;
    users::record_login(conn, user_id, now())?;
    store_refresh(conn, user_id, &new_id(), refresh)
}

fn store_refresh(
    conn: &mut AnyConnection,
    user_id: &str,
    family_id: &str,
    refresh: &NewRefresh,
) -> Result<(), AppError> {
    let at = now();
    let ttl = Duration::try_from(refresh.ttl).unwrap_or(Duration::days(30));
    tokens::insert_refresh(
        conn,
        &RefreshToken {
            id: new_id(),
            user_id: user_id.to_string(),
            family_id: family_id.to_string(),
            token_hash: refresh.hash.clone(),
            expires_at: at + ttl,
            used_at: None,
            revoked_at: None,
            created_at: at,
        },
    )?;
    Ok(())
}

/// Exchanges a refresh token (by its hash) for a new one of the same login. A token presented
/// twice revokes the whole login: one of the two presenters is not who they say.
pub fn refresh(
    conn: &mut AnyConnection,
    hash: &str,
    new: &NewRefresh,
) -> Result<Refresh, AppError> {
    let Some(old) = tokens::find_refresh(conn, hash)? else {
        return Ok(Refresh::Refused("the refresh token is not valid"));
    };
    let at = now();
    if old.revoked_at.is_some() {
        return Ok(Refresh::Refused("the refresh token has been revoked"));
    }
    if old.expires_at <= at {
        return Ok(Refresh::Refused("the refresh token has expired"));
    }
    // Claimed atomically: of two requests presenting the same token, one wins and the other is
    // a reuse, whatever their timing.
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
    store_refresh(conn, &user.id, &old.family_id, new)?;
    Ok(Refresh::Issued(user))
}

/// Ends the login a refresh token belongs to; an unknown token ends nothing.
pub fn logout(conn: &mut AnyConnection, hash: &str) -> Result<(), AppError> {
    if let Some(found) = tokens::find_refresh(conn, hash)? {
        tokens::revoke_family(conn, &found.family_id, now())?;
    }
    Ok(())
}

/// Sets an account's password (already hashed), forgets its failed attempts and signs it out
/// everywhere.
pub fn set_password(
    conn: &mut AnyConnection,
    user: &User,
    password_hash: String,
) -> Result<(), AppError> {
    let at = now();
    tokens::clear_throttle(conn, &user.email)?;
    let changes = UserChanges {
        password_hash: Some(password_hash),
        ..Default::default()
    };
    users::update(conn, &user.id, &changes, at)?;
    tokens::revoke_user(conn, &user.id, at)?;
    Ok(())
}

/// The client whose secret hashes to `presented`. Both hashes are SHA-256 of 32 random bytes:
/// comparing them leaks nothing useful.
pub fn client(
    conn: &mut AnyConnection,
    client_id: &str,
    presented: &str,
) -> Result<Client, AppError> {
    let client = match clients::find(conn, client_id) {
        Err(StoreError::NotFound) => None,
        other => Some(other?),
    };
    let client = match client {
        Some(c) if c.secret_hash == presented => c,
        _ => return Err(AppError::Unauthorized(WRONG_CLIENT.into())),
    };
    if client.revoked_at.is_some() {
        return Err(AppError::Unauthorized(
            "this API client's access has been revoked".into(),
        ));
    }
    Ok(client)
}

const WRONG_CLIENT: &str = "the client id or secret is wrong";

/// The role a client's token carries: a client refers, for its organisation.
pub const CLIENT_ROLE: Role = Role::Referrer;

/// Records a sign-in of the account (an API client's).
pub fn record_login(conn: &mut AnyConnection, user_id: &str) -> Result<(), AppError> {
    Ok(users::record_login(conn, user_id, now())?)
}

/// The caller's own account with its provider's name, while it exists and is active.
pub fn me(conn: &mut AnyConnection, user_id: &str) -> Result<Candidate, AppError> {
    let (user, provider_name) = match users::find_with_provider_name(conn, user_id) {
        Err(StoreError::NotFound) => {
            return Err(AppError::Unauthorized(
                "the account no longer exists".into(),
            ))
        }
        other => other?,
    };
    if !user.active {
        return Err(AppError::Unauthorized(
            "this account has been deactivated".into(),
        ));
    }
    Ok((user, provider_name))
}

/// The caller's own account.
pub fn own_account(conn: &mut AnyConnection, user_id: &str) -> Result<User, AppError> {
    Ok(users::find(conn, user_id)?)
}

/// The account a verified token names, with the API client it was issued to if it names one
/// that still exists; `None` once the account is gone. One statement.
pub fn caller(
    conn: &mut AnyConnection,
    user_id: &str,
    client_id: Option<&str>,
) -> Result<Option<(User, Option<Client>)>, AppError> {
    Ok(clients::caller(conn, user_id, client_id)?)
}

/// A client's token works while the client is not revoked, and only within its scopes.
pub fn check_client(
    client: &Client,
    user_id: &str,
    role: Role,
    method: &str,
    pattern: &str,
) -> Result<(), AppError> {
    if client.revoked_at.is_some() || client.user_id != user_id || role != CLIENT_ROLE {
        return Err(AppError::Unauthorized(
            "this API client's access has been revoked".into(),
        ));
    }
    let granted = ccm_domain::clients::parse_scopes(&client.scopes);
    match ccm_domain::clients::check(&granted, method, pattern) {
        Ok(()) => Ok(()),
        Err(Refusal::NotForClients) => Err(AppError::forbidden(
            "this endpoint is for people, not API clients",
        )),
        Err(Refusal::MissingScope(scope)) => Err(AppError::forbidden(format!(
            "this API client needs the scope {scope}"
        ))),
    }
}
