use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// What can go wrong in storage, in terms the API maps to HTTP once.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique constraint refused the write; the constraint or message names what clashed.
    #[error("already exists: {0}")]
    Duplicate(String),
    /// The database cannot be reached or the connection broke; worth retrying later.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A stored value the code cannot read (an unknown enum string, malformed JSON).
    #[error("stored data is not readable: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Query(DieselError),
}

impl StoreError {
    /// Whether the connection that produced this error should be thrown away.
    pub fn breaks_connection(&self) -> bool {
        matches!(self, StoreError::Unavailable(_))
    }
}

impl From<DieselError> for StoreError {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::NotFound => StoreError::NotFound,
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                StoreError::Duplicate(
                    info.constraint_name()
                        .map(str::to_string)
                        .unwrap_or_else(|| info.message().to_string()),
                )
            }
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, info)
            | DieselError::DatabaseError(DatabaseErrorKind::UnableToSendCommand, info) => {
                StoreError::Unavailable(info.message().to_string())
            }
            DieselError::BrokenTransactionManager => {
                StoreError::Unavailable("the connection's transaction state is broken".into())
            }
            other => StoreError::Query(other),
        }
    }
}

impl From<r2d2::Error> for StoreError {
    fn from(e: r2d2::Error) -> Self {
        StoreError::Unavailable(one_line(&e.to_string()))
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

/// Reads an enum stored as text, or says which value is unreadable.
pub fn parse_stored<T: std::str::FromStr>(column: &str, value: &str) -> Result<T, StoreError> {
    value
        .parse()
        .map_err(|_| StoreError::Corrupt(format!("{column} = {value:?}")))
}

/// libpq and SQLite messages span lines; logs and start-up errors want one.
pub fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}
