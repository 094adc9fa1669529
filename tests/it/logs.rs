//! Passwords and session ids never reach the log. The test installs a log
//! capture as its thread's subscriber, runs the flows that handle secrets
//! with verbose logging, and reads the log. The app serves the test on the
//! test's own single-threaded runtime (`common/db.rs`), so the capture sees
//! every line the server logs for it, and no other test's.

use std::io::Write;
use std::sync::{Arc, Mutex};

use crate::common::*;
use sqlx::PgPool;
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

#[db_test]
async fn passwords_and_session_ids_never_appear_in_the_logs(pool: PgPool) {
    let capture = Capture::default();
    let writer = capture.clone();
    let _capturing = tracing_subscriber::fmt()
        // Everything the server logs, at the most verbose level. The test's
        // own HTTP client (reqwest's cookie jar) is not the server: off.
        .with_env_filter("trace,cookie_store=off,reqwest=off")
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish()
        .set_default();

    let app = spawn_app(pool).await;
    let (browser, email) = app.signed_up("Acme").await;
    let signed_in = app.browser();
    let response = signed_in.call("sign_in", &[("email", &email), ("password", PASSWORD)]).await;
    let session_id = set_session_cookie(&response).unwrap();
    app.browser().sign_in(&email, "Wrong-Secret-99").await;
    browser.list(&[("q", "ada")]).await;
    browser.call("sign_out", &[]).await;

    let log = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("request_id="), "requests are logged with their id");
    assert!(log.contains("signed in"), "the capture saw the sign-in");
    assert!(!log.contains(PASSWORD), "a password leaked into the log");
    assert!(!log.contains("Wrong-Secret-99"), "a wrong password leaked into the log");
    assert!(!log.contains(&session_id), "a session id leaked into the log");
}
