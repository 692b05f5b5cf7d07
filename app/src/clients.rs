//! Partner API clients: a provider's org admins register them (name, kind of organisation,
//! scopes), rotate their secrets and revoke them. Secrets are made by the caller; only their
//! hash and hint are stored.

use ccm_domain::clients::{format_scopes, Scope};
use ccm_domain::{ReferrerKind, Role};
use ccm_persistence::clients;
use ccm_persistence::users::{self, User};
use ccm_persistence::{new_id, now, webhooks, AnyConnection};

pub use ccm_persistence::clients::Client;

use crate::access::{require, rules};
use crate::{Actor, AppError, OrNotFound, ProblemType};

/// A client to register.
#[derive(Clone, Debug)]
pub struct NewClient {
    pub name: String,
    pub organisation_kind: ReferrerKind,
    pub scopes: Vec<Scope>,
}

/// A new secret: its SHA-256 hash and the first characters shown as its hint.
#[derive(Clone, Debug)]
pub struct Secret {
    pub hash: String,
    pub hint: String,
}

fn own_provider(actor: &Actor) -> Result<String, AppError> {
    rules(actor)
        .api_clients()
        .map(str::to_string)
        .ok_or_else(|| AppError::forbidden("only a provider's org admins manage its API clients"))
}

/// The actor's provider's clients.
pub fn list(conn: &mut AnyConnection, actor: &Actor) -> Result<Vec<Client>, AppError> {
    let provider = own_provider(actor)?;
    Ok(clients::for_provider(conn, &provider)?)
}

/// The client and its account (a referrer of the provider that signs in with no password), if
/// the actor may register one. Nothing is read yet.
pub fn prepare(actor: &Actor, new: NewClient, secret: Secret) -> Result<(User, Client), AppError> {
    let provider = own_provider(actor)?;
    if new.organisation_kind == ReferrerKind::SelfReferral {
        return Err(AppError::invalid(
            "organisation_kind",
            "invalid",
            "an API client refers for an organisation, not for a parent themselves",
        ));
    }
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
        secret_hint: secret.hint,
        secret_hash: secret.hash,
        created_by: actor.user_id.clone(),
        created_at: at,
        secret_rotated_at: at,
        revoked_at: None,
        revoked_by: None,
        version: 1,
    };
    Ok((user, client))
}

/// Stores a client [`prepare`]d, with its account.
pub fn create(
    conn: &mut AnyConnection,
    (user, client): (User, Client),
) -> Result<Client, AppError> {
    users::insert(conn, &user)?;
    clients::insert(conn, &client)?;
    Ok(client)
}

/// A client the actor manages (row-locked if `lock`); 404 if it is another provider's.
pub fn get(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: &str,
    lock: bool,
) -> Result<Client, AppError> {
    // Asked first, so that a caller who manages no clients learns nothing of which ids exist.
    own_provider(actor)?;
    let client = if lock {
        clients::find_locked(conn, id)
    } else {
        clients::find(conn, id)
    }
    .or_not_found("API client")?;
    require(
        rules(actor).manage_catalogue(&client.provider_id),
        "API client",
    )?;
    Ok(client)
}

/// Replaces a live client's secret.
pub fn rotate_secret(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: &str,
    secret: Secret,
) -> Result<Client, AppError> {
    let client = get(conn, actor, id, true)?;
    if client.revoked_at.is_some() {
        return Err(AppError::conflict(
            ProblemType::ClientRevoked,
            "a revoked client cannot be given a new secret; register a new client",
        ));
    }
    Ok(clients::set_secret(
        conn,
        &client.id,
        &secret.hash,
        &secret.hint,
        now(),
    )?)
}

/// Revokes a client and stops its webhooks; revoking it again changes nothing.
pub fn revoke(conn: &mut AnyConnection, actor: &Actor, id: &str) -> Result<Client, AppError> {
    let client = get(conn, actor, id, true)?;
    if client.revoked_at.is_some() {
        return Ok(client);
    }
    let at = now();
    webhooks::deactivate_client(conn, &client.id, at)?;
    Ok(clients::revoke(conn, &client.id, &actor.user_id, at)?)
}
