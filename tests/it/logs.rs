//! Passwords and session ids never reach the log. The test installs a log
//! capture as its thread's subscriber, runs the flows that handle secrets
//! with verbose logging, and reads the log. The app serves the test on the
//! test's own single-threaded runtime (`common/db.rs`), so the capture sees
//! every line the server logs for it, and no other test's.

use std::io::Write;
use std::sync::{Arc, Mutex};

use crate::common::*;
use roster::server::db::Db;
use tracing_subscriber::util::SubscriberInitExt;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Capture {
    /// Captures what this thread logs under `filter` until the guard drops.
    fn start(filter: &str) -> (Capture, tracing::subscriber::DefaultGuard) {
        let capture = Capture::default();
        let writer = capture.clone();
        let guard = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish()
            .set_default();
        (capture, guard)
    }

    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

#[db_test]
async fn passwords_and_session_ids_never_appear_in_the_logs(pool: Db) {
    // Everything the server logs, at the most verbose level. The test's own
    // HTTP client (reqwest's cookie jar) is not the server: off.
    let (capture, _capturing) = Capture::start("trace,cookie_store=off,reqwest=off");

    let app = spawn_app(pool).await;
    let (browser, email) = app.signed_up("Acme").await;
    let signed_in = app.browser();
    let response = signed_in.call("sign_in", &[("email", &email), ("password", PASSWORD)]).await;
    let session_id = set_session_cookie(&response).unwrap();
    app.browser().sign_in(&email, "Wrong-Secret-99").await;
    browser.list(&[("q", "ada")]).await;
    browser.call("sign_out", &[]).await;

    let log = capture.text();
    assert!(log.contains("request_id="), "requests are logged with their id");
    assert!(log.contains("signed in"), "the capture saw the sign-in");
    assert!(!log.contains(PASSWORD), "a password leaked into the log");
    assert!(!log.contains("Wrong-Secret-99"), "a wrong password leaked into the log");
    assert!(!log.contains(&session_id), "a session id leaked into the log");
}

/// Leptos's `Suspense` builds a page more than once while rendering it on
/// the server; the page's reads must still reach the database once each
/// (`respond_read`). Counted from sqlx's own log of every statement.
#[db_test]
async fn a_server_rendered_page_runs_each_read_once(pool: Db) {
    let (capture, _capturing) = Capture::start("sqlx::query=debug");
    let app = spawn_app(pool).await;
    let (browser, _) = app.signed_up("Acme").await;
    let count = |needle: &str| capture.text().lines().filter(|line| line.contains(needle)).count();
    let (lists, seats) = (count("FROM users u WHERE u.org_id"), count("FROM seats WHERE org_id"));
    let html = browser.page_html("/settings/users").await;
    assert!(html.contains("User Management"));
    assert_eq!(count("FROM users u WHERE u.org_id") - lists, 1, "the list query, once");
    assert_eq!(count("FROM seats WHERE org_id") - seats, 1, "the seat counters, once");
    // Over HTTP, each call still runs (nothing is kept between requests).
    browser.list(&[]).await;
    browser.list(&[]).await;
    assert_eq!(count("FROM users u WHERE u.org_id") - lists, 3);
}
