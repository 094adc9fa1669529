//! Logging with `tracing`. Every request runs in a span that carries its
//! request id, method and path; nothing logs request bodies, so passwords
//! never reach the log, and secrets are wrapped in types whose `Debug` is
//! redacted (see `features::auth::types::Password`).

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_sessions=warn,tower_http=info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_target(false).try_init();
}
