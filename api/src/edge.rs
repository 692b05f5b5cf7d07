//! What every request must satisfy before anything reads it: no NUL in the path or the query
//! string (PostgreSQL refuses a NUL in text with a server error, SQLite would
//! store it), and no query parameter the operation does not document, so a misspelt or
//! unsupported filter is refused instead of silently answering the unfiltered list.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::HttpMessage;
use tracing_actix_web::RequestId;
use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::RefOr;

use crate::error::{ApiError, FieldError};
use crate::middleware::render_problem;

/// One documented operation: its path's segments and the query parameters it takes.
struct Documented {
    method: &'static str,
    segments: Vec<String>,
    query: BTreeSet<String>,
}

/// The documented operations, read once from the OpenAPI document: the query parameters an
/// operation takes are the ones its documentation lists, so the two cannot drift apart.
static OPERATIONS: LazyLock<Vec<Documented>> =
    LazyLock::new(|| operations(&crate::openapi::document()));

fn operations(doc: &utoipa::openapi::OpenApi) -> Vec<Documented> {
    let mut out = Vec::new();
    for (path, item) in &doc.paths.paths {
        for (method, operation) in methods(item) {
            let query = operation
                .parameters
                .iter()
                .chain(item.parameters.iter())
                .flatten()
                .filter_map(|p| match p {
                    RefOr::T(p) => Some(p),
                    RefOr::Ref(_) => None,
                })
                .filter(|p| matches!(p.parameter_in, ParameterIn::Query))
                .map(|p| p.name.clone())
                .collect();
            out.push(Documented {
                method,
                segments: path.split('/').map(str::to_string).collect(),
                query,
            });
        }
    }
    out
}

fn methods(item: &PathItem) -> impl Iterator<Item = (&'static str, &Operation)> {
    [
        ("GET", item.get.as_ref()),
        ("POST", item.post.as_ref()),
        ("PUT", item.put.as_ref()),
        ("PATCH", item.patch.as_ref()),
        ("DELETE", item.delete.as_ref()),
    ]
    .into_iter()
    .filter_map(|(m, op)| op.map(|op| (m, op)))
}

/// The operations a request may be for: a path matches a pattern segment by segment, a
/// `{parameter}` matching any non-empty segment.
fn matching<'a>(
    method: &'a str,
    segments: &'a [&'a str],
) -> impl Iterator<Item = &'static Documented> + 'a {
    OPERATIONS.iter().filter(move |op| {
        op.method.eq_ignore_ascii_case(method)
            && op.segments.len() == segments.len()
            && op
                .segments
                .iter()
                .zip(segments)
                .all(|(p, s)| p == s || (p.starts_with('{') && !s.is_empty()))
    })
}

/// The documented route pattern a request is for (`/v1/referrals/{id}`), preferring literal
/// segments over parameters when two patterns match, as the router does.
pub fn pattern(method: &str, path: &str) -> Option<String> {
    let segments: Vec<&str> = path.split('/').collect();
    matching(method, &segments)
        .max_by_key(|op| op.segments.iter().filter(|s| !s.starts_with('{')).count())
        .map(|op| op.segments.join("/"))
}

/// A string PostgreSQL cannot store as text: NUL is the one character it refuses (it stores
/// every other control character), so it is the one refused everywhere, on both backends.
/// Other control characters stay each field's business (a document's name is cleaned of
/// them, a note may hold new lines).
pub fn has_nul(text: &str) -> bool {
    text.contains('\0')
}

/// `%XX` sequences decoded; anything else as it is. A path is not form-encoded, so `+` stays.
fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The first reason to refuse a request's path or query, if any.
pub fn check(method: &str, raw_path: &str, query: &str) -> Result<(), ApiError> {
    let segments: Vec<&str> = raw_path.split('/').collect();
    let candidates: Vec<&Documented> = matching(method, &segments).collect();
    for (index, segment) in segments.iter().enumerate() {
        if has_nul(&percent_decode(segment)) {
            // Name the parameter the segment stands for, when a documented route says.
            let field = candidates
                .iter()
                .filter_map(|op| op.segments.get(index))
                .find(|p| p.starts_with('{'))
                .map(|p| p.trim_matches(|c| c == '{' || c == '}').to_string())
                .unwrap_or_else(|| "path".into());
            return Err(ApiError::BadRequest {
                detail: format!("path parameter {field}: must not contain a NUL character"),
                errors: vec![FieldError::new(
                    field,
                    "invalid_character",
                    "must not contain a NUL character",
                )],
            });
        }
    }
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        if has_nul(&name) || has_nul(&value) {
            return Err(ApiError::bad_query(
                &name.replace('\0', "?"),
                "must not contain a NUL character",
            ));
        }
        // Undocumented paths (health, Swagger UI) and unknown ones (404 later) are not judged.
        if !candidates.is_empty() && !candidates.iter().any(|op| op.query.contains(&*name)) {
            let known: BTreeSet<&str> = candidates
                .iter()
                .flat_map(|op| op.query.iter().map(String::as_str))
                .collect();
            let known = if known.is_empty() {
                "this operation takes none".to_string()
            } else {
                format!(
                    "this operation takes {}",
                    known.into_iter().collect::<Vec<_>>().join(", ")
                )
            };
            return Err(ApiError::BadRequest {
                detail: format!("unknown query parameter {name}; {known}"),
                errors: vec![FieldError::new(
                    name.into_owned(),
                    "unknown_parameter",
                    format!("is not a parameter of this operation; {known}"),
                )],
            });
        }
    }
    Ok(())
}

pub async fn refuse_bad_input(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let raw_path = req.uri().path().to_string();
    if let Err(e) = check(req.method().as_str(), &raw_path, req.query_string()) {
        let request_id = req.extensions().get::<RequestId>().map(|id| id.to_string());
        let response = render_problem(&e, req.path(), request_id.as_deref());
        return Ok(req.into_response(response));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(result: Result<(), ApiError>) -> String {
        match result {
            Err(ApiError::BadRequest { errors, .. }) => errors[0].field.clone(),
            other => panic!("expected a 400, got {other:?}"),
        }
    }

    #[test]
    fn a_nul_in_a_path_names_the_parameter() {
        assert_eq!(field(check("GET", "/v1/centres/a%00b", "")), "id");
        assert_eq!(field(check("GET", "/v1/nowhere/%00", "")), "path");
        assert!(check("GET", "/v1/centres/a%2Bb", "").is_ok());
        assert!(
            check("GET", "/v1/centres/a%17b", "").is_ok(),
            "PostgreSQL stores other control characters"
        );
    }

    #[test]
    fn a_nul_in_a_query_names_the_parameter() {
        assert_eq!(field(check("GET", "/v1/centres", "name=a%00")), "name");
        assert_eq!(field(check("GET", "/v1/centres", "li%00mit=1")), "li?mit");
    }

    #[test]
    fn only_documented_query_parameters_are_taken() {
        assert!(check("GET", "/v1/centres", "limit=5&cursor=x").is_ok());
        assert_eq!(field(check("GET", "/v1/centres", "nmae=x")), "nmae");
        assert_eq!(field(check("POST", "/v1/centres", "limit=5")), "limit");
        assert!(
            check("GET", "/swagger-ui/index.html", "anything=1").is_ok(),
            "undocumented paths are not judged here"
        );
    }

    #[test]
    fn percent_decoding_keeps_what_is_not_an_escape() {
        assert_eq!(percent_decode("a%20b+c%zz%4"), "a b+c%zz%4");
        assert_eq!(percent_decode("%00"), "\0");
    }
}
