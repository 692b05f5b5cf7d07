//! Conventions shared by every resource (api.md): money as decimal strings, dates, cursor
//! pagination, ETag/If-Match, `201 Created` with `Location`, and nullable patch fields.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::{Deserialize, Deserializer, Serialize};
use time::{OffsetDateTime, PrimitiveDateTime};
use utoipa::IntoParams;
use validator::Validate;

use crate::error::ApiError;
use ccm_domain::Money;
use ccm_persistence::Page;

pub const CURRENCY: &str = "GBP";

/// Money in requests: a JSON string of pounds with at most two decimal places ("95", "95.5",
/// "95.00"), never negative, at most £10,000,000. Read with rust_decimal, handed on as pence.
pub mod money {
    use super::*;
    use rust_decimal::prelude::ToPrimitive;
    use rust_decimal::Decimal;
    use std::str::FromStr;

    pub const PATTERN: &str = r"^[0-9]{1,8}(\.[0-9]{1,2})?$";

    pub fn parse(text: &str) -> Result<Money, &'static str> {
        const NOT_DECIMAL: &str = "must be a decimal string in pounds, such as \"95.00\"";
        if let Some(positive) = text.strip_prefix('-') {
            return Err(if parse(positive).is_ok() {
                "must not be negative"
            } else {
                NOT_DECIMAL
            });
        }
        let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty()
            || !digits(whole)
            || !digits(frac)
            || (text.contains('.') && frac.is_empty())
        {
            return Err(NOT_DECIMAL);
        }
        if frac.len() > 2 {
            return Err("must have at most two decimal places");
        }
        let decimal = Decimal::from_str(text).map_err(|_| "must be at most 10000000.00")?;
        let pence = (decimal * Decimal::ONE_HUNDRED)
            .to_i64()
            .ok_or("must be at most 10000000.00")?;
        let money = Money::from_pence(pence);
        if money > ccm_domain::money::MAX_INPUT {
            return Err("must be at most 10000000.00");
        }
        Ok(money)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        let text = String::deserialize(d)?;
        parse(&text).map_err(serde::de::Error::custom)
    }

    pub fn serialize<S: serde::Serializer>(m: &Money, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&m.to_string())
    }

    /// For `Option<Money>` fields that may be absent or null.
    pub mod option {
        use super::*;

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Money>, D::Error> {
            match Option::<String>::deserialize(d)? {
                None => Ok(None),
                Some(text) => parse(&text).map(Some).map_err(serde::de::Error::custom),
            }
        }

        pub fn serialize<S: serde::Serializer>(m: &Option<Money>, s: S) -> Result<S::Ok, S::Error> {
            match m {
                Some(m) => s.serialize_some(&m.to_string()),
                None => s.serialize_none(),
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn pounds_as_people_write_them() {
            assert_eq!(parse("95"), Ok(Money::pounds(95)));
            assert_eq!(parse("95.5"), Ok(Money::from_pence(9550)));
            assert_eq!(parse("0.05"), Ok(Money::from_pence(5)));
            assert_eq!(parse("10000000.00"), Ok(ccm_domain::money::MAX_INPUT));
        }

        #[test]
        fn nothing_ambiguous() {
            assert_eq!(parse("95.001"), Err("must have at most two decimal places"));
            assert_eq!(parse("-5.00"), Err("must not be negative"));
            assert_eq!(parse("10000000.01"), Err("must be at most 10000000.00"));
            assert_eq!(
                parse("999999999999999999999999"),
                Err("must be at most 10000000.00")
            );
            for bad in [
                "", ".5", "5.", "1e3", "£5", " 5", "5,000", "+5", "NaN", "--5", "1_000",
            ] {
                assert!(
                    parse(bad).unwrap_err().starts_with("must be a decimal"),
                    "{bad:?}"
                );
            }
        }

        #[test]
        fn what_is_shown_reads_back() {
            for pence in [0, 1, 99, 100, 9500, 123_456_789] {
                let m = Money::from_pence(pence);
                assert_eq!(parse(&m.to_string()), Ok(m));
            }
        }
    }
}

/// Local dates as "YYYY-MM-DD".
pub mod date {
    time::serde::format_description!(pub format, Date, "[year]-[month]-[day]");
}

/// An instant, shown as RFC 3339 in UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(value_type = String, format = DateTime, example = "2026-03-28T09:00:00Z")]
pub struct Instant(#[serde(with = "time::serde::rfc3339")] pub OffsetDateTime);

/// A stored UTC timestamp as an instant.
pub fn utc(at: PrimitiveDateTime) -> Instant {
    Instant(at.assume_utc())
}

/// Refuses text that is empty once spaces are trimmed (names, towns, address lines), which
/// a length check alone lets through ("\u{85}" is one character and all whitespace).
pub fn not_blank(value: &str) -> Result<(), validator::ValidationError> {
    if value.trim().is_empty() {
        let mut e = validator::ValidationError::new("blank");
        e.message = Some("must not be blank".into());
        return Err(e);
    }
    Ok(())
}

/// Reads a patch field that may be absent (unchanged), null (cleared) or a value.
pub fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// `?limit=` and `?cursor=` for every list. Items come in creation order (oldest first);
/// `next_cursor` from one page fetches the next.
#[derive(Debug, Default, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items per page, 1 to 200 (default 50).
    #[validate(range(min = 1, max = 200))]
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[param(pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    pub cursor: Option<String>,
}

impl PageParams {
    pub fn limit(&self) -> i64 {
        i64::from(self.limit.unwrap_or(50))
    }

    /// The cursor, checked: it is an id, and ids are UUIDs.
    pub fn after(&self) -> Result<Option<String>, ApiError> {
        match &self.cursor {
            None => Ok(None),
            Some(c) if uuid::Uuid::parse_str(c).is_ok() => Ok(Some(c.clone())),
            Some(_) => Err(ApiError::bad_query(
                "cursor",
                "is not a cursor returned by this API",
            )),
        }
    }
}

/// The cursor for the page after `page`, or `None` on the last page.
pub fn next_cursor<T>(page: &Page<T>, id: impl Fn(&T) -> &str) -> Option<String> {
    if page.has_more {
        page.items.last().map(|last| id(last).to_string())
    } else {
        None
    }
}

/// Declares a list response type `{items, next_cursor}` for one resource.
macro_rules! list_response {
    ($name:ident, $item:ty) => {
        #[derive(serde::Serialize, utoipa::ToSchema)]
        pub struct $name {
            pub items: Vec<$item>,
            /// Pass as `?cursor=` to get the next page; null on the last page.
            pub next_cursor: Option<String>,
        }
    };
}
pub(crate) use list_response;

pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// 200 with the resource and its ETag.
pub fn ok_tagged<T: Serialize>(body: &T, version: i64) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(version)))
        .json(body)
}

