//! Local dates as "YYYY-MM-DD" wherever the domain keeps them as text.

use serde::{Deserialize, Deserializer, Serializer};
use time::Date;

const FORMAT: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

pub fn text(date: Date) -> String {
    date.format(FORMAT).unwrap_or_default()
}

pub fn parse(text: &str) -> Option<Date> {
    Date::parse(text, FORMAT).ok()
}

/// For `Option<Date>` fields.
pub mod iso_option {
    use super::*;

    pub fn serialize<S: Serializer>(date: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match date {
            Some(d) => s.serialize_some(&text(*d)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(t) => parse(&t)
                .map(Some)
                .ok_or_else(|| serde::de::Error::custom("must be a date as \"YYYY-MM-DD\"")),
        }
    }
}
