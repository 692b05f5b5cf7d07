//! The audit trail as requests write it: every write, and every read of confidential data,
//! becomes an append-only event naming who, in what role, did what to which record, in which
//! request, and which fields (never their values).
//!
//! A request carries a [`Trail`]: the middleware opens it from the route, the `Principal`
//! extractor adds the caller, `ValidJson` the body's field names, and handlers add what only
//! they know (the case a record belongs to, a created record's id, a reason, a confidential
//! read). [`AppState::write`](crate::state::AppState::write) appends the write's event in the
//! same transaction as the change, so a change is never committed without its event;
//! [`AppState::read`](crate::state::AppState::read) appends read events before the data is
//! returned, so nothing confidential leaves unrecorded.

use std::cell::RefCell;
use std::sync::{Arc, Mutex, MutexGuard};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::HttpMessage;
use serde_json::Value;
use tracing_actix_web::RequestId;

use crate::principal::Principal;
use ccm_persistence::audit::{self, AuditEvent};
use ccm_persistence::{new_id, now, AnyConnection, StoreError};

tokio::task_local! {
    static TRAIL: Trail;
}

thread_local! {
    /// The trail of the request whose storage work runs on this blocking thread.
    static BOUND: RefCell<Option<Trail>> = const { RefCell::new(None) };
}

/// The most field names kept for one event: enough for any body this API accepts.
const MAX_FIELDS: usize = 200;

#[derive(Clone)]
pub struct Trail(Arc<Mutex<Record>>);

#[derive(Default)]
struct Record {
    request_id: Option<String>,
    method: String,
    path: String,
    pattern: Option<String>,
    actor: Option<Principal>,
    fields: Vec<String>,
    subject: Option<(String, String)>,
    referral_id: Option<String>,
    reason: Option<String>,
    reads: Vec<Read>,
    written: bool,
}

struct Read {
    entity_type: String,
    entity_id: String,
    referral_id: Option<String>,
    fields: Vec<String>,
}

impl Trail {
    fn lock(&self) -> MutexGuard<'_, Record> {
        // A panic elsewhere while holding the lock leaves plain data behind; keep using it.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Appends the events due now, in one statement: the request's write event (once, and only
    /// from a write transaction of a request that changes things) and any confidential reads
    /// noted since.
    pub fn append(&self, conn: &mut AnyConnection, in_write: bool) -> Result<(), StoreError> {
        let events = {
            let mut r = self.lock();
            let mut events = Vec::new();
            let changes = !matches!(r.method.as_str(), "GET" | "HEAD" | "OPTIONS");
            // A write by nobody known (a failed login's throttle count) is bookkeeping, not a
            // change to anyone's records; sign-ins name their account before they write.
            if in_write && changes && !r.written && r.actor.is_some() {
                r.written = true;
                events.push(r.write_event());
            }
            let reads = std::mem::take(&mut r.reads);
            events.extend(reads.into_iter().map(|read| r.read_event(read)));
            events
        };
        audit::insert_all(conn, &events)
    }

    pub fn has_reads(&self) -> bool {
        !self.lock().reads.is_empty()
    }
}

impl Record {
    fn action(&self) -> String {
        format!(
            "{} {}",
            self.method,
            self.pattern.as_deref().unwrap_or(&self.path)
        )
    }

    fn event(
        &self,
        kind: &str,
        entity: (String, Option<String>),
        referral_id: Option<String>,
        fields: &[String],
    ) -> AuditEvent {
        let actor = self.actor.as_ref();
        AuditEvent {
            id: new_id(),
            at: now(),
            request_id: self.request_id.clone(),
            actor_id: actor.map(|a| a.user_id.clone()),
            actor_role: actor.map(|a| a.role.as_str().to_string()),
            provider_id: actor.and_then(|a| a.provider_id.clone()),
            kind: kind.into(),
            action: self.action(),
            entity_type: entity.0,
            entity_id: entity.1,
            referral_id,
            fields: serde_json::to_string(fields).unwrap_or_else(|_| "[]".into()),
            reason: self.reason.clone(),
        }
    }

    fn write_event(&self) -> AuditEvent {
        let entity = match &self.subject {
            Some((kind, id)) => (kind.clone(), Some(id.clone())),
            None => entity_of(self.pattern.as_deref().unwrap_or(""), &self.path),
        };
        let referral_id = match (&entity.0[..], &entity.1) {
            ("referral", Some(id)) => Some(id.clone()),
            _ => self.referral_id.clone(),
        };
        self.event("write", entity, referral_id, &self.fields)
    }

    fn read_event(&self, read: Read) -> AuditEvent {
        let referral_id = read.referral_id.or_else(|| self.referral_id.clone());
        self.event(
            "read",
            (read.entity_type, Some(read.entity_id)),
            referral_id,
            &read.fields,
        )
    }
}

/// Opens a trail for every request; the handler runs inside it.
pub async fn trail(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let record = Record {
        request_id: req.extensions().get::<RequestId>().map(|id| id.to_string()),
        method: req.method().as_str().to_string(),
        path: req.path().to_string(),
        pattern: req.match_pattern(),
        ..Record::default()
    };
    TRAIL
        .scope(Trail(Arc::new(Mutex::new(record))), next.call(req))
        .await
}

/// The current request's trail: the one bound to this blocking thread, else the task's.
pub fn current() -> Option<Trail> {
    BOUND
        .with(|b| b.borrow().clone())
        .or_else(|| TRAIL.try_with(Trail::clone).ok())
}

