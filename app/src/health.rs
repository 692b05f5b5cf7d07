//! Whether the service can serve: the database answers and its schema is current; and the
//! gauges read from it on each metrics scrape.

use ccm_persistence::db::PoolState;
use ccm_persistence::{webhooks, Backend, Db, StoreError};

use crate::AppError;

/// The database's name ("postgres" or "sqlite") once it answers with every migration applied;
/// otherwise unavailable, saying why.
pub fn readiness(db: &Db) -> Result<&'static str, AppError> {
    match db.schema_is_current() {
        Ok(true) => {}
        Ok(false) => {
            return Err(StoreError::Unavailable(
                "database migrations are pending: run `ccm migrate`".into(),
            )
            .into())
        }
        Err(e) => return Err(StoreError::Unavailable(e.to_string()).into()),
    }
    Ok(match db.backend() {
        Backend::Postgres => "postgres",
        Backend::Sqlite => "sqlite",
    })
}

/// How busy each connection pool is, by name.
pub fn pools(db: &Db) -> Vec<(&'static str, PoolState)> {
    db.pool_state()
}

/// Webhook deliveries waiting to be sent (due or retrying).
pub fn webhook_backlog(db: &Db) -> Result<i64, AppError> {
    db.read(|conn| Ok(webhooks::backlog(conn)?))
}
