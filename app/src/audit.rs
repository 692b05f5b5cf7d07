//! Reading the audit trail: org admins read their own organisation's events, platform admins
//! everyone's. Nothing here changes or removes an event.

use ccm_domain::access::AuditScope;
use ccm_domain::confidential::AuditKind;
use ccm_persistence::audit::{self, AuditFilter};
use ccm_persistence::AnyConnection;
use time::OffsetDateTime;

pub use ccm_persistence::audit::AuditEvent;

use crate::access::rules;
use crate::clock::stored;
use crate::{Actor, AppError, Page};

/// The right to read some of the trail: everyone's events, or one provider's.
#[derive(Clone, Debug)]
pub struct Reader {
    provider_id: Option<String>,
}

/// Which events to list.
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub referral_id: Option<String>,
    pub actor_id: Option<String>,
    pub kind: Option<AuditKind>,
    pub from: Option<OffsetDateTime>,
    pub to: Option<OffsetDateTime>,
}

/// The actor's right to read the trail, or 403: asked before the query is looked at.
pub fn reader(actor: &Actor) -> Result<Reader, AppError> {
    match rules(actor).audit_trail() {
        AuditScope::All => Ok(Reader { provider_id: None }),
        AuditScope::Provider(p) => Ok(Reader {
            provider_id: Some(p.to_string()),
        }),
        AuditScope::None => Err(AppError::forbidden("the audit trail is for org admins")),
    }
}

/// A page of the events the reader may read, in the order they happened.
pub fn list(
    conn: &mut AnyConnection,
    reader: &Reader,
    q: AuditQuery,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<AuditEvent>, AppError> {
    let filter = AuditFilter {
        provider_id: reader.provider_id.clone(),
        entity_type: q.entity_type,
        entity_id: q.entity_id,
        referral_id: q.referral_id,
        actor_id: q.actor_id,
        kind: q.kind.map(|k| k.as_str().to_string()),
        from: q.from.map(stored),
        to: q.to.map(stored),
    };
    Ok(audit::list(conn, &filter, after, limit)?)
}
