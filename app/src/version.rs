//! Optimistic concurrency: an update names the version it last read, and is refused if the
//! record has moved on since.

use crate::AppError;

/// The entity tag of a record's version, as `ETag` and `If-Match` carry it.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The versions an update may apply to: the `If-Match` value sent, if any.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IfMatch(pub Option<String>);

impl IfMatch {
    /// Refuses an update whose `If-Match` names another version than the current one. Without
    /// the header the update goes ahead (last write wins).
    pub fn check(&self, current_version: i64) -> Result<(), AppError> {
        let Some(value) = &self.0 else {
            return Ok(());
        };
        let current = etag(current_version);
        let matches = value.trim() == "*" || value.split(',').any(|tag| tag.trim() == current);
        if matches {
            Ok(())
        } else {
            Err(AppError::PreconditionFailed(format!(
                "the resource has changed since you read it (its ETag is now {current}); fetch it again"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_header_star_or_a_listed_tag_matches() {
        assert!(IfMatch(None).check(3).is_ok());
        assert!(IfMatch(Some("*".into())).check(3).is_ok());
        assert!(IfMatch(Some("\"2\", \"3\"".into())).check(3).is_ok());
        assert!(matches!(
            IfMatch(Some("\"2\"".into())).check(3),
            Err(AppError::PreconditionFailed(_))
        ));
    }
}