/// 201 with the resource, its ETag and where it lives.
pub fn created<T: Serialize>(location: &str, body: &T, version: i64) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .insert_header((header::ETAG, etag(version)))
        .json(body)
}

/// The `If-Match` header of an update, read up front so it can travel to the blocking thread
/// where the current version is known.
#[derive(Clone, Debug, Default)]
pub struct IfMatch(Option<String>);

impl actix_web::FromRequest for IfMatch {
    type Error = ApiError;
    type Future = std::future::Ready<Result<IfMatch, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let value = req
            .headers()
            .get(header::IF_MATCH)
            .map(|v| v.to_str().unwrap_or_default().to_string());
        std::future::ready(Ok(IfMatch(value)))
    }
}

impl IfMatch {
    /// Refuses an update whose `If-Match` names another version than the current one. Without
    /// the header the update goes ahead (last write wins).
    pub fn check(&self, current_version: i64) -> Result<(), ApiError> {
        match self.stale(current_version) {
            None => Ok(()),
            Some(detail) => Err(ApiError::PreconditionFailed(detail)),
        }
    }

    /// Why an update is refused as stale, if it is (for a workflow that checks in its own
    /// transaction).
    pub fn stale(&self, current_version: i64) -> Option<String> {
        let value = self.0.as_ref()?;
        let current = etag(current_version);
        let matches = value.trim() == "*" || value.split(',').any(|tag| tag.trim() == current);
        (!matches).then(|| {
            format!(
                "the resource has changed since you read it (its ETag is now {current}); fetch it again"
            )
        })
    }
}