/// Makes `trail` current on this thread until the guard drops (for storage work moved off the
/// request's task onto a blocking thread).
pub fn bind(trail: Option<Trail>) -> Bound {
    let previous = BOUND.with(|b| b.replace(trail));
    Bound(previous)
}

pub struct Bound(Option<Trail>);

impl Drop for Bound {
    fn drop(&mut self) {
        let previous = self.0.take();
        BOUND.with(|b| *b.borrow_mut() = previous);
    }
}

fn with(f: impl FnOnce(&mut Record)) {
    if let Some(trail) = current() {
        f(&mut trail.lock());
    }
}

/// The authenticated caller.
pub fn actor(principal: &Principal) {
    with(|r| r.actor = Some(principal.clone()));
}

/// The account a sign-in proved, for requests that carry no access token (login, refresh).
pub fn signed_in(user_id: &str, role: ccm_domain::Role, provider_id: Option<&str>) {
    actor(&Principal {
        user_id: user_id.to_string(),
        role,
        provider_id: provider_id.map(str::to_string),
        client_id: None,
    });
}

/// The field names of a JSON request body (nested as `a.b`, inside arrays as `a[].b`).
pub fn body(value: &Value) {
    let mut fields = Vec::new();
    field_paths(value, "", &mut fields);
    fields.sort();
    fields.dedup();
    fields.truncate(MAX_FIELDS);
    with(|r| r.fields = fields);
}

/// The record a request created, when its path does not name it (`POST /v1/referrals`).
pub fn subject(entity_type: &str, id: &str) {
    with(|r| r.subject = Some((entity_type.into(), id.into())));
}

/// The case the request's records belong to, so the whole of a case's trail can be asked for.
pub fn case(referral_id: &str) {
    with(|r| {
        r.referral_id.get_or_insert_with(|| referral_id.to_string());
    });
}

/// Why the caller opened data outside their normal view.
pub fn reason(reason: &str) {
    with(|r| r.reason = Some(reason.to_string()));
}

/// A read of confidential fields of one record.
pub fn read(entity_type: &str, entity_id: &str, referral_id: Option<&str>, fields: &[&str]) {
    if fields.is_empty() {
        return;
    }
    with(|r| {
        r.reads.push(Read {
            entity_type: entity_type.into(),
            entity_id: entity_id.into(),
            referral_id: referral_id.map(str::to_string),
            fields: fields.iter().map(|f| f.to_string()).collect(),
        })
    });
}

fn field_paths(value: &Value, prefix: &str, out: &mut Vec<String>) {
    let Value::Object(map) = value else { return };
    for (key, v) in map {
        let name = format!("{prefix}{key}");
        match v {
            Value::Object(_) => field_paths(v, &format!("{name}."), out),
            Value::Array(items) if items.iter().any(Value::is_object) => {
                for item in items {
                    field_paths(item, &format!("{name}[]."), out);
                }
            }
            _ => out.push(name),
        }
        if out.len() > MAX_FIELDS * 4 {
            return;
        }
    }
}

/// The record a route acts on: `/v1/referrals/{id}/offer` acts on the referral `{id}`,
/// `/v1/centres/{centre_id}/rooms` on the centre, `/v1/users` on users as a whole.
fn entity_of(pattern: &str, path: &str) -> (String, Option<String>) {
    let pattern: Vec<&str> = pattern.trim_matches('/').split('/').collect();
    let path: Vec<&str> = path.trim_matches('/').split('/').collect();
    let collection = pattern.get(1).copied().unwrap_or("");
    let id = match (pattern.get(2), path.get(2)) {
        (Some(p), Some(v)) if p.starts_with('{') => Some(v.to_string()),
        _ => None,
    };
    (singular(collection), id)
}

fn singular(collection: &str) -> String {
    let name = collection.replace('-', "_");
    match name.as_str() {
        "people" => "person".into(),
        "series" | "audit" | "calendar" | "me" | "auth" | "" => name,
        _ => name.strip_suffix('s').unwrap_or(&name).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_route_acts_on_the_record_its_path_names() {
        assert_eq!(
            entity_of("/v1/referrals/{id}/offer", "/v1/referrals/r1/offer"),
            ("referral".into(), Some("r1".into()))
        );
        assert_eq!(
            entity_of("/v1/centres/{centre_id}/rooms", "/v1/centres/c1/rooms"),
            ("centre".into(), Some("c1".into()))
        );
        assert_eq!(
            entity_of("/v1/people/{id}/contact", "/v1/people/p1/contact"),
            ("person".into(), Some("p1".into()))
        );
        assert_eq!(entity_of("/v1/users", "/v1/users"), ("user".into(), None));
        assert_eq!(
            entity_of("/v1/me/password", "/v1/me/password"),
            ("me".into(), None)
        );
    }

    #[test]
    fn a_body_is_recorded_as_field_names_only() {
        let mut out = Vec::new();
        field_paths(
            &json!({"parties": [{"contact": {"phone": "07700 900123"}}, {"given_name": "Ann"}],
                    "availability": "Saturdays", "court": null}),
            "",
            &mut out,
        );
        out.sort();
        assert_eq!(
            out,
            [
                "availability",
                "court",
                "parties[].contact.phone",
                "parties[].given_name"
            ]
        );
        assert!(!format!("{out:?}").contains("07700"));
    }
}
