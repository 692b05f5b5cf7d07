//! Instants as the database keeps them.

use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// An instant as stored: UTC, without an offset.
pub fn stored(at: OffsetDateTime) -> PrimitiveDateTime {
    let utc = at.to_offset(UtcOffset::UTC);
    PrimitiveDateTime::new(utc.date(), utc.time())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn an_instant_is_stored_as_its_utc_wall_clock() {
        assert_eq!(
            stored(datetime!(2027-06-05 10:00 +01:00)),
            datetime!(2027-06-05 09:00)
        );
    }
}
