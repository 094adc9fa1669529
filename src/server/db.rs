//! The connection pool and the migrations, applied at start-up.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use futures::stream::BoxStream;
use sqlx::Connection as _;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{
    PgConnectOptions, PgConnection, PgPool, PgPoolOptions, PgQueryResult, PgRow, PgStatement, PgTypeInfo, Postgres,
};
use sqlx::{Describe, Either, Execute, Executor, Transaction};

use super::config::Config;

/// The migrations compiled into this build. Those a newer release applied
/// are not an error (`ignore_missing`): during a rolling upgrade an older
/// instance may restart on the schema a newer one has already expanded, and
/// it must come up and keep serving (migrations only expand within a
/// release; see the README's "Upgrading"). A migration this build knows
/// whose file changed still fails, as sqlx checks.
pub static MIGRATOR: sqlx::migrate::Migrator =
    sqlx::migrate::Migrator { ignore_missing: true, ..sqlx::migrate!("./migrations") };

/// A pooled connection idle for longer than this is pinged before use.
const CHECK_IF_IDLE_FOR: Duration = Duration::from_secs(5);

/// The pool settings the server, the tests and the benchmark share.
///
/// sqlx pings every connection it hands out by default: one more round trip
/// for every query, which measured as a large share of the database's CPU
/// during sign-ins. A connection that was in use a moment ago is known to be
/// alive, so only one that sat idle is checked (HikariCP's rule). A dead one
/// is closed and the pool hands out another.
pub fn pool_options(config: &Config) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(config.db_max_connections)
        // Also how long a request waits for a database that is down (sqlx
        // keeps reconnecting until then): it answers 503 after this.
        .acquire_timeout(config.db_acquire_timeout)
        .test_before_acquire(false)
        .before_acquire(|connection, meta| {
            Box::pin(async move {
                if meta.idle_for > CHECK_IF_IDLE_FOR {
                    connection.ping().await?;
                }
                Ok(true)
            })
        })
}

/// Whether `error` says the database cannot be reached now, rather than that
/// a statement was wrong: no connection within the wait, the pool closed,
/// the socket broken, or PostgreSQL shutting down, starting up or refusing
/// connections (SQLSTATE classes 08 and 57P). Such a request is worth
/// retrying, so it is answered 503, not 500.
pub fn is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(error) => {
            error.code().is_some_and(|code| code.starts_with("08") || code.starts_with("57P") || code == "53300")
        }
        _ => false,
    }
}

/// The server's pool on `DATABASE_URL`. Its connections are named "roster"
/// in `pg_stat_activity` unless the URL names them (`?application_name=`),
/// so an operator can tell them from others.
pub async fn connect(config: &Config) -> Result<Db, sqlx::Error> {
    let options: PgConnectOptions = config.database_url.parse()?;
    let options = match options.get_application_name() {
        Some(_) => options,
        None => options.application_name("roster"),
    };
    Ok(Db::new(pool_options(config).connect_with(options).await?))
}

/// Applies pending migrations. sqlx takes an advisory lock, so several app
/// instances starting at once on one database do not race.
pub async fn migrate(db: &Db) -> Result<(), sqlx::migrate::MigrateError> {
    MIGRATOR.run(&mut *db.acquire().await?).await
}

/// The database: sqlx's pool, through which every query of Roster goes,
/// counting who waits for a connection. sqlx does not say how many tasks
/// wait (its semaphore is private), and a pool too small for the load shows
/// first there, so `/metrics` reports it: `roster_db_pool_waiters` and the
/// wait itself, `roster_db_pool_acquire_seconds`.
///
/// It is used as sqlx's pool is: as an executor (`.fetch_one(db)`), or
/// through `begin` and `acquire`.
#[derive(Clone, Debug)]
pub struct Db {
    pool: PgPool,
    waiting: Arc<AtomicUsize>,
}

/// Counts one task waiting for a connection while it lives, so a request
/// that gives up (its future dropped) stops counting too.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Db {
    pub fn new(pool: PgPool) -> Self {
        Self { pool, waiting: Arc::default() }
    }

    /// A connection of the pool, waiting for one at most the pool's
    /// `acquire_timeout` (`DB_ACQUIRE_TIMEOUT_SECONDS`).
    pub async fn acquire(&self) -> Result<PoolConnection<Postgres>, sqlx::Error> {
        self.waiting.fetch_add(1, Ordering::Relaxed);
        let _waiting = Waiting(&self.waiting);
        let started = Instant::now();
        let connection = self.pool.acquire().await;
        metrics::histogram!(super::metrics::POOL_ACQUIRE_SECONDS).record(started.elapsed().as_secs_f64());
        connection
    }

    /// A transaction on a connection of the pool (see `acquire`).
    pub async fn begin(&self) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
        Transaction::begin(self.acquire().await?, None).await
    }

    /// A connection of its own (not from the pool, with the pool's
    /// settings) for LISTEN.
    pub async fn listener(&self) -> Result<sqlx::postgres::PgListener, sqlx::Error> {
        sqlx::postgres::PgListener::connect_with(&self.pool).await
    }

    /// Tasks waiting for a connection now.
    pub fn waiters(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
    }

    /// Connections open now, idle or in use.
    pub fn size(&self) -> u32 {
        self.pool.size()
    }

    /// Connections open and idle now.
    pub fn num_idle(&self) -> usize {
        self.pool.num_idle()
    }

    /// The most connections the pool opens (`DB_MAX_CONNECTIONS`).
    pub fn max_connections(&self) -> u32 {
        self.pool.options().get_max_connections()
    }

    /// Closes every connection and refuses new acquires (at shutdown).
    pub async fn close(&self) {
        self.pool.close().await
    }
}

impl From<PgPool> for Db {
    fn from(pool: PgPool) -> Self {
        Self::new(pool)
    }
}

/// What sqlx's `&Pool` does, with the connection taken through
/// `Db::acquire`.
impl<'d> Executor<'d> for &Db {
    type Database = Postgres;

    fn fetch_many<'e, 'q: 'e, E>(self, query: E) -> BoxStream<'e, Result<Either<PgQueryResult, PgRow>, sqlx::Error>>
    where
        E: 'q + Execute<'q, Postgres>,
    {
        let db = self.clone();
        Box::pin(async_stream::try_stream! {
            let mut connection = db.acquire().await?;
            let mut results = (&mut *connection as &mut PgConnection).fetch_many(query);
            while let Some(result) = futures::TryStreamExt::try_next(&mut results).await? {
                yield result;
            }
        })
    }

    fn fetch_optional<'e, 'q: 'e, E>(self, query: E) -> BoxFuture<'e, Result<Option<PgRow>, sqlx::Error>>
    where
        E: 'q + Execute<'q, Postgres>,
    {
        let db = self.clone();
        Box::pin(async move { db.acquire().await?.fetch_optional(query).await })
    }

    fn prepare_with<'e, 'q: 'e>(
        self,
        sql: &'q str,
        parameters: &'e [PgTypeInfo],
    ) -> BoxFuture<'e, Result<PgStatement<'q>, sqlx::Error>> {
        let db = self.clone();
        Box::pin(async move { db.acquire().await?.prepare_with(sql, parameters).await })
    }

    fn describe<'e, 'q: 'e>(self, sql: &'q str) -> BoxFuture<'e, Result<Describe<Postgres>, sqlx::Error>> {
        let db = self.clone();
        Box::pin(async move { db.acquire().await?.describe(sql).await })
    }
}
