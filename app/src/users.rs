//! User accounts. An org admin manages its own provider's accounts; a platform admin any.
//! Passwords arrive hashed: hashing is slow and runs off the request's thread.

use ccm_domain::access::{own_account_change, role_needs_provider, UserListScope};
use ccm_domain::Role;
use ccm_persistence::users::{self, UserChanges};
use ccm_persistence::{clients, new_id, now, providers, tokens, AnyConnection, StoreError};

pub use ccm_persistence::users::{User, UserFilter};

use crate::access::{require, rules};
use crate::{Actor, AppError, IfMatch, OrNotFound, Page, ProblemType};

/// An account to create.
#[derive(Clone, Debug)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// Every role but platform admin belongs to one; the actor's own by default.
    pub provider_id: Option<String>,
}

/// Changes to an account; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct UserPatch {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    pub password_hash: Option<String>,
}

/// A page of the accounts the actor may list: every one, or its own provider's.
pub fn list(
    conn: &mut AnyConnection,
    actor: &Actor,
    mut filter: UserFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<User>, AppError> {
    match rules(actor).user_list_scope() {
        UserListScope::All => {}
        UserListScope::Provider(own) => {
            if filter.provider_id.as_deref().is_some_and(|p| p != own) {
                return Ok(Page {
                    items: vec![],
                    has_more: false,
                });
            }
            filter.provider_id = Some(own.to_string());
        }
        UserListScope::None => return Err(AppError::forbidden("only admins list accounts")),
    }
    Ok(users::list(conn, &filter, after, limit)?)
}

/// The account as it will be created, if the actor may create it: checked before the password
/// is hashed, so a refusal costs no hashing.
pub fn admit(actor: &Actor, new: NewUser) -> Result<NewUser, AppError> {
    let provider_id = match (new.provider_id, new.role) {
        (Some(_), Role::PlatformAdmin) => {
            return Err(AppError::invalid(
                "provider_id",
                "forbidden",
                "a platform admin belongs to no provider",
            ))
        }
        (None, role) if role_needs_provider(role) => match &actor.provider_id {
            Some(own) => Some(own.clone()),
            None => {
                return Err(AppError::invalid(
                    "provider_id",
                    "required",
                    "is required for this role",
                ))
            }
        },
        (given, _) => given,
    };
    require(
        rules(actor).manage_user(provider_id.as_deref(), new.role),
        "provider",
    )?;
    Ok(NewUser { provider_id, ..new })
}

/// Creates an account [`admit`]ted. An address may have one account at each provider: only
/// the provider's own accounts are compared, so the answer says nothing about other providers.
pub fn create(
    conn: &mut AnyConnection,
    new: NewUser,
    password_hash: String,
) -> Result<User, AppError> {
    if let Some(p) = &new.provider_id {
        match providers::find(conn, p) {
            Err(StoreError::NotFound) => {
                return Err(AppError::invalid(
                    "provider_id",
                    "not_found",
                    "no such provider",
                ))
            }
            other => other?,
        };
    }
    let email = new.email.trim().to_lowercase();
    if users::find_by_email_at(conn, new.provider_id.as_deref(), &email)?.is_some() {
        return Err(AppError::conflict(
            ProblemType::DuplicateEmail,
            "an account with this e-mail address already exists at this provider",
        ));
    }
    let at = now();
    let user = User {
        id: new_id(),
        email,
        display_name: new.display_name.trim().to_string(),
        password_hash,
        role: new.role.as_str().to_string(),
        provider_id: new.provider_id,
        active: true,
        version: 1,
        last_login_at: None,
        created_at: at,
        updated_at: at,
    };
    users::insert(conn, &user)?;
    Ok(user)
}

/// An account: one's own, or one the actor manages.
pub fn get(conn: &mut AnyConnection, actor: &Actor, id: &str) -> Result<User, AppError> {
    if id != actor.user_id {
        require(rules(actor).manages_users(), "user")?;
    }
    let user = users::find(conn, id).or_not_found("user")?;
    if user.id != actor.user_id {
        require(
            rules(actor).manage_user(user.provider_id.as_deref(), user.role()?),
            "user",
        )?;
    }
    Ok(user)
}

/// Changes an account's name, role, password or active flag. Deactivating it or changing its
/// password signs it out everywhere.
pub fn update(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: &str,
    patch: UserPatch,
    if_match: &IfMatch,
) -> Result<User, AppError> {
    require(rules(actor).manages_users(), "user")?;
    let user = users::find_locked(conn, id).or_not_found("user")?;
    check_update(conn, actor, &user, &patch)?;
    let changes = UserChanges {
        display_name: patch.display_name.map(|n| n.trim().to_string()),
        role: patch.role.map(|r| r.as_str().to_string()),
        active: patch.active,
        password_hash: patch.password_hash,
    };
    // Preconditions last: a request that is wrong anyway gets that answer first.
    if_match.check(user.version)?;
    let at = now();
    let updated = users::update(conn, &user.id, &changes, at)?;
    if patch.active == Some(false) || changes.password_hash.is_some() {
        tokens::revoke_user(conn, &user.id, at)?;
    }
    Ok(updated)
}

fn check_update(
    conn: &mut AnyConnection,
    actor: &Actor,
    user: &User,
    patch: &UserPatch,
) -> Result<(), AppError> {
    let target = user.provider_id.as_deref();
    require(rules(actor).manage_user(target, user.role()?), "user")?;
    // A partner client's account is managed as the client: a role or a password given to it
    // would outlive the client's scopes and its revocation.
    if clients::for_user(conn, &user.id)?.is_some() {
        return Err(AppError::conflict(
            ProblemType::ApiClientAccount,
            "this account belongs to an API client; manage it at /v1/api-clients",
        ));
    }
    if let Some(role) = patch.role {
        require(rules(actor).manage_user(target, role), "user")?;
        if role_needs_provider(role) != role_needs_provider(user.role()?) {
            return Err(AppError::invalid(
                "role",
                "provider_mismatch",
                "a platform admin belongs to no provider; other roles to one: create a new account instead",
            ));
        }
    }
    if user.id == actor.user_id {
        own_account_change(
            patch.role.is_some_and(|r| r.as_str() != user.role),
            patch.active == Some(false),
        )
        .map_err(|why| AppError::rule(ProblemType::OwnAccount, why))?;
    }
    Ok(())
}
