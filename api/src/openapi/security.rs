//! Which operations need a bearer token, said once: every operation but the public ones below
//! gets the `bearer` security requirement and a documented 401, so a handler's annotation does
//! not repeat them. A black-box test calls every operation without a token and checks the
//! list against what the server does (401 exactly for the secured ones).

use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{OpenApi, Ref};

/// The operations anyone may call without a token: health, signing in, the public catalogue
/// (centres, rooms, offerings, providers, tariffs), quotes and a calendar feed's secret URL.
pub const PUBLIC: &[&str] = &[
    "GET /healthz",
    "GET /readyz",
    "GET /metrics",
    "POST /v1/auth/token",
    "POST /v1/auth/refresh",
    "POST /v1/auth/logout",
    "GET /v1/calendar/{token}",
    "GET /v1/centres",
    "GET /v1/centres/{id}",
    "GET /v1/centres/{id}/scheduling-policy",
    "GET /v1/centres/{centre_id}/offerings",
    "GET /v1/centres/{centre_id}/rooms",
    "GET /v1/rooms/{id}",
    "GET /v1/offerings/{id}",
    "GET /v1/providers",
    "GET /v1/providers/{id}",
    "GET /v1/tariffs",
    "GET /v1/tariffs/{id}",
    "GET /v1/tariff-presets",
    "POST /v1/quotes",
];

/// Whether `METHOD /path` (as the contract writes it) needs no token.
pub fn is_public(method: &str, path: &str) -> bool {
    PUBLIC.contains(&format!("{method} {path}").as_str())
}

/// Adds the bearer requirement and the 401 answer to every operation not in [`PUBLIC`].
pub fn document_security(api: &mut OpenApi) {
    for (path, item) in api.paths.paths.iter_mut() {
        let operations = [
            ("GET", item.get.as_mut()),
            ("POST", item.post.as_mut()),
            ("PUT", item.put.as_mut()),
            ("PATCH", item.patch.as_mut()),
            ("DELETE", item.delete.as_mut()),
        ];
        for (method, op) in operations {
            let Some(op) = op.filter(|_| !is_public(method, path)) else {
                continue;
            };
            op.security = Some(vec![SecurityRequirement::new(
                "bearer",
                Vec::<String>::new(),
            )]);
            op.responses
                .responses
                .entry("401".to_string())
                .or_insert_with(|| Ref::from_response_name("Unauthorized").into());
        }
    }
}
