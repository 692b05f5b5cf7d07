//! `Idempotency-Key` on POSTs that create things (api.md): a partner's retry of the same request
//! gets the first response again instead of creating a second referral, centre or payment; the
//! same key with a different body is refused (422); a retry while the first is still running
//! is told so (409). Keys are per caller and remembered for 24 hours.

use actix_web::body::{self, BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpResponse};
use sha2::{Digest, Sha256};
use tracing_actix_web::RequestId;

use crate::error::ApiError;
use crate::error::ProblemType;
use crate::extract::authenticate;
use crate::middleware::{render_problem, X_REQUEST_ID};
use crate::state::AppState;
use ccm_persistence::idempotency::{self, Claim};
use ccm_persistence::now;

pub const HEADER: &str = "idempotency-key";
static REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
/// Response headers kept with the body, so a replay is the same response.
const KEPT_HEADERS: [HeaderName; 3] = [header::CONTENT_TYPE, header::LOCATION, header::ETAG];

/// Which requests honour the header: POSTs under /v1 that change something. Logins and quotes
/// are excluded: a replayed login would hand out a used refresh token, and a quote changes
/// nothing. So are new calendar feeds, whose answer holds the feed's secret token, which must
/// not be kept anywhere but in the caller's hands.
pub fn applies(method: &str, path: &str) -> bool {
    method.eq_ignore_ascii_case("POST")
        && path.starts_with("/v1/")
        && !path.starts_with("/v1/auth/")
        && path != "/v1/quotes"
        && !path.ends_with("/calendar-feeds")
}

