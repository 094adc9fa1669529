//! The signed-in state kept in the server-side session (tower-sessions with
//! its PostgreSQL store: the cookie holds only a random id, the data lives in
//! the database, so any app instance can serve any request).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;
use crate::server::respond::{RequestContext, internal};

const AUTH_KEY: &str = "auth";

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
    Ok(())
}

pub async fn read(ctx: &RequestContext) -> Result<Option<SessionAuth>, AppError> {
    ctx.session()?.get::<SessionAuth>(AUTH_KEY).await.map_err(|e| internal("session read", e))
}

/// Deletes the session row and clears the cookie.
pub async fn end(ctx: &RequestContext) -> Result<(), AppError> {
    ctx.session()?.flush().await.map_err(|e| internal("session delete", e))
}
