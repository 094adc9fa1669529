//! The signed-in state kept in the server-side session (tower-sessions with
//! its PostgreSQL store: the cookie holds only a random id, the data lives in
//! the database, so any app instance can serve any request).

use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::Request;
use axum::middleware::Next;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;
use uuid::Uuid;

use crate::error::AppError;
use crate::server::AppState;
use crate::server::respond::{RequestContext, internal};

pub(super) const AUTH_KEY: &str = "auth";
/// When the session was last saved to keep it alive (Unix seconds).
const RENEWED_KEY: &str = "renewed";
/// Added by the store when it loads a signed-in session: when its activity
/// was last written (unix seconds; 0 if never). Never stored in the blob.
pub(super) const SEEN_KEY: &str = "roster.seen";

/// Who the session belongs to. `epoch` must match the user's
/// `session_epoch`: bumping that column signs out every session at once.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct SessionAuth {
    pub user_id: Uuid,
    pub org_id: Uuid,
    pub epoch: i32,
}

/// Signs the session in. A session the request already had is given a new
/// id first, so an id planted before sign-in (session fixation) is worthless
/// afterwards. A request without one (or with an id the store does not know,
/// which tower-sessions drops on load) gets a fresh random id when the
/// session is first saved, so there is nothing to rotate, and skipping the
/// rotation saves a DELETE round trip on most sign-ins.
pub async fn begin(ctx: &RequestContext, auth: SessionAuth) -> Result<(), AppError> {
    let session = ctx.session()?;
    if session.id().is_some() {
        session.cycle_id().await.map_err(|e| failure("session rotate", e))?;
    }
    // A user row loaded with the session belongs to whoever was signed in
    // before; the next request loads the new one's.
    session.remove_value(super::guard::ACTOR_SNAPSHOT_KEY).await.map_err(|e| failure("session update", e))?;
    session.insert(AUTH_KEY, auth).await.map_err(|e| failure("session insert", e))?;
    session.insert(RENEWED_KEY, ctx.state.clock.unix_seconds()).await.map_err(|e| failure("session insert", e))?;
    Ok(())
}

