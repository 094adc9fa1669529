//! The development mailbox's server function.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DevMail {
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub delivered: String,
}

/// The newest mail of the development mailbox. It exists only when asked
/// for (`DEV_MAILBOX=true`, as `make run` sets) and no SMTP server is
/// configured; otherwise it is a 404, so a production installation never
/// exposes activation links.
#[server(endpoint = "dev_mailbox")]
pub async fn dev_mailbox() -> Result<Vec<DevMail>, AppError> {
    use crate::server::respond::respond;
    respond(|ctx| async move {
        if !ctx.state.config.dev_mailbox_enabled() {
            return Err(AppError::NotFound);
        }
        let rows: Vec<(String, String, String, chrono::DateTime<chrono::Utc>)> = sqlx::query_as(
            "SELECT recipient, subject, body_text, delivered_at FROM dev_mailbox ORDER BY delivered_at DESC LIMIT 100",
        )
        .fetch_all(&ctx.state.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(recipient, subject, body_text, at)| DevMail {
                recipient,
                subject,
                body_text,
                delivered: at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            })
            .collect())
    })
    .await
}
