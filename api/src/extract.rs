//! Request extractors that fail as problem+json naming the field: JSON bodies, query strings,
//! the caller's identity and `If-Match`.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use serde::de::DeserializeOwned;
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

use crate::error::{ApiError, FieldError};
pub use crate::principal::Principal;
use crate::security::Claims;
use crate::state::AppState;
use ccm_app::auth;

/// A JSON body, deserialised and validated. Syntax errors are 400; a wrong type, an unknown or
/// missing field, or a failed validation is 422 naming the field.
pub struct ValidJson<T>(pub T);

impl<T: DeserializeOwned + Validate + 'static> FromRequest for ValidJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = media_type(req).is_some_and(|m| {
            m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
        });
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !is_json {
                return Err(ApiError::UnsupportedMediaType(
                    "send the body as JSON with Content-Type: application/json".into(),
                ));
            }
            let bytes = bytes.await.map_err(unreadable)?;
            let value = parse_json::<T>(&bytes)?;
            value
                .validate()
                .map_err(|e| ApiError::validation(field_errors(&e)))?;
            Ok(ValidJson(value))
        })
    }
}

/// A body as JSON or, for OAuth2 clients (which send their token requests so),
/// `application/x-www-form-urlencoded`; either way validated, errors naming the field (422).
pub struct JsonOrForm<T>(pub T);

impl<T: DeserializeOwned + Validate + 'static> FromRequest for JsonOrForm<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_form = media_type(req).is_some_and(|m| m == "application/x-www-form-urlencoded");
        if !is_form {
            let json = ValidJson::<T>::from_request(req, payload);
            return Box::pin(async move { json.await.map(|ValidJson(v)| JsonOrForm(v)) });
        }
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = bytes.await.map_err(unreadable)?;
            if let Some((name, _)) = form_urlencoded::parse(&bytes)
                .find(|(k, v)| crate::edge::has_nul(k) || crate::edge::has_nul(v))
            {
                return Err(nul_refused(name.replace('\0', "?")));
            }
            let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(&bytes));
            let value: T = serde_path_to_error::deserialize(de).map_err(|e| {
                let path = e.path().to_string();
                let message = e.into_inner().to_string();
                let field = if message.starts_with("missing field") {
                    message.split('`').nth(1).unwrap_or("body").to_string()
                } else {
                    path_or_body(&path)
                };
                ApiError::validation(vec![FieldError::new(field, "invalid", message)])
            })?;
            value
                .validate()
                .map_err(|e| ApiError::validation(field_errors(&e)))?;
            Ok(JsonOrForm(value))
        })
    }
}

/// The request's media type, lower-cased, without parameters.
fn media_type(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
}

/// A body that could not be read: too large (413), or cut off.
fn unreadable(e: actix_web::Error) -> ApiError {
    match e.as_response_error().status_code().as_u16() {
        413 => ApiError::PayloadTooLarge("the request body is too large".into()),
        _ => ApiError::BadRequest {
            detail: format!("the request body could not be read: {e}"),
            errors: vec![],
        },
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // Syntax first, so a truncated body is "malformed" (400) even if its first field is also
    // of the wrong type; then the shape, naming the field at fault (422).
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| ApiError::BadRequest {
            detail: format!("malformed JSON: {e}"),
            errors: vec![],
        })?;
    // serde reads a struct from an array of its fields in order too; a body is an object.
    if !value.is_object() {
        return Err(ApiError::validation(vec![FieldError::new(
            "body".to_string(),
            "invalid_type",
            "the body must be a JSON object".to_string(),
        )]));
    }
    if let Some(field) = nul_in(&value, "") {
        return Err(nul_refused(field));
    }
    crate::audit::body(&value);
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        let (field, code) = if message.starts_with("missing field") {
            let name = message.split('`').nth(1).unwrap_or_default();
            (join_path(&path, name), "required")
        } else if message.starts_with("unknown field") {
            // The path already ends at the unknown field.
            (path_or_body(&path), "unknown_field")
        } else if message.starts_with("invalid type") {
            (path_or_body(&path), "invalid_type")
        } else {
            (path_or_body(&path), "invalid")
        };
        ApiError::validation(vec![FieldError::new(field, code, message)])
    })
}

/// The path of the first string (or key) holding a NUL, which PostgreSQL cannot store.
fn nul_in(value: &serde_json::Value, path: &str) -> Option<String> {
    match value {
        serde_json::Value::String(s) if crate::edge::has_nul(s) => Some(path_or_body(path)),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| nul_in(v, &format!("{path}[{i}]"))),
        serde_json::Value::Object(map) => map.iter().find_map(|(k, v)| {
            let here = join_path(path, &k.replace('\0', "?"));
            if crate::edge::has_nul(k) {
                Some(here)
            } else {
                nul_in(v, &here)
            }
        }),
        _ => None,
    }
}

fn nul_refused(field: String) -> ApiError {
    ApiError::validation(vec![FieldError::new(
        field,
        "invalid_character",
        "must not contain a NUL character",
    )])
}

