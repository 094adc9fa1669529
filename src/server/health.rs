//! Liveness and readiness for load balancers and orchestrators: public,
//! unauthenticated, cheap, and saying nothing about the installation beyond
//! a word.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;

use super::AppState;
use super::db::MIGRATOR;

pub const HEALTH_PATH: &str = "/healthz";
pub const READY_PATH: &str = "/readyz";

/// How long the database may take to answer a readiness check.
pub const READY_WITHIN: Duration = Duration::from_secs(1);

/// Whether the newest migration this build knows (`$1`) is applied. A newer
/// schema (another instance already upgraded) is fine: migrations expand
/// before they contract, so an older instance keeps working on it.
pub const READY_SQL: &str = "SELECT EXISTS (SELECT 1 FROM _sqlx_migrations WHERE version = $1 AND success)";

/// The version of the newest migration compiled into this build.
pub fn newest_migration() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}

/// `GET /healthz`: the process answers. It does not ask the database, so
/// that a database outage takes instances out of rotation (`/readyz`)
/// rather than getting every one of them restarted.
pub async fn health() -> &'static str {
    "ok"
}

/// `GET /readyz`: the database answers within [`READY_WITHIN`] and has this
/// build's migrations; a 503 otherwise, with the reason in the log.
pub async fn ready(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if state.draining.load(std::sync::atomic::Ordering::Relaxed) {
        return (StatusCode::SERVICE_UNAVAILABLE, "shutting down");
    }
    let check = sqlx::query_scalar::<_, bool>(READY_SQL).bind(newest_migration()).fetch_one(&state.pool);
    match tokio::time::timeout(READY_WITHIN, check).await {
        Ok(Ok(true)) => (StatusCode::OK, "ready"),
        Ok(Ok(false)) => {
            tracing::warn!(version = newest_migration(), "not ready: this build's migrations are not applied");
            (StatusCode::SERVICE_UNAVAILABLE, "migrations pending")
        }
        Ok(Err(error)) => {
            tracing::error!(%error, "not ready: the database is unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
        Err(_) => {
            tracing::error!(within = ?READY_WITHIN, "not ready: the database did not answer in time");
            (StatusCode::SERVICE_UNAVAILABLE, "database too slow")
        }
    }
}
