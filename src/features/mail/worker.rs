//! Delivers the outbox without holding a lock while an SMTP server answers.
//!
//! 1. **Claim**: a worker takes up to `BATCH` due rows by giving them its
//!    lease (`lease_owner`, `lease_until`) in one short statement that
//!    commits at once; other workers skip leased rows.
//! 2. **Confirm**, just before each send: a conditional update turns the row
//!    `sending` only if it is still pending and still leased to this worker.
//!    A mail withdrawn in between (resend, cancel) is therefore never sent,
//!    and a row another worker took over after our lease ran out is not sent
//!    by us.
//! 3. **Send** outside any transaction, then **record** the result: `sent`, or
//!    `retrying` with exponential backoff (capped), `failed` after
//!    `MAX_ATTEMPTS`.
//!
//! Resend and cancel only wait for one-row statements, never for SMTP. A
//! worker that dies after confirming leaves a `sending` row; once its lease
//! has run out any worker puts it back in line (`recover_abandoned`). So a
//! mail is sent at least once and never lost; it can go twice only if a
//! worker died between the server's acceptance and recording it.

use std::time::Duration;

use futures::StreamExt;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::FromRow;
use uuid::Uuid;

use crate::error::AppError;
use crate::server::db::Db;

pub const MAX_ATTEMPTS: i32 = 8;
/// How long one SMTP conversation may take.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(10);
/// Mails claimed at once, and sent concurrently (one SMTP connection each).
pub const BATCH: i64 = 10;
/// A claim or a send holds its row this long: three SMTP timeouts, so a
/// live worker never loses a row it is working on, and a dead one's rows
/// come back within a minute.
pub const LEASE: Duration = Duration::from_secs(3 * SMTP_TIMEOUT.as_secs());

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
            .timeout(Some(SMTP_TIMEOUT))
            // One connection per mail of a batch, none waiting for another.
            .pool_config(PoolConfig::new().max_size(BATCH as u32))
            .build();
        let from = from.parse().map_err(|e| format!("MAIL_FROM is not an address: {e}"))?;
        Ok(Delivery::Smtp { transport, from })
    }
}

/// A claimed mail.
#[derive(FromRow)]
pub struct Claimed {
    pub id: Uuid,
    recipient: String,
    subject: String,
    body_text: String,
    body_html: String,
}

/// Retry delay after `attempts` failures: 5 s, 10 s, 20 s … capped at 30 min.
pub fn backoff(attempts: i32) -> Duration {
    let seconds = 5u64.saturating_mul(1u64 << attempts.clamp(1, 20).saturating_sub(1));
    Duration::from_secs(seconds.min(30 * 60))
}

/// Sends what is due, one claimed batch after another, until nothing is
/// due. Returns how many mails were accepted.
pub async fn deliver_due(pool: &Db, delivery: &Delivery) -> Result<usize, AppError> {
    deliver_due_until(pool, delivery, &tokio::sync::watch::channel(false).1).await
}

/// [`deliver_due`], claiming no further batch once `stop` is true.
async fn deliver_due_until(
    pool: &Db,
    delivery: &Delivery,
    stop: &tokio::sync::watch::Receiver<bool>,
) -> Result<usize, AppError> {
    let worker = Uuid::new_v4();
    recover_abandoned(pool).await?;
    let mut sent = 0;
    while !*stop.borrow() {
        let batch = claim(pool, worker, BATCH).await?;
        if batch.is_empty() {
            break;
        }
        sent += send_claimed(pool, delivery, worker, batch).await?;
    }
    Ok(sent)
}

/// Leases up to `limit` due mails to `worker`, committed at once.
pub async fn claim(pool: &Db, worker: Uuid, limit: i64) -> Result<Vec<Claimed>, AppError> {
    Ok(sqlx::query_as(
        "WITH due AS ( \
             SELECT id FROM outbox \
             WHERE state IN ('queued', 'retrying') AND next_attempt_at <= now() \
               AND (lease_until IS NULL OR lease_until < now()) \
             ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED) \
         UPDATE outbox o SET lease_owner = $1, lease_until = now() + make_interval(secs => $3) \
         FROM due WHERE o.id = due.id \
         RETURNING o.id, o.recipient, o.subject, o.body_text, o.body_html",
    )
    .bind(worker)
    .bind(limit)
    .bind(LEASE.as_secs_f64())
    .fetch_all(pool)
    .await?)
}

/// Sends a claimed batch concurrently, each mail confirmed just before it
/// goes and recorded as soon as the server answered. Returns how many were
/// accepted.
pub async fn send_claimed(
    pool: &Db,
    delivery: &Delivery,
    worker: Uuid,
    batch: Vec<Claimed>,
) -> Result<usize, AppError> {
    let results: Vec<Result<bool, AppError>> = futures::stream::iter(batch)
        .map(|mail| deliver_one(pool, delivery, worker, mail))
        .buffer_unordered(BATCH as usize)
        .collect()
        .await;
    let mut sent = 0;
    for result in results {
        if result? {
            sent += 1;
        }
    }
    Ok(sent)
}

