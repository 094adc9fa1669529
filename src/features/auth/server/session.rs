//! The signed-in state kept in the server-side session (tower-sessions with
//! its PostgreSQL store: the cookie holds only a random id, the data lives in
//! the database, so any app instance can serve any request).

use serde::{Deserialize, Serialize};
use tower_sessions::Session;
use uuid::Uuid;

use crate::error::AppError;
use crate::server::respond::internal;

const AUTH_KEY: &str = "auth";

/// Who the session belongs to. `epoch` must match the user's
/// `session_epoch`: bumping that column signs out every session at once.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct SessionAuth {
    pub user_id: Uuid,
    pub org_id: Uuid,
    pub epoch: i32,
}

async fn current_session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|e| internal("session layer missing", e))
}

/// Signs the session in. The session id is rotated first, so an id planted
/// before sign-in (session fixation) is worthless afterwards.
pub async fn begin(auth: SessionAuth) -> Result<(), AppError> {
    let session = current_session().await?;
    session.cycle_id().await.map_err(|e| internal("session rotate", e))?;
    session.insert(AUTH_KEY, auth).await.map_err(|e| internal("session insert", e))?;
    Ok(())
}

pub async fn read() -> Result<Option<SessionAuth>, AppError> {
    let session = current_session().await?;
    session.get::<SessionAuth>(AUTH_KEY).await.map_err(|e| internal("session read", e))
}

/// Deletes the session row and clears the cookie.
pub async fn end() -> Result<(), AppError> {
    let session = current_session().await?;
    session.flush().await.map_err(|e| internal("session delete", e))
}
