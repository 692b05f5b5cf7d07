//! Creating platform admins outside the API: the first account of a deployment comes from
//! `ccm create-admin` or from `CCM_BOOTSTRAP_ADMIN_EMAIL`/`_PASSWORD` at start-up.

use ccm_domain::Role;
use ccm_persistence::users::{self, User};
use ccm_persistence::{new_id, now, Db, StoreError};

use crate::config::Config;
use crate::security::hash_password;

#[derive(Debug, PartialEq, Eq)]
pub enum Created {
    New(String),
    AlreadyExists(String),
}

pub fn create_platform_admin(
    db: &Db,
    email: &str,
    password: &str,
    name: &str,
) -> Result<Created, String> {
    let email = email.trim().to_lowercase();
    if !email.contains('@') || email.len() > 254 {
        return Err(format!("{email:?} is not an e-mail address"));
    }
    if password.chars().count() < 12 {
        return Err("the password must be at least 12 characters".into());
    }
    let hash = hash_password(password).map_err(|e| e.to_string())?;
    db.write(|conn| -> Result<Created, StoreError> {
        if let Some(existing) = users::find_by_email_at(conn, None, &email)? {
            return Ok(Created::AlreadyExists(existing.id));
        }
        let at = now();
        let user = User {
            id: new_id(),
            email: email.clone(),
            display_name: name.to_string(),
            password_hash: hash,
            role: Role::PlatformAdmin.as_str().to_string(),
            provider_id: None,
            active: true,
            version: 1,
            last_login_at: None,
            created_at: at,
            updated_at: at,
        };
        users::insert(conn, &user)?;
        Ok(Created::New(user.id))
    })
    .map_err(|e| e.to_string())
}

/// Creates the platform admin named by `CCM_BOOTSTRAP_ADMIN_EMAIL`/`_PASSWORD` if there is no
/// platform admin with that address yet (a provider's account with it is another account);
/// returns the address when it created one.
pub fn bootstrap(db: &Db, config: &Config) -> Result<Option<String>, String> {
    let Some((email, password)) = &config.bootstrap_admin else {
        return Ok(None);
    };
    match create_platform_admin(db, email, password, "Platform admin")? {
        Created::New(_) => Ok(Some(email.clone())),
        Created::AlreadyExists(_) => Ok(None),
    }
}
