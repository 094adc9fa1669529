//! The signed-in state kept in the server-side session (tower-sessions with
//! its PostgreSQL store: the cookie holds only a random id, the data lives in
//! the database, so any app instance can serve any request).

use std::time::Duration;

use serde::{Deserialize, Serialize};
use tower_sessions::Session;
use uuid::Uuid;

use crate::error::AppError;
use crate::server::respond::{RequestContext, internal};

const AUTH_KEY: &str = "auth";
/// When the session was last saved to keep it alive (Unix seconds).
const RENEWED_KEY: &str = "renewed";

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
        session.cycle_id().await.map_err(|e| internal("session rotate", e))?;
    }
    session.insert(AUTH_KEY, auth).await.map_err(|e| internal("session insert", e))?;
    session.insert(RENEWED_KEY, unix_now()).await.map_err(|e| internal("session insert", e))?;
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
/// instead of one per request. Returns whether the session was touched.
pub async fn renew_if_due(session: &Session, idle: Duration) -> Result<bool, tower_sessions::session::Error> {
    if session.get::<SessionAuth>(AUTH_KEY).await?.is_none() {
        return Ok(false);
    }
    let now = unix_now();
    // A session from before renewal existed has no mark: renew it now.
    let renewed = session.get::<i64>(RENEWED_KEY).await?.unwrap_or(0);
    let due = now.saturating_sub(renewed) >= (idle.as_secs() / 4).max(1) as i64;
    if due {
        session.insert(RENEWED_KEY, now).await?;
    }
    Ok(due)
}

fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

pub async fn read(ctx: &RequestContext) -> Result<Option<SessionAuth>, AppError> {
    ctx.session()?.get::<SessionAuth>(AUTH_KEY).await.map_err(|e| internal("session read", e))
}

/// Deletes the session row and clears the cookie.
pub async fn end(ctx: &RequestContext) -> Result<(), AppError> {
    ctx.session()?.flush().await.map_err(|e| internal("session delete", e))
}