pub async fn idempotency(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let key = req
        .headers()
        .get(HEADER)
        .map(|v| v.to_str().unwrap_or_default().to_string());
    let Some(key) =
        key.filter(|_| applies(req.method().as_str(), req.path()) && req.method() == Method::POST)
    else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let request_id = req.extensions().get::<RequestId>().map(|id| id.to_string());
    let path = req.path().to_string();
    let refuse = |req: ServiceRequest, e: ApiError| {
        let response = render_problem(&e, &path, request_id.as_deref());
        Ok(req.into_response(response))
    };
    if key.is_empty() || key.len() > 200 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return refuse(
            req,
            ApiError::BadRequest {
                detail: "Idempotency-Key must be 1 to 200 visible ASCII characters".into(),
                errors: vec![crate::error::FieldError::new(
                    "Idempotency-Key",
                    "invalid",
                    "must be 1 to 200 visible ASCII characters",
                )],
            },
        );
    }
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    // Only an authenticated caller has a scope to remember keys in. Authentication is the
    // handler's own, as the account and client are now, so a replay for a deactivated account
    // or a revoked client is refused by the handler as the first request would have been.
    let claims = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .and_then(|(_, token)| state.keys.verify(token.trim()).ok());
    let pattern = crate::edge::pattern(req.method().as_str(), &path).unwrap_or_default();
    let caller = match claims {
        Some(claims) => authenticate(&state, claims, req.method().as_str(), &pattern)
            .await
            .ok(),
        None => None,
    };
    let Some(caller) = caller else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    req.extensions_mut().insert(caller.clone());

    // A document upload may be far larger than a JSON body; the handler reads the copy kept
    // here under the same limit.
    let limit = if crate::routes::documents::is_upload(req.method().as_str(), &path) {
        state.config.document_max_bytes
    } else {
        state.config.max_body_bytes
    };
    let payload = req.extract::<web::Payload>().await?;
    let body = match payload.to_bytes_limited(limit).await {
        Ok(Ok(body)) => body,
        Ok(Err(e)) => {
            return refuse(
                req,
                ApiError::BadRequest {
                    detail: format!("the request body could not be read: {e}"),
                    errors: vec![],
                },
            )
        }
        Err(_) => {
            return refuse(
                req,
                ApiError::PayloadTooLarge("the request body is too large".into()),
            )
        }
    };
    req.set_payload(Payload::from(body.clone()));
    let mut hasher = Sha256::new();
    hasher.update(path.as_bytes());
    hasher.update([0]);
    hasher.update(&body);
    let hash: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();

    let scope = format!("user:{}", caller.user_id);
    let (claim_scope, claim_key) = (scope.clone(), key.clone());
    let authority = caller.authority();
    let claim_authority = authority.clone();
    let claim = state
        .write(move |conn| {
            Ok(idempotency::claim(
                conn,
                &claim_scope,
                &claim_key,
                &hash,
                &claim_authority,
                now(),
            )?)
        })
        .await;
    match claim {
        Err(e) => return refuse(req, e),
        Ok(Claim::Mismatch) => {
            return refuse(
                req,
                ApiError::rule(
                    ProblemType::IdempotencyKeyReused,
                    "this Idempotency-Key was already used with a different request; use a new key",
                ),
            )
        }
        Ok(Claim::InProgress) => {
            return refuse(
                req,
                ApiError::conflict(
                    ProblemType::IdempotencyKeyInProgress,
                    "a request with this Idempotency-Key is still being processed; retry shortly",
                ),
            )
        }
        Ok(Claim::Replay(record)) if record.authority.as_deref() != Some(authority.as_str()) => {
            // The role, provider or client changed since: what the first request was allowed
            // to see may no longer be this caller's to see.
            return refuse(
                req,
                ApiError::forbidden(
                    "your access has changed since this Idempotency-Key was first used; \
                     the stored response is not replayed",
                ),
            );
        }
        Ok(Claim::Replay(record)) => {
            let mut response = HttpResponse::build(
                StatusCode::from_u16(u16::try_from(record.status.unwrap_or(200)).unwrap_or(200))
                    .unwrap_or(StatusCode::OK),
            );
            let headers: Vec<(String, String)> =
                serde_json::from_str(record.response_headers.as_deref().unwrap_or("[]"))
                    .unwrap_or_default();
            for (name, value) in headers {
                response.insert_header((name, value));
            }
            response.insert_header((REPLAYED.clone(), "true"));
            if let Some(id) = request_id
                .as_deref()
                .and_then(|id| HeaderValue::from_str(id).ok())
            {
                response.insert_header((X_REQUEST_ID.clone(), id));
            }
            let response = response.body(record.response_body.unwrap_or_default());
            return Ok(req.into_response(response));
        }
        Ok(Claim::New) => {}
    }

    let result = next.call(req).await;
    let (request, response) = match result {
        Ok(r) => r.map_into_boxed_body().into_parts(),
        Err(e) => {
            let _ = state
                .write(move |conn| Ok(idempotency::release(conn, &scope, &key)?))
                .await;
            return Err(e);
        }
    };
    let status = response.status();
    let headers: Vec<(String, String)> = KEPT_HEADERS
        .iter()
        .filter_map(|name| {
            let value = response.headers().get(name)?.to_str().ok()?;
            Some((name.as_str().to_string(), value.to_string()))
        })
        .collect();
    let (response, body) = response.into_parts();
    let bytes = body::to_bytes(body).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes).to_string();
    let stored = state
        .write(move |conn| {
            if status.is_server_error() {
                // A failure of ours: let the retry run the request again.
                idempotency::release(conn, &scope, &key)?;
            } else {
                let headers = serde_json::to_string(&headers).unwrap_or_else(|_| "[]".into());
                idempotency::complete(
                    conn,
                    &scope,
                    &key,
                    i32::from(status.as_u16()),
                    &text,
                    &headers,
                )?;
            }
            Ok(())
        })
        .await;
    if let Err(e) = stored {
        tracing::warn!(error = %e, "could not record the idempotent response");
    }
    Ok(ServiceResponse::new(
        request,
        response.set_body(BoxBody::new(bytes)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creations_honour_the_key_logins_and_quotes_do_not() {
        assert!(applies("POST", "/v1/centres"));
        assert!(applies("POST", "/v1/centres/x/rooms"));
        assert!(!applies("GET", "/v1/centres"));
        assert!(!applies("PATCH", "/v1/centres/x"));
        assert!(!applies("POST", "/v1/auth/token"));
        assert!(!applies("POST", "/v1/quotes"));
        assert!(
            !applies("POST", "/v1/referrals/x/calendar-feeds"),
            "a feed's token is never stored"
        );
        assert!(!applies("POST", "/v1/me/calendar-feeds"));
    }
}
