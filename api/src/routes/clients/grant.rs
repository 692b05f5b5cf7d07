//! The credentials of the OAuth2 client-credentials grant, as HTTP Basic sends them.

use actix_web::http::header;
use actix_web::HttpRequest;
use base64::Engine;

use crate::error::ApiError;

/// A client's id and secret sent as HTTP Basic credentials (RFC 6749 2.3.1: each
/// form-urlencoded, then joined by a colon and base64-encoded), if the request has them.
pub fn basic_credentials(req: &HttpRequest) -> Result<Option<(String, String)>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let bad = || ApiError::Unauthorized("the Basic credentials are not readable".into());
    let value = value.to_str().map_err(|_| bad())?;
    let Some((scheme, encoded)) = value.split_once(' ') else {
        return Ok(None);
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Ok(None);
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| bad())?;
    let text = String::from_utf8(decoded).map_err(|_| bad())?;
    let (id, secret) = text.split_once(':').ok_or_else(bad)?;
    let unescape = |s: &str| -> String {
        form_urlencoded::parse(format!("v={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Ok(Some((unescape(id), unescape(secret))))
}
