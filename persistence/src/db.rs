//! Choosing the backend from `DATABASE_URL`, the connection pools, transactions and migrations.

use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use diesel::connection::{
    AnsiTransactionManager, Connection, SimpleConnection, TransactionManager,
};
use diesel::r2d2::R2D2Connection;
use diesel::{ConnectionError, PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::{one_line, StoreError};
use crate::statements::CountStatements;

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// One connection type over both engines. PostgreSQL comes first: SQLite accepts almost any
/// string as a path, so it must be the last one tried.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

/// How hard SQLite works to keep a committed write. `Normal` (with WAL) survives a crash of the
/// process; `Full` also survives losing power, at some cost per commit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Synchronous {
    Normal,
    Full,
}

#[derive(Clone, Debug)]
pub struct DbConfig {
    pub url: String,
    /// Connections in the PostgreSQL pool, or SQLite readers (SQLite always has one writer).
    pub pool_size: u32,
    /// How long a request waits for a connection before the database counts as unavailable.
    pub acquire_timeout: Duration,
    pub sqlite_synchronous: Synchronous,
}

impl DbConfig {
    pub fn new(url: impl Into<String>) -> DbConfig {
        DbConfig {
            url: url.into(),
            pool_size: 10,
            acquire_timeout: Duration::from_secs(5),
            sqlite_synchronous: Synchronous::Normal,
        }
    }
}

/// Why the database could not be opened; each renders as one line for the operator.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("DATABASE_URL scheme {0:?} is not supported: use postgres://... or a SQLite path such as sqlite://data/ccm.db")]
    UnknownScheme(String),
    #[error("DATABASE_URL names an in-memory SQLite database, which every pooled connection would see empty: give a file path")]
    InMemory,
    #[error("cannot create the folder {path} for the SQLite database: {reason}")]
    Folder { path: String, reason: String },
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    #[error("cannot apply database migrations: {0}")]
    Migrations(String),
}

/// Where the data lives, read from `DATABASE_URL`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Postgres(String),
    Sqlite(PathBuf),
}

impl Target {
    pub fn parse(url: &str) -> Result<Target, StartupError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Target::Postgres(url.to_string()));
        }
        let path = if let Some(rest) = url.strip_prefix("sqlite://") {
            rest
        } else if let Some(rest) = url.strip_prefix("sqlite:") {
            rest
        } else if let Some((scheme, _)) = url.split_once("://") {
            return Err(StartupError::UnknownScheme(scheme.to_string()));
        } else {
            url
        };
        if path.is_empty() || path == ":memory:" || path.contains("mode=memory") {
            return Err(StartupError::InMemory);
        }
        Ok(Target::Sqlite(PathBuf::from(path)))
    }

    pub fn backend(&self) -> Backend {
        match self {
            Target::Postgres(_) => Backend::Postgres,
            Target::Sqlite(_) => Backend::Sqlite,
        }
    }
}

/// Makes first-run set-up (loading the demo data) take turns across processes for the rest of
/// the transaction: a transaction-scoped advisory lock on PostgreSQL; SQLite's single writer
/// already serialises it.
pub fn lock_setup(conn: &mut AnyConnection) -> Result<(), StoreError> {
    if let AnyConnection::Postgresql(pg) = conn {
        diesel::RunQueryDsl::execute(
            diesel::sql_query("SELECT pg_advisory_xact_lock(20261122)"),
            pg,
        )?;
    }
    Ok(())
}

/// A connection back in the pool for longer than this is pinged before it is handed out. A
/// database restart leaves every pooled connection dead, and unpinged each would fail one
/// request with 503 after the database is back (pool size per process); connections in
/// steady use skip the round trip.
const PING_AFTER_IDLE: Duration = Duration::from_secs(1);

/// A pooled connection that remembers whether an error showed it to be dead, so the pool drops
/// it instead of handing it out again.
pub struct DbConn {
    conn: AnyConnection,
    broken: bool,
    returned_at: Instant,
}

