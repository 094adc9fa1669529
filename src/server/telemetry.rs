//! Logging with `tracing`. Every request runs in a span that carries its
//! request id, method and path; nothing logs request bodies, so passwords
//! never reach the log, and secrets are wrapped in types whose `Debug` is
//! redacted (see `features::auth::types::Password`).
//!
//! `LOG_FORMAT=json` writes one JSON object a line for a log collector:
//! the event's fields at the top level and the request's span (its
//! `request_id`, `method`, `path`) under `span`, on every line logged while
//! a request is served.

use tracing_subscriber::EnvFilter;

use super::config::LogFormat;

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_sessions=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(false);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(true).with_span_list(false).try_init(),
    };
}
