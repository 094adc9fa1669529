//! Writing audit entries (ssr only).

use sqlx::PgConnection;
use uuid::Uuid;

use crate::error::AppError;

/// What happened, as stored in `audit_log.action`: stable keys the log's
/// readers (people, exports, webhooks later) can rely on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// An invite was refused because the address already has an account.
    InviteRefusedExistingAccount,
}

impl Action {
    pub fn key(self) -> &'static str {
        match self {
            Action::InviteRefusedExistingAccount => "invite.refused_existing_account",
        }
    }
}

pub struct Entry<'a> {
    pub org_id: Uuid,
    pub actor_id: Option<Uuid>,
    pub action: Action,
    pub subject_id: Option<Uuid>,
    pub details: serde_json::Value,
    pub request_id: Option<&'a str>,
}

/// Appends an entry, as part of the caller's transaction.
pub async fn record(conn: &mut PgConnection, entry: Entry<'_>) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO audit_log (org_id, actor_id, action, subject_id, details, request_id) \
         VALUES ($1, $2, $3, $4, $5::jsonb, $6)",
    )
    .bind(entry.org_id)
    .bind(entry.actor_id)
    .bind(entry.action.key())
    .bind(entry.subject_id)
    .bind(entry.details.to_string())
    .bind(entry.request_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// How many entries of `action` the organization got in the last `hours`.
pub async fn count_recent(conn: &mut PgConnection, org_id: Uuid, action: Action, hours: i32) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE org_id = $1 AND action = $2 AND at > now() - make_interval(hours => $3)",
    )
    .bind(org_id)
    .bind(action.key())
    .bind(hours)
    .fetch_one(&mut *conn)
    .await?)
}
