//! Provider organisations: public to read; registered by a platform admin, kept up to date by
//! their org admins.

use ccm_persistence::providers;
use ccm_persistence::{new_id, now, AnyConnection};

pub use ccm_persistence::providers::{Provider, ProviderChanges as ProviderPatch};

use crate::access::{require, rules};
use crate::{Actor, AppError, IfMatch, OrNotFound, Page, ProblemType};

/// An organisation to register.
#[derive(Clone, Debug)]
pub struct NewProvider {
    pub name: String,
    pub charity_number: Option<String>,
    pub website: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
}

pub fn list(
    conn: &mut AnyConnection,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<Provider>, AppError> {
    Ok(providers::list(conn, after, limit)?)
}

pub fn get(conn: &mut AnyConnection, id: &str) -> Result<Provider, AppError> {
    providers::find(conn, id).or_not_found("provider")
}

/// The provider to insert, if the actor may register one. Nothing is read yet.
pub fn prepare(actor: &Actor, new: NewProvider) -> Result<Provider, AppError> {
    require(rules(actor).create_provider(), "provider")?;
    let at = now();
    Ok(Provider {
        id: new_id(),
        name: new.name.trim().to_string(),
        charity_number: new.charity_number,
        website: new.website,
        contact_email: new.contact_email,
        contact_phone: new.contact_phone,
        version: 1,
        created_at: at,
        updated_at: at,
    })
}

fn ensure_unique_name(
    conn: &mut AnyConnection,
    name: &str,
    except: Option<&str>,
) -> Result<(), AppError> {
    if providers::name_taken(conn, name, except)? {
        return Err(AppError::conflict(
            ProblemType::DuplicateName,
            "a provider with this name already exists",
        ));
    }
    Ok(())
}

/// Stores a provider [`prepare`]d, if no other has its name.
pub fn create(conn: &mut AnyConnection, provider: Provider) -> Result<Provider, AppError> {
    ensure_unique_name(conn, &provider.name, None)?;
    providers::insert(conn, &provider)?;
    Ok(provider)
}

/// Changes a provider's details (its org admins, or a platform admin).
pub fn update(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: &str,
    mut patch: ProviderPatch,
    if_match: &IfMatch,
) -> Result<Provider, AppError> {
    let current = providers::find_locked(conn, id).or_not_found("provider")?;
    require(rules(actor).manage_catalogue(&current.id), "provider")?;
    patch.name = patch.name.map(|n| n.trim().to_string());
    if let Some(name) = &patch.name {
        ensure_unique_name(conn, name, Some(&current.id))?;
    }
    // Preconditions last: a request that is wrong anyway gets that answer first.
    if_match.check(current.version)?;
    Ok(providers::update(conn, &current.id, &patch, now())?)
}