/// Keeps a signed-in session alive while it is used.
///
/// tower-sessions moves an `OnInactivity` expiry (in the store and in the
/// cookie's max-age) only when it saves the session, and it saves only a
/// session that changed: left alone, a session would end
/// `SESSION_IDLE_MINUTES` after sign-in however busy its user. Touching it
/// once a quarter of the idle time has passed makes the layer save it and
/// send a fresh cookie: one write per session every two hours by default,
/// instead of one per request.
///
/// A middleware inside the session layer, because a page streams its body
/// after the layer has decided whether to save: a change made while
/// rendering would be lost. Static files (which carry the cookie too) never
/// load the session.
pub async fn keep_alive(State(state): State<AppState>, request: Request<Body>, next: Next) -> Response {
    let session = request.extensions().get::<Session>().cloned();
    if let Some(session) = session.filter(|s| s.id().is_some() && !is_static_file(request.uri().path())) {
        if let Err(error) = renew_if_due(&session, state.config.session_idle, state.clock.unix_seconds()).await {
            if store_unavailable(&error) {
                tracing::warn!(%error, "the database is unavailable");
                return crate::server::respond::database_unavailable_response(request.uri().path(), request.headers());
            }
            // The request goes on: at worst the session ends on time.
            tracing::warn!(%error, "could not renew the session");
        }
        // Most requests stop here: the activity was noted within the minute.
        if activity_due(&session, state.clock.unix_seconds()).await {
            // Read before the next await: a request body is not `Sync`.
            let headers = request.headers();
            let peer = request.extensions().get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
            let client = crate::server::client_addr::client_addr(headers, peer, state.config.trust_proxy_hops);
            let user_agent =
                headers.get(http::header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
            if let Err(error) = record_activity(&state, &session, user_agent, client).await {
                // The request goes on: Active users shows an older time.
                tracing::warn!(%error, "could not note the session's activity");
            }
        }
    }
    next.run(request).await
}

/// The WASM bundle, styles and files from `public/` (all named with an
/// extension); no page or server function has a dot in its last segment.
fn is_static_file(path: &str) -> bool {
    path.starts_with("/pkg/") || path.rsplit('/').next().is_some_and(|last| last.contains('.'))
}

/// Whether a signed-in session's activity was last noted a minute or more
/// ago (the store read when along with the session: no query).
async fn activity_due(session: &Session, now: i64) -> bool {
    matches!(session.get::<i64>(SEEN_KEY).await, Ok(Some(seen)) if now.saturating_sub(seen) >= 60)
}

/// Notes the session's last activity, browser and client address for Active
/// users (at most once a minute per session: see `activity_due`), in one
/// small UPDATE of columns tower-sessions never writes (so its own save
/// cannot undo it).
async fn record_activity(
    state: &AppState,
    session: &Session,
    user_agent: String,
    client: Option<std::net::IpAddr>,
) -> Result<(), String> {
    let Some(id) = session.id() else { return Ok(()) };
    sqlx::query(
        "UPDATE sessions SET last_seen_at = $2, user_agent = left($3, 512), client_addr = $4::inet WHERE id = $1",
    )
    .bind(id.to_string())
    .bind(state.clock.now())
    .bind(user_agent)
    .bind(client.map(|ip| ip.to_string()))
    .execute(&state.pool)
    .await
    .map_err(|e| e.to_string())?;
    Ok(())
}

async fn renew_if_due(session: &Session, idle: Duration, now: i64) -> Result<(), tower_sessions::session::Error> {
    if session.get::<SessionAuth>(AUTH_KEY).await?.is_none() {
        return Ok(());
    }
    // A session from before renewal existed has no mark: renew it now.
    let renewed = session.get::<i64>(RENEWED_KEY).await?.unwrap_or(0);
    if now.saturating_sub(renewed) >= (idle.as_secs() / 4).max(1) as i64 {
        session.insert(RENEWED_KEY, now).await?;
    }
    Ok(())
}

/// Whether the session store failed because the database is unreachable.
fn store_unavailable(error: &tower_sessions::session::Error) -> bool {
    use tower_sessions::session::Error;
    use tower_sessions::session_store::Error as StoreError;
    matches!(error, Error::Store(StoreError::Backend(message)) if message.starts_with(super::session_store::UNAVAILABLE))
}

/// A session operation's error as the client gets it: a 503 to retry when
/// the store could not reach the database, else an internal error.
pub fn failure(context: &str, error: tower_sessions::session::Error) -> AppError {
    if store_unavailable(&error) {
        tracing::warn!(context, %error, "the database is unavailable");
        AppError::database_unavailable()
    } else {
        internal(context, error)
    }
}

pub async fn read(ctx: &RequestContext) -> Result<Option<SessionAuth>, AppError> {
    ctx.session()?.get::<SessionAuth>(AUTH_KEY).await.map_err(|e| failure("session read", e))
}

/// The signed-in user's row the session store read along with the session.
pub(super) async fn actor_snapshot(ctx: &RequestContext) -> Result<Option<super::guard::ActorRow>, AppError> {
    ctx.session()?
        .get::<super::guard::ActorRow>(super::guard::ACTOR_SNAPSHOT_KEY)
        .await
        .map_err(|e| failure("session read", e))
}

/// Ends every session of a user (their next request is signed out), on the
/// caller's connection so it commits with the change that calls for it.
/// Returns how many ended.
pub async fn end_all_of(conn: &mut sqlx::PgConnection, org_id: Uuid, user_id: Uuid) -> Result<u64, AppError> {
    let ended = sqlx::query("DELETE FROM sessions WHERE org_id = $1 AND user_id = $2")
        .bind(org_id)
        .bind(user_id)
        .execute(conn)
        .await?
        .rows_affected();
    Ok(ended)
}

/// Deletes the session row and clears the cookie.
pub async fn end(ctx: &RequestContext) -> Result<(), AppError> {
    ctx.session()?.flush().await.map_err(|e| failure("session delete", e))
}

#[cfg(test)]
mod tests {
    use super::is_static_file;

    #[test]
    fn only_files_skip_the_session() {
        assert!(is_static_file("/pkg/roster.wasm"));
        assert!(is_static_file("/favicon.svg"));
        assert!(!is_static_file("/settings/users"));
        assert!(!is_static_file("/api/list_users"));
        assert!(!is_static_file("/activate/abc-DEF_123"));
    }
}
