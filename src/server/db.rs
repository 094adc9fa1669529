//! The connection pool and the migrations, applied at start-up.

use std::time::Duration;

use sqlx::Connection as _;
use sqlx::postgres::{PgPool, PgPoolOptions};

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

pub async fn connect(config: &Config) -> Result<PgPool, sqlx::Error> {
    pool_options(config).connect(&config.database_url).await
}

/// Applies pending migrations. sqlx takes an advisory lock, so several app
/// instances starting at once on one database do not race.
pub async fn migrate(pool: &PgPool) -> Result<(), sqlx::migrate::MigrateError> {
    MIGRATOR.run(pool).await
}