impl DbConn {
    pub fn mark_broken(&mut self) {
        self.broken = true;
    }
}

impl Deref for DbConn {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.conn
    }
}

impl DerefMut for DbConn {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.conn
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Reader,
    Writer,
}

#[derive(Debug)]
pub struct Manager {
    target: Target,
    synchronous: Synchronous,
    role: Role,
}

impl Manager {
    fn establish(&self) -> Result<AnyConnection, ConnectionError> {
        match &self.target {
            Target::Postgres(url) => {
                let mut conn = PgConnection::establish(url)?;
                conn.set_instrumentation(CountStatements);
                Ok(AnyConnection::Postgresql(conn))
            }
            Target::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
                let synchronous = match self.synchronous {
                    Synchronous::Normal => "NORMAL",
                    Synchronous::Full => "FULL",
                };
                // Readers are read-only so that a write can never bypass the single writer.
                let query_only = if self.role == Role::Reader {
                    "ON"
                } else {
                    "OFF"
                };
                conn.batch_execute(&format!(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = {synchronous}; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; \
                     PRAGMA query_only = {query_only};"
                ))
                .map_err(ConnectionError::CouldntSetupConfiguration)?;
                conn.set_instrumentation(CountStatements);
                Ok(AnyConnection::Sqlite(conn))
            }
        }
    }
}

impl r2d2::ManageConnection for Manager {
    type Connection = DbConn;
    type Error = ConnectionError;

    fn connect(&self) -> Result<DbConn, ConnectionError> {
        self.establish().map(|conn| DbConn {
            conn,
            broken: false,
            returned_at: Instant::now(),
        })
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), ConnectionError> {
        if conn.returned_at.elapsed() < PING_AFTER_IDLE {
            return Ok(());
        }
        conn.conn
            .batch_execute("SELECT 1")
            .map_err(ConnectionError::CouldntSetupConfiguration)
    }

    /// r2d2 asks this as each connection comes back to the pool, so its idle time starts here.
    fn has_broken(&self, conn: &mut DbConn) -> bool {
        conn.returned_at = Instant::now();
        conn.broken || conn.conn.is_broken()
    }
}

type Pool = r2d2::Pool<Manager>;

/// How much of a connection pool is in use, for monitoring.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolState {
    /// Connections handed out now.
    pub in_use: u32,
    /// Connections open and waiting.
    pub idle: u32,
    /// The most the pool opens.
    pub max: u32,
}

impl PoolState {
    fn of(pool: &Pool) -> PoolState {
        let state = pool.state();
        PoolState {
            in_use: state.connections.saturating_sub(state.idle_connections),
            idle: state.idle_connections,
            max: pool.max_size(),
        }
    }
}

/// The pools. On SQLite writes go through one connection (one writer beats many contending for
/// the file lock) and reads through their own pool; on PostgreSQL both share one pool.
#[derive(Clone)]
pub struct Db {
    backend: Backend,
    read: Pool,
    write: Pool,
}

/// Errors that can tell whether the connection they came from is dead.
pub trait ConnectionFault {
    fn breaks_connection(&self) -> bool;
}

impl ConnectionFault for StoreError {
    fn breaks_connection(&self) -> bool {
        StoreError::breaks_connection(self)
    }
}

