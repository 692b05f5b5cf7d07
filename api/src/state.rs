//! What every handler can reach: the database, the document store, the token keys and the
//! configuration.

use std::sync::Arc;

use actix_web::web;

use tokio::sync::Semaphore;

use crate::audit::{self, Trail};
use crate::config::Config;
use crate::error::ApiError;
use crate::security::{self, JwtKeys};
use crate::statement_counts;
use ccm_persistence::document_store::{DocumentStore, DocumentStoreError, FsDocumentStore};
use ccm_persistence::{AnyConnection, Db};

use crate::rate_limit::RateLimiter;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub keys: Arc<JwtKeys>,
    pub config: Arc<Config>,
    /// The contents of documents filed on cases.
    pub documents: Arc<dyn DocumentStore>,
    /// Argon2 takes ~19 MiB and tens of milliseconds per password; a burst of logins must
    /// queue for a few permits rather than run hundreds at once.
    hashing: Arc<Semaphore>,
    /// Each partner API client's allowance of requests (per process).
    pub client_limiter: Arc<RateLimiter<String>>,
}

impl AppState {
    pub fn new(db: Db, config: Config) -> AppState {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        AppState {
            keys: Arc::new(JwtKeys::new(&config.jwt_secret, config.access_token_ttl)),
            db,
            documents: Arc::new(FsDocumentStore::new(&config.document_dir)),
            client_limiter: Arc::new(RateLimiter::per_minute(config.client_rate_per_minute)),
            config: Arc::new(config),
            hashing: Arc::new(Semaphore::new(2 * cores)),
        }
    }

    /// Hashes a password off the async runtime, a few at a time.
    pub async fn hash_password(&self, password: String) -> Result<String, ApiError> {
        let _permit = self
            .hashing
            .acquire()
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        web::block(move || security::hash_password(&password))
            .await
            .map_err(|e| ApiError::Internal(format!("blocking task failed: {e}")))?
    }

    /// Checks a password against a stored hash, a few at a time. With no hash (no such account)
    /// it spends the same time and answers `false`, so timing does not reveal accounts.
    pub async fn verify_password(
        &self,
        hash: Option<String>,
        password: String,
    ) -> Result<bool, ApiError> {
        let _permit = self
            .hashing
            .acquire()
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        web::block(move || match hash {
            Some(hash) => security::verify_password(&hash, &password),
            None => {
                security::burn_verification_time(&password);
                false
            }
        })
        .await
        .map_err(|e| ApiError::Internal(format!("blocking task failed: {e}")))
    }

    /// Runs work on the document store on the blocking pool (it reads and writes files).
    pub async fn documents<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&dyn DocumentStore) -> Result<T, DocumentStoreError> + Send + 'static,
        T: Send + 'static,
    {
        let store = self.documents.clone();
        web::block(move || f(store.as_ref()))
            .await
            .map_err(|e| ApiError::Internal(format!("blocking task failed: {e}")))?
            .map_err(ApiError::from)
    }

    /// Runs read-only storage work on the blocking pool, so diesel never stalls the runtime.
    /// Confidential reads the work noted are audited before its result is returned; if they
    /// cannot be recorded, the data is not returned either.
    pub async fn read<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let db = self.db.clone();
        let trail = audit::current();
        let counter = statement_counts::request_counter();
        web::block(move || {
            statement_counts::counted(counter.as_ref(), || {
                let _bound = audit::bind(trail.clone());
                let out = db.read(f)?;
                if let Some(trail) = trail.filter(Trail::has_reads) {
                    // The read events go in as one INSERT, atomic on its own.
                    db.write_once(|conn| Ok::<_, ApiError>(trail.append(conn, false)?))?;
                }
                Ok(out)
            })
        })
        .await
        .map_err(|e| ApiError::Internal(format!("blocking task failed: {e}")))?
    }

    /// Runs storage work in one write transaction on the blocking pool, with the request's
    /// audit event appended in the same transaction.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let db = self.db.clone();
        let trail = audit::current();
        let counter = statement_counts::request_counter();
        web::block(move || {
            statement_counts::counted(counter.as_ref(), || {
                let _bound = audit::bind(trail.clone());
                db.write(|conn| {
                    let out = f(conn)?;
                    if let Some(trail) = &trail {
                        trail.append(conn, true)?;
                    }
                    Ok(out)
                })
            })
        })
        .await
        .map_err(|e| ApiError::Internal(format!("blocking task failed: {e}")))?
    }
}
