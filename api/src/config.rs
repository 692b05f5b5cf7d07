//! Configuration from the environment, with safe defaults for the embedded (SQLite) mode and a
//! refusal to run in production with development secrets.

use std::path::PathBuf;
use std::time::Duration;

use ccm_domain::lockout::LockoutPolicy;
use ccm_persistence::db::Synchronous;
use ccm_persistence::DbConfig;

/// The JWT secret used when none is configured. Fine on a laptop; refused in production.
pub const DEV_JWT_SECRET: &str = "ccm-development-secret-never-use-in-production";
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/ccm.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const DEFAULT_DOCUMENT_DIR: &str = "./data/documents";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub environment: Environment,
    /// `CCM_BIND`: address and port to listen on.
    pub bind: String,
    /// `DATABASE_URL` and the pool settings.
    pub database: DbConfig,
    /// `CCM_JWT_SECRET`: HS256 key for access tokens.
    pub jwt_secret: String,
    /// `CCM_ACCESS_TOKEN_TTL_SECS` (default 15 minutes).
    pub access_token_ttl: Duration,
    /// `CCM_REFRESH_TOKEN_TTL_SECS` (default 30 days).
    pub refresh_token_ttl: Duration,
    /// `CCM_CORS_ORIGINS`: comma-separated origins allowed to call from a browser, or `*`.
    pub cors_origins: Vec<String>,
    /// `CCM_MAX_BODY_BYTES`: the largest request body accepted (default 256 KiB).
    pub max_body_bytes: usize,
    /// `CCM_DOCUMENT_DIR`: where the contents of documents filed on cases are kept (default
    /// `./data/documents`). Every `ccm serve` process sharing a database must see the same
    /// directory.
    pub document_dir: PathBuf,
    /// `CCM_DOCUMENT_MAX_BYTES`: the largest document accepted (default 10 MiB, at most
    /// 100 MiB: an upload is held in memory while it is checked).
    pub document_max_bytes: usize,
    /// `CCM_LOGIN_MAX_FAILURES`, `CCM_LOGIN_LOCK_SECS`.
    pub lockout: LockoutPolicy,
    /// `CCM_AUTH_RATE_PER_MINUTE`: requests to the token endpoints one client address may make
    /// per minute, per server process (default 30).
    pub auth_rate_per_minute: u32,
    /// `CCM_CLIENT_RATE_PER_MINUTE`: requests one partner API client may make per minute, per
    /// server process (default 600).
    pub client_rate_per_minute: u32,
    /// `CCM_BOOTSTRAP_ADMIN_EMAIL` and `CCM_BOOTSTRAP_ADMIN_PASSWORD`: the first platform admin.
    pub bootstrap_admin: Option<(String, String)>,
    /// `CCM_WORKERS`: HTTP worker threads (default: one per core).
    pub workers: Option<usize>,
    /// `LOG_FORMAT=json` for JSON log lines.
    pub log_format: LogFormat,
    /// `CCM_OFFER_EXPIRY_DAYS`: how long a family has to accept a place (default 14).
    pub offer_expiry_days: u32,
    /// `CCM_REVIEW_INTERVAL_MONTHS`: how often an active case is reviewed (default 3).
    pub review_interval_months: u32,
    /// `CCM_SWEEP_INTERVAL_SECS`: how often a server expires offers, marks reviews due and
    /// offers freed places (default 60; 0 turns it off, e.g. for a separate `ccm sweep` cron).
    pub sweep_interval_secs: u64,
    /// `CCM_TURNAROUND_MINUTES`: the gap a private room or a supervisor needs between two
    /// sessions (default 15).
    pub turnaround_minutes: u32,
    /// `CCM_REPORT_DUE_WORKING_DAYS`: how many working days after a supervised session its
    /// report is due (default 5).
    pub report_due_working_days: u32,
    /// `CCM_WEBHOOK_POLL_MS`: how often a server looks for webhook deliveries that are due
    /// (default 1000; 0 turns delivery off in this process).
    pub webhook_poll_ms: u64,
    /// `CCM_WEBHOOK_TIMEOUT_SECS`: how long a partner's receiver has to answer (default 10).
    pub webhook_timeout: Duration,
    /// `CCM_WEBHOOK_ALLOW_LOOPBACK=true`: allow webhooks to 127.0.0.1/::1 (local development
    /// and tests only; refused in production).
    pub webhook_loopback: ccm_domain::webhooks::Loopback,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// Reads configuration through `var`, so tests can supply their own environment.
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let environment = match var("CCM_ENV").as_deref() {
            None | Some("development") | Some("dev") => Environment::Development,
            Some("production") | Some("prod") => Environment::Production,
            Some(other) => {
                return Err(ConfigError(format!(
                    "CCM_ENV={other:?} is not known: use development or production"
                )))
            }
        };
        let number = |name: &str, default: u64| -> Result<u64, ConfigError> {
            match var(name) {
                None => Ok(default),
                Some(v) => v
                    .parse()
                    .map_err(|_| ConfigError(format!("{name}={v:?} is not a whole number"))),
            }
        };
        // Bounds keep every duration well inside what time arithmetic can represent.
        let bounded = |name: &str, default: u64, min: u64, max: u64| -> Result<u64, ConfigError> {
            let value = number(name, default)?;
            if (min..=max).contains(&value) {
                Ok(value)
            } else {
                Err(ConfigError(format!(
                    "{name}={value} must be between {min} and {max}"
                )))
            }
        };
        let jwt_secret = var("CCM_JWT_SECRET").unwrap_or_else(|| DEV_JWT_SECRET.to_string());
        if environment == Environment::Production {
            if jwt_secret == DEV_JWT_SECRET {
                return Err(ConfigError(
                    "CCM_ENV=production needs CCM_JWT_SECRET: refusing to start with the built-in development secret".into(),
                ));
            }
            if jwt_secret.len() < 32 {
                return Err(ConfigError(
                    "CCM_JWT_SECRET must be at least 32 characters in production".into(),
                ));
            }
        }
        let sqlite_synchronous = match var("CCM_SQLITE_SYNCHRONOUS").as_deref() {
            None | Some("normal") => Synchronous::Normal,
            Some("full") => Synchronous::Full,
            Some(other) => {
                return Err(ConfigError(format!(
                    "CCM_SQLITE_SYNCHRONOUS={other:?} is not known: use normal or full"
                )))
            }
        };
        let mut database =
            DbConfig::new(var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string()));
        database.pool_size = u32::try_from(number("CCM_DB_POOL_SIZE", 10)?).unwrap_or(10);
        database.acquire_timeout =
            Duration::from_millis(number("CCM_DB_ACQUIRE_TIMEOUT_MS", 5_000)?);
        database.sqlite_synchronous = sqlite_synchronous;
        let bootstrap_admin = match (
            var("CCM_BOOTSTRAP_ADMIN_EMAIL"),
            var("CCM_BOOTSTRAP_ADMIN_PASSWORD"),
        ) {
            (Some(e), Some(p)) => Some((e, p)),
            (None, None) => None,
            _ => return Err(ConfigError(
                "set both CCM_BOOTSTRAP_ADMIN_EMAIL and CCM_BOOTSTRAP_ADMIN_PASSWORD, or neither"
                    .into(),
            )),
        };
        let log_format = match var("LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError(format!(
                    "LOG_FORMAT={other:?} is not known: use text or json"
                )))
            }
        };
        let webhook_loopback = match var("CCM_WEBHOOK_ALLOW_LOOPBACK").as_deref() {
            None | Some("false") => ccm_domain::webhooks::Loopback::Refused,
            Some("true") if environment == Environment::Production => return Err(ConfigError(
                "CCM_WEBHOOK_ALLOW_LOOPBACK=true is for development only, not CCM_ENV=production"
                    .into(),
            )),
            Some("true") => ccm_domain::webhooks::Loopback::Allowed,
            Some(other) => {
                return Err(ConfigError(format!(
                    "CCM_WEBHOOK_ALLOW_LOOPBACK={other:?} is not known: use true or false"
                )))
            }
        };
        let max_failures =
            u32::try_from(bounded("CCM_LOGIN_MAX_FAILURES", 5, 1, 100)?).unwrap_or(5);
        let lock_secs =
            i64::try_from(bounded("CCM_LOGIN_LOCK_SECS", 15 * 60, 1, 24 * 3600)?).unwrap_or(900);
        Ok(Config {
            environment,
            bind: var("CCM_BIND").unwrap_or_else(|| DEFAULT_BIND.to_string()),
            database,
            jwt_secret,
            access_token_ttl: Duration::from_secs(bounded(
                "CCM_ACCESS_TOKEN_TTL_SECS",
                15 * 60,
                1,
                24 * 3600,
            )?),
            refresh_token_ttl: Duration::from_secs(bounded(
                "CCM_REFRESH_TOKEN_TTL_SECS",
                30 * 24 * 3600,
                60,
                365 * 24 * 3600,
            )?),
            cors_origins: var("CCM_CORS_ORIGINS")
                .map(|v| {
                    v.split(',')
                        .map(|o| o.trim().to_string())
                        .filter(|o| !o.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            max_body_bytes: usize::try_from(number("CCM_MAX_BODY_BYTES", 256 * 1024)?)
                .unwrap_or(256 * 1024),
            document_dir: PathBuf::from(
                var("CCM_DOCUMENT_DIR").unwrap_or_else(|| DEFAULT_DOCUMENT_DIR.to_string()),
            ),
            document_max_bytes: usize::try_from(bounded(
                "CCM_DOCUMENT_MAX_BYTES",
                10 * 1024 * 1024,
                1,
                100 * 1024 * 1024,
            )?)
            .unwrap_or(10 * 1024 * 1024),
            lockout: LockoutPolicy {
                max_failures,
                lock_for: time::Duration::seconds(lock_secs),
            },
            auth_rate_per_minute: u32::try_from(bounded(
                "CCM_AUTH_RATE_PER_MINUTE",
                30,
                1,
                10_000,
            )?)
            .unwrap_or(30),
            client_rate_per_minute: u32::try_from(bounded(
                "CCM_CLIENT_RATE_PER_MINUTE",
                600,
                1,
                100_000,
            )?)
            .unwrap_or(600),
            bootstrap_admin,
            workers: var("CCM_WORKERS")
                .and_then(|w| w.parse().ok())
                .filter(|w| *w > 0),
            log_format,
            offer_expiry_days: u32::try_from(bounded("CCM_OFFER_EXPIRY_DAYS", 14, 1, 365)?)
                .unwrap_or(14),
            review_interval_months: u32::try_from(bounded("CCM_REVIEW_INTERVAL_MONTHS", 3, 1, 24)?)
                .unwrap_or(3),
            sweep_interval_secs: bounded("CCM_SWEEP_INTERVAL_SECS", 60, 0, 24 * 3600)?,
            turnaround_minutes: u32::try_from(bounded("CCM_TURNAROUND_MINUTES", 15, 0, 240)?)
                .unwrap_or(15),
            report_due_working_days: u32::try_from(bounded(
                "CCM_REPORT_DUE_WORKING_DAYS",
                5,
                1,
                60,
            )?)
            .unwrap_or(5),
            webhook_poll_ms: bounded("CCM_WEBHOOK_POLL_MS", 1_000, 0, 3_600_000)?,
            webhook_timeout: Duration::from_secs(bounded("CCM_WEBHOOK_TIMEOUT_SECS", 10, 1, 120)?),
            webhook_loopback,
        })
    }

    /// The development defaults (what `make run` uses), for tests and tools.
    pub fn development(database_url: &str) -> Config {
        let url = database_url.to_string();
        Config::from_lookup(move |name| (name == "DATABASE_URL").then(|| url.clone()))
            .expect("the development defaults are valid")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_run_on_embedded_sqlite() {
        let c = config(&[]).unwrap();
        assert_eq!(c.database.url, "sqlite://data/ccm.db");
        assert_eq!(c.bind, "127.0.0.1:8080");
        assert_eq!(c.environment, Environment::Development);
        assert_eq!(c.access_token_ttl, Duration::from_secs(900));
        assert_eq!(c.document_dir, PathBuf::from("./data/documents"));
        assert_eq!(c.document_max_bytes, 10 * 1024 * 1024);
    }

    #[test]
    fn production_refuses_the_development_secret() {
        let err = config(&[("CCM_ENV", "production")]).unwrap_err();
        assert!(err.0.contains("CCM_JWT_SECRET"), "{err}");
        let err = config(&[("CCM_ENV", "production"), ("CCM_JWT_SECRET", "short")]).unwrap_err();
        assert!(err.0.contains("32"), "{err}");
        let ok = config(&[
            ("CCM_ENV", "production"),
            ("CCM_JWT_SECRET", &"k".repeat(40)),
        ]);
        assert!(ok.is_ok());
    }

    #[test]
    fn a_half_configured_bootstrap_admin_is_an_error() {
        assert!(config(&[("CCM_BOOTSTRAP_ADMIN_EMAIL", "a@b.org")]).is_err());
    }

    #[test]
    fn durations_must_be_sensible() {
        let err = config(&[("CCM_ACCESS_TOKEN_TTL_SECS", "99999999999")]).unwrap_err();
        assert!(err.0.contains("between 1 and 86400"), "{err}");
        assert!(config(&[("CCM_LOGIN_LOCK_SECS", "0")]).is_err());
    }

    #[test]
    fn the_auth_rate_is_bounded() {
        assert_eq!(config(&[]).unwrap().auth_rate_per_minute, 30);
        assert!(config(&[("CCM_AUTH_RATE_PER_MINUTE", "0")]).is_err());
        assert!(config(&[("CCM_AUTH_RATE_PER_MINUTE", "10001")]).is_err());
        let c = config(&[("CCM_AUTH_RATE_PER_MINUTE", "10000")]).unwrap();
        assert_eq!(c.auth_rate_per_minute, 10_000);
    }

    #[test]
    fn numbers_must_be_numbers() {
        let err = config(&[("CCM_DB_POOL_SIZE", "lots")]).unwrap_err();
        assert!(err.0.contains("CCM_DB_POOL_SIZE"));
    }
}