/// Confirm, send, record. Ok(true) when the server accepted the mail.
async fn deliver_one(pool: &Db, delivery: &Delivery, worker: Uuid, mail: Claimed) -> Result<bool, AppError> {
    let attempts: Option<i32> = sqlx::query_scalar(
        "UPDATE outbox SET state = 'sending', attempts = attempts + 1, \
                lease_until = now() + make_interval(secs => $3) \
         WHERE id = $1 AND lease_owner = $2 AND lease_until > now() AND state IN ('queued', 'retrying') \
         RETURNING attempts",
    )
    .bind(mail.id)
    .bind(worker)
    .bind(LEASE.as_secs_f64())
    .fetch_optional(pool)
    .await?;
    let Some(attempts) = attempts else {
        // Withdrawn since the claim, or our lease ran out and it is someone else's.
        return Ok(false);
    };
    match send(delivery, &mail).await {
        Ok(()) => {
            let mut tx = pool.begin().await?;
            // Still ours (not re-claimed after an expired lease): it is sent.
            let recorded = sqlx::query(
                "UPDATE outbox SET state = 'sent', sent_at = now(), last_error = NULL, \
                        lease_owner = NULL, lease_until = NULL \
                 WHERE id = $1 AND lease_owner = $2",
            )
            .bind(mail.id)
            .bind(worker)
            .execute(&mut *tx)
            .await?;
            if recorded.rows_affected() == 1 && matches!(delivery, Delivery::DevMailbox) {
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
            tx.commit().await?;
            metrics::counter!(crate::server::metrics::MAILS, "result" => "sent").increment(1);
            Ok(true)
        }
        Err(error) => {
            let state = if attempts >= MAX_ATTEMPTS { "failed" } else { "retrying" };
            metrics::counter!(crate::server::metrics::MAILS, "result" => state).increment(1);
            tracing::warn!(outbox_id = %mail.id, attempts, %error, "mail not delivered");
            sqlx::query(
                "UPDATE outbox SET state = $3::mail_state, last_error = $4, \
                        next_attempt_at = now() + make_interval(secs => $5), lease_owner = NULL, lease_until = NULL \
                 WHERE id = $1 AND lease_owner = $2",
            )
            .bind(mail.id)
            .bind(worker)
            .bind(state)
            .bind(error.chars().take(500).collect::<String>())
            .bind(backoff(attempts).as_secs_f64())
            .execute(pool)
            .await?;
            Ok(false)
        }
    }
}

/// Puts back in line the mails a worker was sending when it died (lease run
/// out): whether the server got them is unknown, so they count as an attempt
/// and go again.
pub async fn recover_abandoned(pool: &Db) -> Result<u64, AppError> {
    let recovered = sqlx::query(
        "UPDATE outbox SET \
             state = (CASE WHEN attempts >= $1 THEN 'failed' ELSE 'retrying' END)::mail_state, \
             last_error = 'The delivery was interrupted (the sending worker stopped).', \
             next_attempt_at = now(), lease_owner = NULL, lease_until = NULL \
         WHERE state = 'sending' AND lease_until < now()",
    )
    .bind(MAX_ATTEMPTS)
    .execute(pool)
    .await?
    .rows_affected();
    if recovered > 0 {
        tracing::warn!(recovered, "mails left 'sending' by a stopped worker are queued again");
    }
    Ok(recovered)
}

async fn send(delivery: &Delivery, mail: &Claimed) -> Result<(), String> {
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
///
/// Until `stop` turns true (the server is shutting down): then the batch
/// being sent is finished and recorded, no new one is claimed, and the
/// worker returns. A mail claimed but never started (the process killed
/// instead) is claimed again by any instance once its lease runs out.
pub async fn run(pool: Db, delivery: Delivery, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut listener = match pool.listener().await {
        Ok(mut listener) => match listener.listen("outbox").await {
            Ok(()) => Some(listener),
            Err(_) => None,
        },
        Err(_) => None,
    };
    while !*stop.borrow() {
        if let Err(error) = deliver_due_until(&pool, &delivery, &stop).await {
            tracing::error!(?error, "outbox delivery failed");
        }
        let wait = async {
            match listener.as_mut() {
                Some(listener) => {
                    let _ = tokio::time::timeout(Duration::from_secs(5), listener.recv()).await;
                }
                None => tokio::time::sleep(Duration::from_secs(2)).await,
            }
        };
        tokio::select! {
            () = wait => {}
            _ = stop.changed() => {}
        }
    }
    tracing::info!("outbox worker stopped");
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
