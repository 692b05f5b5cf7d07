//! Times as the database keeps them.

use time::{OffsetDateTime, PrimitiveDateTime};

/// `at` in UTC without its offset, as the columns store it.
pub fn stored(at: OffsetDateTime) -> PrimitiveDateTime {
    let utc = at.to_offset(time::UtcOffset::UTC);
    PrimitiveDateTime::new(utc.date(), utc.time())
}
