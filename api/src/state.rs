//! What every handler can reach: the database, the token keys and the configuration.

use std::sync::Arc;

use actix_web::web;

use crate::config::Config;
use crate::error::ApiError;
use crate::security::JwtKeys;
use ccm_persistence::{AnyConnection, Db};

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub keys: Arc<JwtKeys>,
    pub config: Arc<Config>,
}

impl AppState {
    pub fn new(db: Db, config: Config) -> AppState {
        AppState {
            keys: Arc::new(JwtKeys::new(&config.jwt_secret, config.access_token_ttl)),
            db,
            config: Arc::new(config),
        }
    }

    /// Runs read-only storage work on the blocking pool, so diesel never stalls the runtime.
    pub async fn read<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let db = self.db.clone();
        web::block(move || db.read(f))
            .await
            .map_err(|e| ApiError::Internal(format!("blocking task failed: {e}")))?
    }

    /// Runs storage work in one write transaction on the blocking pool.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let db = self.db.clone();
        web::block(move || db.write(f))
            .await
            .map_err(|e| ApiError::Internal(format!("blocking task failed: {e}")))?
    }
}