impl Db {
    /// Opens the database named by `config.url`, failing fast with one line if it cannot.
    pub fn connect(config: &DbConfig) -> Result<Db, StartupError> {
        let target = Target::parse(&config.url)?;
        if let Target::Sqlite(path) = &target {
            create_parent_folder(path)?;
        }
        let manager = |role| Manager {
            target: target.clone(),
            synchronous: config.sqlite_synchronous,
            role,
        };
        // One connection first, so an unreachable server is reported at once and plainly.
        drop(
            manager(Role::Writer)
                .establish()
                .map_err(|e| StartupError::Connect(one_line(&e.to_string())))?,
        );
        let build = |m: Manager, size: u32| {
            r2d2::Pool::builder()
                .max_size(size.max(1))
                .min_idle(Some(1))
                .test_on_check_out(true)
                .connection_timeout(config.acquire_timeout)
                .build(m)
                .map_err(|e| StartupError::Connect(one_line(&e.to_string())))
        };
        let backend = target.backend();
        let (read, write) = match backend {
            Backend::Postgres => {
                let pool = build(manager(Role::Writer), config.pool_size)?;
                (pool.clone(), pool)
            }
            Backend::Sqlite => (
                build(manager(Role::Reader), config.pool_size)?,
                build(manager(Role::Writer), 1)?,
            ),
        };
        Ok(Db {
            backend,
            read,
            write,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pools' use, by name: `read` and `write` on SQLite (readers and the one writer), a
    /// single `shared` pool on PostgreSQL.
    pub fn pool_state(&self) -> Vec<(&'static str, PoolState)> {
        match self.backend {
            Backend::Postgres => vec![("shared", PoolState::of(&self.write))],
            Backend::Sqlite => vec![
                ("read", PoolState::of(&self.read)),
                ("write", PoolState::of(&self.write)),
            ],
        }
    }

    /// Applies every pending migration; returns the versions applied.
    pub fn migrate(&self) -> Result<Vec<String>, StartupError> {
        let mut conn = self
            .write
            .get()
            .map_err(|e| StartupError::Connect(one_line(&e.to_string())))?;
        let fail = |e: &dyn std::fmt::Display| StartupError::Migrations(one_line(&e.to_string()));
        let names = |applied: Vec<diesel::migration::MigrationVersion<'_>>| {
            applied.iter().map(ToString::to_string).collect::<Vec<_>>()
        };
        match &mut conn.conn {
            AnyConnection::Sqlite(c) => c
                .run_pending_migrations(SQLITE_MIGRATIONS)
                .map(names)
                .map_err(|e| fail(&e)),
            AnyConnection::Postgresql(c) => {
                // Several servers may start at once against one database: one migrates, the
                // others wait and then find nothing pending.
                c.batch_execute("SELECT pg_advisory_lock(4242001)")
                    .map_err(|e| fail(&e))?;
                let result = c
                    .run_pending_migrations(POSTGRES_MIGRATIONS)
                    .map(names)
                    .map_err(|e| fail(&e));
                c.batch_execute("SELECT pg_advisory_unlock(4242001)")
                    .map_err(|e| fail(&e))?;
                result
            }
        }
    }

    /// Whether the schema is behind the code (readiness fails until migrations run).
    /// Whether the database's schema is at least as new as this build's newest migration.
    /// Asked on a reader, so a readiness probe never waits behind writes.
    pub fn schema_is_current(&self) -> Result<bool, StoreError> {
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct Newest {
            #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
            version: Option<String>,
        }
        let expected = newest_embedded(self.backend);
        let newest = self.read(|conn| {
            diesel::sql_query("SELECT MAX(version) AS version FROM __diesel_schema_migrations")
                .get_result::<Newest>(conn)
                .map_err(StoreError::from)
        })?;
        Ok(newest.version.is_some_and(|v| v >= expected))
    }

    /// Runs `f` on a reading connection (no transaction: each statement sees committed data).
    pub fn read<T, E>(&self, f: impl FnOnce(&mut AnyConnection) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError> + ConnectionFault,
    {
        let mut conn = self.read.get().map_err(StoreError::from)?;
        let result = f(&mut conn);
        if result
            .as_ref()
            .is_err_and(ConnectionFault::breaks_connection)
        {
            conn.mark_broken();
        }
        result
    }

    /// Runs `f` on the writing connection outside any transaction: for work that is a single
    /// statement, which the database applies whole or not at all, so `BEGIN` and `COMMIT`
    /// would only add two round trips.
    pub fn write_once<T, E>(
        &self,
        f: impl FnOnce(&mut AnyConnection) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<StoreError> + ConnectionFault,
    {
        let mut conn = self.write.get().map_err(StoreError::from)?;
        let result = f(&mut conn);
        if result
            .as_ref()
            .is_err_and(ConnectionFault::breaks_connection)
        {
            conn.mark_broken();
        }
        result
    }

    /// Runs `f` in a write transaction, committed if `f` succeeds and rolled back otherwise.
    /// On SQLite the transaction is `BEGIN IMMEDIATE`, taking the write lock before reading,
    /// so a check-then-insert cannot be overtaken by another writer.
    pub fn write<T, E>(&self, f: impl FnOnce(&mut AnyConnection) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError> + ConnectionFault,
    {
        let mut conn = self.write.get().map_err(StoreError::from)?;
        let result = in_write_transaction(&mut conn, f);
        if result
            .as_ref()
            .is_err_and(ConnectionFault::breaks_connection)
        {
            conn.mark_broken();
        }
        result
    }
}

/// The version of the newest migration compiled into this build for `backend`.
fn newest_embedded(backend: Backend) -> String {
    use diesel::migration::MigrationSource;
    let versions: Vec<String> = match backend {
        Backend::Sqlite => {
            MigrationSource::<diesel::sqlite::Sqlite>::migrations(&SQLITE_MIGRATIONS)
                .map(|ms| ms.iter().map(|m| m.name().version().to_string()).collect())
                .unwrap_or_default()
        }
        Backend::Postgres => MigrationSource::<diesel::pg::Pg>::migrations(&POSTGRES_MIGRATIONS)
            .map(|ms| ms.iter().map(|m| m.name().version().to_string()).collect())
            .unwrap_or_default(),
    };
    versions.into_iter().max().unwrap_or_default()
}

type Tm = <AnyConnection as Connection>::TransactionManager;

fn in_write_transaction<T, E>(
    conn: &mut AnyConnection,
    f: impl FnOnce(&mut AnyConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<StoreError>,
{
    let begun = match conn {
        AnyConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
        }
        AnyConnection::Postgresql(_) => Tm::begin_transaction(conn),
    };
    begun.map_err(StoreError::from)?;
    match f(conn) {
        Ok(value) => {
            Tm::commit_transaction(conn).map_err(StoreError::from)?;
            Ok(value)
        }
        Err(e) => {
            // A failed rollback leaves the manager broken; the pool then drops the connection.
            let _ = Tm::rollback_transaction(conn);
            Err(e)
        }
    }
}

fn create_parent_folder(path: &Path) -> Result<(), StartupError> {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => {
            std::fs::create_dir_all(parent).map_err(|e| StartupError::Folder {
                path: parent.display().to_string(),
                reason: e.to_string(),
            })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_picks_the_backend() {
        assert_eq!(
            Target::parse("postgres://u@localhost/ccm").unwrap(),
            Target::Postgres("postgres://u@localhost/ccm".into())
        );
        assert_eq!(
            Target::parse("postgresql://localhost/ccm")
                .unwrap()
                .backend(),
            Backend::Postgres
        );
        assert_eq!(
            Target::parse("sqlite://data/ccm.db").unwrap(),
            Target::Sqlite("data/ccm.db".into())
        );
        assert_eq!(
            Target::parse("sqlite:///var/lib/ccm.db").unwrap(),
            Target::Sqlite("/var/lib/ccm.db".into())
        );
        assert_eq!(
            Target::parse("./ccm.db").unwrap(),
            Target::Sqlite("./ccm.db".into())
        );
    }

    #[test]
    fn unknown_schemes_and_memory_databases_are_refused() {
        assert!(
            matches!(Target::parse("mysql://localhost/ccm"), Err(StartupError::UnknownScheme(s)) if s == "mysql")
        );
        assert!(matches!(
            Target::parse("sqlite://:memory:"),
            Err(StartupError::InMemory)
        ));
        assert!(matches!(Target::parse(""), Err(StartupError::InMemory)));
    }
}
