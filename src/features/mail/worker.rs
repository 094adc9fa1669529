//! Delivers the outbox. Workers claim due rows with `FOR UPDATE SKIP LOCKED`
//! inside a transaction, send them, and mark each row sent only after the
//! SMTP server accepted it; a failed send is retried with exponential backoff
//! (capped) and marked failed after `MAX_ATTEMPTS`. Several app instances can
//! run workers on one database: a row locked by one is skipped by the others,
//! so a mail goes out once. (A crash between the server's acceptance and the
//! commit would send that one mail again on restart: at least once, never
//! lost.)

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::postgres::PgListener;
use sqlx::{FromRow, PgPool};
use uuid::Uuid;

use crate::error::AppError;

pub const MAX_ATTEMPTS: i32 = 8;
/// Mails claimed (and sent concurrently) per transaction.
pub const BATCH: i64 = 50;

/// Where mail goes.
#[derive(Clone)]
pub enum Delivery {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    /// No SMTP configured: mail lands in the `dev_mailbox` table.
    DevMailbox,
}

impl Delivery {
    pub fn from_config(smtp_url: Option<&str>, from: &str) -> Result<Self, String> {
        let Some(url) = smtp_url else {
            return Ok(Delivery::DevMailbox);
        };
        Self::smtp(url, from)
    }

    fn smtp(url: &str, from: &str) -> Result<Self, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("SMTP_URL is not usable: {e}"))?
            .timeout(Some(Duration::from_secs(10)))
            .build();
        let from = from.parse().map_err(|e| format!("MAIL_FROM is not an address: {e}"))?;
        Ok(Delivery::Smtp { transport, from })
    }
}

#[derive(FromRow)]
struct Due {
    id: Uuid,
    recipient: String,
    subject: String,
    body_text: String,
    body_html: String,
    attempts: i32,
}

/// Retry delay after `attempts` failures: 5 s, 10 s, 20 s … capped at 30 min.
pub fn backoff(attempts: i32) -> Duration {
    let seconds = 5u64.saturating_mul(1u64 << attempts.clamp(1, 20).saturating_sub(1));
    Duration::from_secs(seconds.min(30 * 60))
}

/// Sends what is due, one batch per transaction, until nothing is due.
/// Returns how many mails were accepted.
pub async fn deliver_due(pool: &PgPool, delivery: &Delivery) -> Result<usize, AppError> {
    let mut sent = 0;
    loop {
        let mut tx = pool.begin().await?;
        let due: Vec<Due> = sqlx::query_as(
            "SELECT id, recipient, subject, body_text, body_html, attempts FROM outbox \
             WHERE state IN ('queued', 'retrying') AND next_attempt_at <= now() \
             ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED",
        )
        .bind(BATCH)
        .fetch_all(&mut *tx)
        .await?;
        if due.is_empty() {
            return Ok(sent);
        }
        let results = futures::future::join_all(due.iter().map(|mail| send(delivery, mail))).await;
        for (mail, result) in due.iter().zip(results) {
            match result {
                Ok(()) => {
                    sent += 1;
                    sqlx::query(
                        "UPDATE outbox SET state = 'sent', sent_at = now(), attempts = attempts + 1, last_error = NULL \
                         WHERE id = $1",
                    )
                    .bind(mail.id)
                    .execute(&mut *tx)
                    .await?;
                    if matches!(delivery, Delivery::DevMailbox) {
                        sqlx::query(
                            "INSERT INTO dev_mailbox (outbox_id, recipient, subject, body_text, body_html) \
                             VALUES ($1, $2, $3, $4, $5)",
                        )
                        .bind(mail.id)
                        .bind(&mail.recipient)
                        .bind(&mail.subject)
                        .bind(&mail.body_text)
                        .bind(&mail.body_html)
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                Err(error) => {
                    let attempts = mail.attempts + 1;
                    let state = if attempts >= MAX_ATTEMPTS { "failed" } else { "retrying" };
                    tracing::warn!(outbox_id = %mail.id, attempts, %error, "mail not delivered");
                    sqlx::query(
                        "UPDATE outbox SET state = $2::mail_state, attempts = $3, last_error = $4, \
                                next_attempt_at = now() + make_interval(secs => $5) WHERE id = $1",
                    )
                    .bind(mail.id)
                    .bind(state)
                    .bind(attempts)
                    .bind(error.chars().take(500).collect::<String>())
                    .bind(backoff(attempts).as_secs_f64())
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        tx.commit().await?;
    }
}

async fn send(delivery: &Delivery, mail: &Due) -> Result<(), String> {
    match delivery {
        Delivery::DevMailbox => Ok(()),
        Delivery::Smtp { transport, from } => {
            let to: Mailbox = mail.recipient.parse().map_err(|e| format!("bad recipient: {e}"))?;
            let message = Message::builder()
                .from(from.clone())
                .to(to)
                .subject(&mail.subject)
                .multipart(MultiPart::alternative_plain_html(mail.body_text.clone(), mail.body_html.clone()))
                .map_err(|e| e.to_string())?;
            transport.send(message).await.map(|_| ()).map_err(|e| e.to_string())
        }
    }
}

/// The background worker: delivers at once when notified, and every few
/// seconds anyway (for retries and missed notifications).
pub async fn run(pool: PgPool, delivery: Delivery) {
    let mut listener = match PgListener::connect_with(&pool).await {
        Ok(mut listener) => match listener.listen("outbox").await {
            Ok(()) => Some(listener),
            Err(_) => None,
        },
        Err(_) => None,
    };
    loop {
        if let Err(error) = deliver_due(&pool, &delivery).await {
            tracing::error!(?error, "outbox delivery failed");
        }
        match listener.as_mut() {
            Some(listener) => {
                let _ = tokio::time::timeout(Duration::from_secs(5), listener.recv()).await;
            }
            None => tokio::time::sleep(Duration::from_secs(2)).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_up_to_a_cap() {
        assert_eq!(backoff(1), Duration::from_secs(5));
        assert_eq!(backoff(2), Duration::from_secs(10));
        assert_eq!(backoff(4), Duration::from_secs(40));
        assert_eq!(backoff(30), Duration::from_secs(1800));
    }
}
