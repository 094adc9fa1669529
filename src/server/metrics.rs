//! Prometheus metrics, served on an address of their own (`METRICS_ADDR`,
//! off by default) so that they are never public by accident: point the
//! scraper at it and keep it off the load balancer.
//!
//! Counted as things happen (the `metrics` facade, a no-op until the
//! exporter is installed): requests by route, method and status with their
//! latency, sign-ins and lockouts, mails sent and failed, the wait for a
//! hashing thread, the wait for a database connection. Read when scraped:
//! the hashing line's depth, the outbox's depth and oldest mail, the
//! connection pool's size, idle connections and waiters (`db::Db` counts
//! them: sqlx does not say).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use super::AppState;

pub const REQUESTS: &str = "roster_http_requests_total";
pub const REQUEST_SECONDS: &str = "roster_http_request_duration_seconds";
pub const SIGN_INS: &str = "roster_sign_ins_total";
pub const LOCKOUTS: &str = "roster_lockouts_total";
pub const MAILS: &str = "roster_mails_total";
pub const HASH_WAIT_SECONDS: &str = "roster_password_hash_wait_seconds";
pub const POOL_ACQUIRE_SECONDS: &str = "roster_db_pool_acquire_seconds";

/// Buckets for the latency histograms, in seconds: from a cached page to a
/// request the timeout ends.
const BUCKETS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// Installs the process-wide recorder (once, in `main`).
pub fn install() -> Result<PrometheusHandle, String> {
    PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), BUCKETS)
        .map_err(|e| e.to_string())?
        .install_recorder()
        .map_err(|e| format!("cannot install the metrics recorder: {e}"))
}

/// Middleware: counts each request and times it under its route's pattern
/// (`/settings/users/{id}/access`, never the id itself, so the number of
/// series stays fixed).
pub async fn track(request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str).to_owned();
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!(REQUESTS, "route" => route.clone(), "method" => method, "status" => status).increment(1);
    metrics::histogram!(REQUEST_SECONDS, "route" => route).record(started.elapsed().as_secs_f64());
    response
}

/// The metrics server: `GET /metrics` on `addr`, until `stopping` turns true.
pub async fn serve(
    addr: SocketAddr,
    handle: PrometheusHandle,
    state: AppState,
    mut stopping: tokio::sync::watch::Receiver<bool>,
) -> Result<(), String> {
    let listener =
        tokio::net::TcpListener::bind(addr).await.map_err(|e| format!("cannot listen on METRICS_ADDR {addr}: {e}"))?;
    tracing::info!("metrics at http://{addr}/metrics");
    let router = axum::Router::new().route("/metrics", get(render)).with_state((handle, state));
    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            let _ = stopping.wait_for(|stop| *stop).await;
        })
        .await
        .map_err(|e| e.to_string())
}

async fn render(State((handle, state)): State<(PrometheusHandle, AppState)>) -> String {
    metrics::gauge!("roster_password_hash_queue_depth").set(state.hasher.waiting() as f64);
    let pool = &state.pool;
    metrics::gauge!("roster_db_pool_connections").set(f64::from(pool.size()));
    metrics::gauge!("roster_db_pool_idle_connections").set(pool.num_idle() as f64);
    metrics::gauge!("roster_db_pool_max_connections").set(f64::from(pool.max_connections()));
    metrics::gauge!("roster_db_pool_waiters").set(pool.waiters() as f64);
    // Mail waiting to go (queued or retrying), and how long the oldest has.
    let outbox = sqlx::query_as::<_, (i64, Option<f64>)>(
        "SELECT count(*), extract(epoch FROM now() - min(created_at))::float8 FROM outbox \
         WHERE state IN ('queued', 'retrying', 'sending')",
    )
    .fetch_one(pool);
    match tokio::time::timeout(Duration::from_secs(1), outbox).await {
        Ok(Ok((depth, oldest))) => {
            metrics::gauge!("roster_outbox_depth").set(depth as f64);
            metrics::gauge!("roster_outbox_oldest_seconds").set(oldest.unwrap_or(0.0));
        }
        Ok(Err(error)) => tracing::warn!(%error, "metrics: cannot read the outbox"),
        Err(_) => tracing::warn!("metrics: the outbox query took over a second"),
    }
    handle.render()
}
