//! Each test's own database, and the rules every test runs under.
//!
//! `#[db_test]` (tests/macros) calls [`run`]: it copies a fresh database
//! from a template that already holds the migrated schema (`CREATE DATABASE
//! … TEMPLATE`, a file copy, instead of running every migration again for
//! every test), runs the test on its own single-threaded runtime within a
//! time limit, and drops the database when the test passes. A failed test's
//! database is kept for a look (`make test` clears them at its next start);
//! `COMMENT ON DATABASE` names the test it belonged to.
//!
//! The template is named after the migrations it holds (a hash of their
//! checksums), built once under an advisory lock by whichever test process
//! needs it first, and reused until a migration changes: test processes run
//! in parallel (nextest runs each test in a process of its own), so "once"
//! has to be agreed on in the database, not in memory.

use std::fmt::Write as _;
use std::time::Duration;

use sha2::{Digest, Sha256};
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, Executor, PgConnection};

use roster::server::config::Config;
use roster::server::db::Db;
use roster::server::db::{MIGRATOR, pool_options};

const TEMPLATE_PREFIX: &str = "roster_template_";
/// `make test` drops leftovers with this prefix before each run.
pub const TEST_DATABASE_PREFIX: &str = "roster_test_";
/// The advisory lock under which a template is built (any fixed number).
const TEMPLATE_LOCK: i64 = 0x726f_7374_6572;

/// How long a test may take before it fails with its name, unless
/// `ROSTER_TEST_TIMEOUT_SECS` says otherwise. The slowest test takes a few
/// seconds; a hang should cost CI a minute, not its 90.
const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(60);

/// A test that has returned must have given back its connections at once;
/// one still held after this is a task the test left running.
const POOL_CLOSE_LIMIT: Duration = Duration::from_secs(5);

/// Runs `test` (named `name`) on a fresh database, as `#[db_test]` expands.
pub fn run<F, Fut>(name: &'static str, test: F)
where
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = ()>,
{
    // One thread, as under `#[sqlx::test]`: the app's server tasks, the
    // test's HTTP clients and the test itself share it, so a test's log
    // capture (tests/it/logs.rs) sees everything the server does for it.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a Tokio runtime");
    runtime.block_on(async {
        let base = base_options();
        let database = create_database(&base, name).await;
        let pool = pool_options(&Config::for_database("postgres://unused"))
            .connect_with(base.clone().database(&database))
            .await
            .unwrap_or_else(|e| panic!("{name}: cannot connect to its database {database}: {e}"));

        let limit = time_limit();
        if tokio::time::timeout(limit, test(Db::from(pool.clone()))).await.is_err() {
            panic!(
                "{name} did not finish within {} s (ROSTER_TEST_TIMEOUT_SECS); its database {database} is kept",
                limit.as_secs()
            );
        }
        if tokio::time::timeout(POOL_CLOSE_LIMIT, pool.close()).await.is_err() {
            panic!("{name} ended while something it started still held a database connection");
        }
        // FORCE: a server task still connected (there should be none after
        // `close`) is ended instead of making DROP wait 5 s and then fail.
        let mut admin = connect_admin(&base).await;
        admin
            .execute(format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)").as_str())
            .await
            .unwrap_or_else(|e| panic!("{name}: could not drop {database}: {e}"));
        let _ = admin.close().await;
    });
}

fn time_limit() -> Duration {
    std::env::var("ROSTER_TEST_TIMEOUT_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .map_or(DEFAULT_TIME_LIMIT, Duration::from_secs)
}

/// The test cluster, from `DATABASE_URL` (set by `make test`).
fn base_options() -> PgConnectOptions {
    let url = std::env::var("DATABASE_URL")
        .expect("DATABASE_URL must name the test cluster's maintenance database (make test sets it)");
    url.parse().expect("DATABASE_URL is not a PostgreSQL URL")
}

async fn connect_admin(base: &PgConnectOptions) -> PgConnection {
    PgConnection::connect_with(base).await.expect("cannot connect to DATABASE_URL")
}

/// Creates the test's database from the template and returns its name.
async fn create_database(base: &PgConnectOptions, test_name: &str) -> String {
    let mut admin = connect_admin(base).await;
    let template = ensure_template(base, &mut admin).await;
    let database = format!("{TEST_DATABASE_PREFIX}{}", uuid::Uuid::new_v4().simple());
    admin
        .execute(format!("CREATE DATABASE {database} TEMPLATE {template}").as_str())
        .await
        .unwrap_or_else(|e| panic!("{test_name}: cannot create its database from {template}: {e}"));
    admin
        .execute(format!("COMMENT ON DATABASE {database} IS '{}'", test_name.replace('\'', "''")).as_str())
        .await
        .expect("comment on the test database");
    let _ = admin.close().await;
    database
}

/// The template's name: the migrations it holds, as a short hash.
fn template_name() -> String {
    let mut hash = Sha256::new();
    for migration in MIGRATOR.iter() {
        hash.update(migration.version.to_be_bytes());
        hash.update(&migration.checksum);
    }
    let mut name = TEMPLATE_PREFIX.to_owned();
    for byte in &hash.finalize()[..8] {
        let _ = write!(name, "{byte:02x}");
    }
    name
}

/// Makes sure the template for today's migrations exists, building it if
/// not, and returns its name.
async fn ensure_template(base: &PgConnectOptions, admin: &mut PgConnection) -> String {
    let name = template_name();
    if template_exists(admin, &name).await {
        return name;
    }
    sqlx::query("SELECT pg_advisory_lock($1)").bind(TEMPLATE_LOCK).execute(&mut *admin).await.expect("template lock");
    // Another process may have built it while this one waited.
    if !template_exists(admin, &name).await {
        let building = format!("{name}_building");
        // Left over from a run that died halfway, if any.
        admin.execute(format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)").as_str()).await.unwrap();
        admin.execute(format!("CREATE DATABASE {building} TEMPLATE template0").as_str()).await.unwrap();
        let mut conn = PgConnection::connect_with(&base.clone().database(&building)).await.unwrap();
        MIGRATOR.run(&mut conn).await.expect("the migrations apply to an empty database");
        conn.close().await.unwrap();
        // Renamed only once complete, so no test copies half a schema; no
        // connections allowed, since one would stop every copy.
        admin.execute(format!("ALTER DATABASE {building} RENAME TO {name}").as_str()).await.unwrap();
        admin.execute(format!("ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false").as_str()).await.unwrap();
        // Templates of older migrations are of no further use.
        let stale: Vec<String> =
            sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE $1 || '%' AND datname <> $2")
                .bind(TEMPLATE_PREFIX)
                .bind(&name)
                .fetch_all(&mut *admin)
                .await
                .unwrap();
        for old in stale {
            admin.execute(format!("DROP DATABASE IF EXISTS {old} WITH (FORCE)").as_str()).await.unwrap();
        }
    }
    sqlx::query("SELECT pg_advisory_unlock($1)").bind(TEMPLATE_LOCK).execute(&mut *admin).await.unwrap();
    name
}

async fn template_exists(admin: &mut PgConnection, name: &str) -> bool {
    sqlx::query_scalar::<_, bool>("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(name)
        .fetch_one(admin)
        .await
        .expect("look up the template")
}
