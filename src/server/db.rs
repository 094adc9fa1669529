//! The connection pool and the migrations, applied at start-up.

use sqlx::postgres::{PgPool, PgPoolOptions};

use super::config::Config;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

pub async fn connect(config: &Config) -> Result<PgPool, sqlx::Error> {
    PgPoolOptions::new()
        .max_connections(config.db_max_connections)
        .acquire_timeout(std::time::Duration::from_secs(10))
        .connect(&config.database_url)
        .await
}

/// Applies pending migrations. sqlx takes an advisory lock, so several app
/// instances starting at once on one database do not race.
pub async fn migrate(pool: &PgPool) -> Result<(), sqlx::migrate::MigrateError> {
    MIGRATOR.run(pool).await
}
