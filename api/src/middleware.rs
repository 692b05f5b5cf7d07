//! Cross-cutting request handling: every error response becomes problem+json carrying the
//! request path and id, every response carries `X-Request-Id`, and unknown routes answer 404
//! or 405 (with `Allow`) from the table of documented operations.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use tracing_actix_web::RequestId;

use crate::error::{ApiError, Problem, ProblemType, PROBLEM_JSON};

pub static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub async fn problems_and_request_ids(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let request_id = req.extensions().get::<RequestId>().map(|id| id.to_string());
    // Errors from inner services arrive as error responses (actix renders them per route), so
    // `Err` here is rare and left to the outer layers.
    let (request, mut response) = next.call(req).await?.map_into_boxed_body().into_parts();
    if response.status().is_client_error() || response.status().is_server_error() {
        let mut problem = problem_for(&response);
        problem.instance = Some(request.path().to_string());
        problem.request_id = request_id.clone();
        response = with_problem_body(response, &problem);
    }
    if let Some(id) = request_id.and_then(|id| HeaderValue::from_str(&id).ok()) {
        response.headers_mut().insert(X_REQUEST_ID.clone(), id);
    }
    Ok(ServiceResponse::new(request, response))
}

/// A complete problem response for an error raised outside any handler.
pub fn render_problem(error: &ApiError, path: &str, request_id: Option<&str>) -> HttpResponse {
    let mut problem = error.problem();
    problem.instance = Some(path.to_string());
    problem.request_id = request_id.map(str::to_string);
    let mut response = with_problem_body(actix_web::ResponseError::error_response(error), &problem);
    if let Some(id) = request_id.and_then(|id| HeaderValue::from_str(id).ok()) {
        response.headers_mut().insert(X_REQUEST_ID.clone(), id);
    }
    response
}

fn with_problem_body(response: HttpResponse, problem: &Problem) -> HttpResponse {
    let body = serde_json::to_string(problem).unwrap_or_default();
    let mut response = response.set_body(BoxBody::new(body));
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    response.headers_mut().remove(header::CONTENT_LENGTH);
    response
}

/// The problem for an error response: ours as rendered, anyone else's (actix, a middleware) as
/// a generic problem for its status.
fn problem_for(response: &HttpResponse) -> Problem {
    if let Some(api) = response.error().and_then(|e| e.as_error::<ApiError>()) {
        return api.problem();
    }
    let status = response.status();
    let detail = match response.error() {
        Some(e) if status.is_client_error() => e.to_string(),
        _ => status.canonical_reason().unwrap_or("Error").to_string(),
    };
    generic(status, detail)
}

fn generic(status: StatusCode, detail: String) -> Problem {
    let problem_type = ProblemType::for_status(status.as_u16());
    Problem {
        problem_type: problem_type.urn(),
        title: status.canonical_reason().unwrap_or("Error").to_string(),
        status: status.as_u16(),
        detail,
        instance: None,
        request_id: None,
        errors: Vec::new(),
        current_status: None,
        allowed_actions: None,
        clashing_session_id: None,
        charge_id: None,
        providers: None,
    }
}

/// The documented operations, to tell an unknown path (404) from a known path called with the
/// wrong method (405).
#[derive(Clone, Debug, Default)]
pub struct RouteTable {
    routes: Vec<(Vec<String>, Vec<String>)>,
}

impl RouteTable {
    pub fn from_openapi(doc: &utoipa::openapi::OpenApi) -> RouteTable {
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ]
                .into_iter()
                .filter(|(_, present)| *present)
                .map(|(m, _)| m.to_string())
                .collect();
                (segments(path), methods)
            })
            .collect();
        RouteTable { routes }
    }

    /// The methods a path answers, or `None` if no route has this shape.
    pub fn methods_for(&self, path: &str) -> Option<Vec<String>> {
        let wanted = segments(path);
        let mut methods: Vec<String> = self
            .routes
            .iter()
            .filter(|(pattern, _)| {
                pattern.len() == wanted.len()
                    && pattern
                        .iter()
                        .zip(&wanted)
                        .all(|(p, w)| p == w || (p.starts_with('{') && !w.is_empty()))
            })
            .flat_map(|(_, m)| m.iter().cloned())
            .collect();
        methods.sort();
        methods.dedup();
        (!methods.is_empty()).then_some(methods)
    }
}

fn segments(path: &str) -> Vec<String> {
    path.split('/').map(str::to_string).collect()
}

/// Answers every request no route took.
pub async fn fallback(
    req: HttpRequest,
    routes: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    Err(match routes.methods_for(req.path()) {
        Some(allow) => ApiError::MethodNotAllowed {
            method: req.method().to_string(),
            allow,
        },
        None => ApiError::NotFound(format!("there is no endpoint at {}", req.path())),
    })
}

/// The request span, as `tracing-actix-web` builds it, except that a calendar feed's URL is
/// logged without its token: the token alone opens the feed.
pub struct RedactedRootSpan;

impl tracing_actix_web::RootSpanBuilder for RedactedRootSpan {
    fn on_request_start(request: &actix_web::dev::ServiceRequest) -> tracing::Span {
        if !request.path().starts_with("/v1/calendar/") {
            return tracing_actix_web::root_span!(request);
        }
        let request_id = actix_web::HttpMessage::extensions(request)
            .get::<tracing_actix_web::RequestId>()
            .map(|id| id.to_string())
            .unwrap_or_default();
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = "/v1/calendar/{token}",
            http.target = "/v1/calendar/[redacted]",
            otel.kind = "server",
            request_id = %request_id,
            http.status_code = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
        )
    }

    fn on_request_end<B: actix_web::body::MessageBody>(
        span: tracing::Span,
        outcome: &Result<actix_web::dev::ServiceResponse<B>, actix_web::Error>,
    ) {
        tracing_actix_web::DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_path_with_another_method_is_405_and_an_unknown_one_404() {
        let table = RouteTable {
            routes: vec![
                (segments("/v1/centres"), vec!["GET".into(), "POST".into()]),
                (
                    segments("/v1/centres/{id}"),
                    vec!["GET".into(), "PATCH".into()],
                ),
            ],
        };
        assert_eq!(
            table.methods_for("/v1/centres/abc"),
            Some(vec!["GET".into(), "PATCH".into()])
        );
        assert_eq!(
            table.methods_for("/v1/centres/"),
            None,
            "a trailing slash is another path"
        );
        assert_eq!(table.methods_for("/v1/centres/abc/rooms/x"), None);
        assert_eq!(table.methods_for("/v1/nothing"), None);
    }
}
