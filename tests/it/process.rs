//! The `roster` binary as an installation runs it, on a database of the
//! test's own: readiness once it listens, metrics on their own address,
//! JSON logs that carry the request id, and a stop on SIGTERM that answers
//! the request it had accepted, refuses new connections and exits 0. Readiness failing is tested on the
//! in-process app, where the database can be taken away.

use std::time::{Duration, Instant};

use crate::common::instance::{Instance, url_of};
use crate::common::*;
use reqwest::StatusCode;
use roster::server::db::Db;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[db_test]
async fn the_binary_logs_json_with_request_ids_and_stops_gracefully_on_sigterm(pool: Db) {
    let mut roster =
        Instance::start(&url_of(&pool).await, &[("LOG_FORMAT", "json"), ("SHUTDOWN_GRACE_SECONDS", "35")]).await;
    let (port, metrics_port, base) = (roster.port, roster.metrics_port, roster.base.clone());
    let client = reqwest::Client::new();
    let response = client.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(response.text().await.unwrap(), "ready");
    let health = client.get(format!("{base}/healthz")).header("x-request-id", "probe-1").send().await.unwrap();
    assert_eq!((health.status(), health.headers()["x-request-id"].to_str().unwrap()), (StatusCode::OK, "probe-1"));

    // Metrics: on their own address only, counting what happened.
    let refused = client
        .post(format!("{base}/api/sign_in"))
        .header("origin", &base)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("email=nobody%40example.com&password=not-the-password")
        .send()
        .await
        .unwrap();
    assert!(refused.status().is_client_error(), "{}", refused.status());
    assert_eq!(client.get(format!("{base}/metrics")).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    let metrics = client.get(format!("http://127.0.0.1:{metrics_port}/metrics")).send().await.unwrap();
    assert_eq!(metrics.status(), StatusCode::OK);
    let metrics = metrics.text().await.unwrap();
    let has = |line: &str| metrics.lines().any(|l| l.starts_with(line));
    assert!(has(r#"roster_sign_ins_total{result="failure"} 1"#), "{metrics}");
    assert!(
        metrics.lines().any(|l| l.starts_with("roster_http_requests_total{")
            && l.contains(r#"route="/readyz""#)
            && l.contains(r#"status="200""#)),
        "{metrics}"
    );
    assert!(has(r#"roster_http_request_duration_seconds_bucket{route="/healthz",le="0.005"}"#), "{metrics}");
    assert!(has("roster_password_hash_wait_seconds_count 1"), "{metrics}");
    for gauge in [
        "roster_outbox_depth 0",
        "roster_outbox_oldest_seconds 0",
        "roster_password_hash_queue_depth 0",
        "roster_db_pool_connections ",
        "roster_db_pool_max_connections 20",
        "roster_db_pool_waiters 0",
        "roster_db_pool_acquire_seconds_count ",
    ] {
        assert!(has(gauge), "{gauge}: {metrics}");
    }

    // A request accepted before the signal, its body still on the way.
    let body = "email=nobody%40example.com&password=not-the-password";
    let mut in_flight = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let head = format!(
        "POST /api/sign_in HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: {base}\r\nx-request-id: in-flight-1\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    in_flight.write_all(head.as_bytes()).await.unwrap();
    in_flight.write_all(&body.as_bytes()[..10]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    let pid = roster.pid().to_string();
    assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    // New connections are refused from the moment it stops accepting.
    let refused_by = Instant::now() + Duration::from_secs(5);
    while TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
        assert!(Instant::now() < refused_by, "still accepting connections 5 s after SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The accepted one is answered in full.
    in_flight.write_all(&body.as_bytes()[10..]).await.unwrap();
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(30), in_flight.read_to_string(&mut answer))
        .await
        .expect("the request in flight is answered")
        .expect("no reset connection");
    assert!(answer.starts_with("HTTP/1.1 "), "{answer}");
    assert!(answer.contains("x-request-id: in-flight-1"), "{answer}");

    let status = roster.wait_exit(Duration::from_secs(40)).await;
    assert!(status.success(), "exit status {status}");

    // One JSON object a line; the lines logged for a request carry its id.
    let out = roster.output();
    let lines: Vec<Value> = out
        .lines()
        .filter(|line| line.starts_with('{'))
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect();
    let of_request = |id: &str| -> Vec<&Value> { lines.iter().filter(|l| l["span"]["request_id"] == id).collect() };
    let answered = of_request("in-flight-1");
    assert!(
        answered
            .iter()
            .any(|l| l["status"].is_number() && l["latency"].is_string() && l["span"]["path"] == "/api/sign_in"),
        "no access line for the request in flight: {out}"
    );
    assert!(!of_request("probe-1").is_empty(), "{out}");
    for said in ["shutting down", "every request in flight was answered", "Roster stopped"] {
        assert!(lines.iter().any(|l| l["message"].as_str().is_some_and(|m| m.starts_with(said))), "{said}: {out}");
    }
    // Nothing but JSON on its output.
    assert!(out.lines().filter(|l| !l.trim().is_empty()).all(|l| l.starts_with('{')), "{out}");
}

#[db_test]
async fn readiness_fails_when_migrations_are_missing_or_the_database_is_gone(pool: Db) {
    let app = spawn_app(pool).await;
    let client = reqwest::Client::new();
    let ready = || async { client.get(app.url("/readyz")).send().await.unwrap() };
    let response = ready().await;
    assert_eq!((response.status(), response.text().await.unwrap()), (StatusCode::OK, "ready".to_owned()));

    // An older schema than this build's: not ready, but alive.
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = $1")
        .bind(roster::server::health::newest_migration())
        .execute(&app.pool)
        .await
        .unwrap();
    let response = ready().await;
    assert_eq!(
        (response.status(), response.text().await.unwrap()),
        (StatusCode::SERVICE_UNAVAILABLE, "migrations pending".to_owned())
    );
    assert_eq!(client.get(app.url("/healthz")).send().await.unwrap().status(), StatusCode::OK);

    // No database at all: a quick 503, never a hang.
    app.pool.close().await;
    let started = Instant::now();
    let response = ready().await;
    assert_eq!(
        (response.status(), response.text().await.unwrap()),
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable".to_owned())
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(client.get(app.url("/healthz")).send().await.unwrap().status(), StatusCode::OK);
}

/// During a rolling upgrade an older instance may (re)start on a schema a
/// newer one has already migrated: it starts and is ready, rather than
/// refusing the migrations it does not know.
#[db_test]
async fn an_older_instance_starts_on_a_newer_schema(pool: Db) {
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99990101000000, 'from a newer release', true, '\\x00'::bytea, 0)",
    )
    .execute(&pool)
    .await
    .unwrap();
    let app = spawn_app(pool).await;
    let response = reqwest::get(app.url("/readyz")).await.unwrap();
    assert_eq!((response.status(), response.text().await.unwrap()), (StatusCode::OK, "ready".to_owned()));
}

/// `/metrics` reports how many tasks wait for a database connection
/// (`roster_db_pool_waiters`, above): sqlx does not count them, `Db` does,
/// for queries, transactions and bare connections alike. A waiter whose
/// request ends, or whose wait runs out, stops counting.
#[db_test]
async fn the_pool_counts_the_tasks_waiting_for_a_connection(pool: Db) {
    let mut config = roster::server::config::Config::for_database(url_of(&pool).await);
    config.db_max_connections = 1;
    config.db_acquire_timeout = Duration::from_secs(1);
    let db = roster::server::db::connect(&config).await.unwrap();
    let held = db.acquire().await.unwrap();
    assert_eq!(db.waiters(), 0);

    let (query_db, transaction_db) = (db.clone(), db.clone());
    let query = tokio::spawn(async move { sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&query_db).await });
    let transaction = tokio::spawn(async move { transaction_db.begin().await?.commit().await });
    let until = Instant::now() + Duration::from_secs(1);
    while db.waiters() < 2 {
        assert!(Instant::now() < until, "two tasks wait, {} counted", db.waiters());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    drop(held);
    assert_eq!(query.await.unwrap().unwrap(), 1);
    transaction.await.unwrap().unwrap();
    assert_eq!(db.waiters(), 0);

    let held = db.acquire().await.unwrap();
    let abandoned = db.clone();
    assert!(tokio::time::timeout(Duration::from_millis(100), async move { abandoned.acquire().await }).await.is_err());
    assert_eq!(db.waiters(), 0, "a request that ended still counts as waiting");
    assert!(matches!(db.acquire().await, Err(sqlx::Error::PoolTimedOut)));
    assert_eq!(db.waiters(), 0, "a wait that ran out still counts");
    drop(held);
    db.close().await;
}