fn join_path(path: &str, name: &str) -> String {
    if path.is_empty() || path == "." {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

fn path_or_body(path: &str) -> String {
    if path.is_empty() || path == "." {
        "body".to_string()
    } else {
        path.to_string()
    }
}

/// Flattens validator's nested errors into one entry per field path.
pub fn field_errors(errors: &ValidationErrors) -> Vec<FieldError> {
    let mut out = Vec::new();
    collect(errors, "", &mut out);
    out.sort_by(|a, b| a.field.cmp(&b.field));
    out
}

fn collect(errors: &ValidationErrors, prefix: &str, out: &mut Vec<FieldError>) {
    for (field, kind) in errors.errors() {
        let path = join_path(prefix, field);
        match kind {
            ValidationErrorsKind::Field(list) => {
                for e in list {
                    let message = e
                        .message
                        .as_ref()
                        .map(|m| m.to_string())
                        .unwrap_or_else(|| default_message(e));
                    out.push(FieldError::new(path.clone(), e.code.to_string(), message));
                }
            }
            ValidationErrorsKind::Struct(inner) => collect(inner, &path, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    collect(inner, &format!("{path}[{index}]"), out);
                }
            }
        }
    }
}

fn default_message(e: &validator::ValidationError) -> String {
    let param = |name: &str| e.params.get(name).map(|v| v.to_string());
    let unit = if e.params.get("value").is_some_and(|v| v.is_array()) {
        "items"
    } else {
        "characters"
    };
    match e.code.as_ref() {
        "length" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("must be {min} to {max} {unit}"),
            (None, Some(max)) => format!("must be at most {max} {unit}"),
            (Some(min), None) => format!("must be at least {min} {unit}"),
            _ => "has the wrong length".into(),
        },
        "range" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("must be between {min} and {max}"),
            (None, Some(max)) => format!("must be at most {max}"),
            (Some(min), None) => format!("must be at least {min}"),
            _ => "is out of range".into(),
        },
        "email" => "must be an e-mail address".into(),
        "url" => "must be a URL".into(),
        other => format!("is not valid ({other})"),
    }
}

/// A query string, deserialised into `T`. Any problem is 400 naming the parameter.
pub struct ValidQuery<T>(pub T);

impl<T: DeserializeOwned + Validate + 'static> FromRequest for ValidQuery<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse_query(req.query_string()).map(ValidQuery))
    }
}

pub fn parse_query<T: DeserializeOwned + Validate>(query: &str) -> Result<T, ApiError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    let value: T = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        let field = if message.starts_with("missing field") {
            message.split('`').nth(1).unwrap_or("query").to_string()
        } else if path.is_empty() || path == "." {
            "query".to_string()
        } else {
            path
        };
        ApiError::bad_query(&field, message)
    })?;
    value.validate().map_err(|e| {
        let errors = field_errors(&e);
        ApiError::BadRequest {
            detail: match errors.as_slice() {
                [one] => format!("query parameter {}: {}", one.field, one.message),
                _ => "The query string has invalid parameters.".into(),
            },
            errors,
        }
    })?;
    Ok(value)
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    /// Verifies the token, then reads the account: a deactivated account is refused and a
    /// changed role applies at once, not when the token expires.
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // Already authenticated for this very request by the idempotency layer: once is enough
        // (and counts once against an API client's rate).
        if let Some(principal) = req.extensions().get::<Principal>().cloned() {
            crate::audit::actor(&principal);
            return Box::pin(async move { Ok(principal) });
        }
        let claims = bearer_claims(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let method = req.method().as_str().to_string();
        let pattern = req.match_pattern().unwrap_or_default();
        Box::pin(async move {
            let (claims, state) = (
                claims?,
                state.ok_or_else(|| ApiError::Internal("application state missing".into()))?,
            );
            let principal = authenticate(&state, claims, &method, &pattern).await?;
            crate::audit::actor(&principal);
            Ok(principal)
        })
    }
}

/// The caller a verified token stands for, as the account and API client are now: also what an
/// idempotent replay is checked against, so a replay is authenticated as a first request is.
pub async fn authenticate(
    state: &AppState,
    claims: Claims,
    method: &str,
    pattern: &str,
) -> Result<Principal, ApiError> {
    let client_id = claims.cid.clone();
    let asked = client_id.clone();
    let (user, client) = state
        .read(move |conn| Ok(auth::caller(conn, &claims.sub, asked.as_deref())?))
        .await?
        .ok_or_else(|| ApiError::Unauthorized("the account no longer exists".into()))?;
    if client_id.is_some() && client.is_none() {
        return Err(ApiError::Unauthorized(
            "the API client no longer exists".into(),
        ));
    }
    if !user.active {
        return Err(ApiError::Unauthorized(
            "this account has been deactivated".into(),
        ));
    }
    if let Some(client) = &client {
        auth::check_client(client, &user.id, user.role()?, method, pattern)?;
        state
            .client_limiter
            .check(client.id.clone())
            .map_err(|l| ApiError::TooManyRequests {
                detail: "this API client has made too many requests; slow down".into(),
                retry_after_secs: l.retry_after.as_secs(),
            })?;
    }
    Ok(Principal {
        role: user.role()?,
        user_id: user.id,
        provider_id: user.provider_id,
        client_id,
    })
}

fn bearer_claims(req: &HttpRequest) -> Result<Claims, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal("application state missing".into()))?;
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::Unauthorized("send Authorization: Bearer <access token>".into()))?
        .to_str()
        .map_err(|_| ApiError::Unauthorized("the Authorization header is not readable".into()))?;
    let token = match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => {
            return Err(ApiError::Unauthorized(
                "the Authorization scheme must be Bearer".into(),
            ))
        }
    };
    state.keys.verify(token)
}
