//! Automatic lockout (ELMA365's "Account is locked"): failed sign-ins are
//! counted per account; the organization's threshold within its window
//! locks the account for its duration (or until an admin unlocks it).
//!
//! Counting and locking are one `UPDATE`: concurrent wrong guesses queue on
//! the row's lock, each sees the count the previous one left, so the lock
//! comes at exactly the threshold whatever the concurrency, and a guess
//! that arrives while the account is locked changes nothing (it does not
//! extend the lock). A right password checks the lock under the same row
//! lock before it signs in.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::{FromRow, PgConnection};
use uuid::Uuid;

use super::recovery;
use crate::error::AppError;
use crate::features::audit::server::{Action, Entry, Origin, record};
use crate::features::invites::server::link::{LinkReason, expiry_text};
use crate::features::mail::templates::RecoveryOccasion;
use crate::server::db::Db;

/// SQL: the lock on users `u` is in effect now.
pub const LOCKED_NOW: &str = "(u.locked_at IS NOT NULL AND (u.locked_until IS NULL OR u.locked_until > now()))";

#[derive(FromRow)]
struct Counted {
    failed_sign_ins: i32,
    locked: bool,
    locked_until: Option<DateTime<Utc>>,
    time_zone: String,
}

/// The account whose password was wrong.
pub struct Failure<'a> {
    pub org_id: Uuid,
    pub user_id: Uuid,
    pub name: &'a str,
}

/// Counts a wrong password on an active account, locks it at the
/// threshold (auditing the lock and mailing its owner a recovery link),
/// and audits the failure, in one transaction.
pub async fn count_failure(pool: &Db, failure: Failure<'_>, origin: &Origin, base_url: &str) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    // A new window starts with the first failure, or after an expired lock.
    let restart = "(u.first_failed_at IS NULL OR u.locked_at IS NOT NULL \
                   OR u.first_failed_at <= now() - make_interval(mins => o.lockout_window_minutes))";
    let count = format!("(CASE WHEN {restart} THEN 1 ELSE u.failed_sign_ins + 1 END)");
    let counted: Option<Counted> = sqlx::query_as(&format!(
        "UPDATE users u SET failed_sign_ins = {count}, \
                first_failed_at = CASE WHEN {restart} THEN now() ELSE u.first_failed_at END, \
                locked_at = CASE WHEN {count} >= o.lockout_threshold THEN now() END, \
                locked_until = CASE WHEN {count} >= o.lockout_threshold \
                    THEN now() + make_interval(mins => o.lockout_minutes) END \
         FROM organizations o \
         WHERE o.id = u.org_id AND u.org_id = $1 AND u.id = $2 AND u.status = 'active' AND NOT {LOCKED_NOW} \
         RETURNING u.failed_sign_ins, u.locked_at IS NOT NULL AS locked, u.locked_until, u.time_zone"
    ))
    .bind(failure.org_id)
    .bind(failure.user_id)
    .fetch_optional(&mut *tx)
    .await?;
    let reason = match &counted {
        None => "account locked",
        Some(_) => "wrong password",
    };
    let entry = Entry::new(failure.org_id, Action::SignInFailed)
        .about(failure.user_id, failure.name)
        .with(serde_json::json!({ "reason": reason }));
    record(&mut tx, origin, entry).await?;
    if let Some(counted) = counted.filter(|c| c.locked) {
        let zone: Tz = counted.time_zone.parse().unwrap_or(Tz::UTC);
        let until = counted.locked_until.map(|at| expiry_text(at, zone));
        let entry = Entry::new(failure.org_id, Action::AccountLocked).about(failure.user_id, failure.name).with(
            serde_json::json!({ "failures": counted.failed_sign_ins, "until": until.as_deref().unwrap_or("unlocked by an admin") }),
        );
        record(&mut tx, origin, entry).await?;
        let occasion = RecoveryOccasion::Locked { failures: counted.failed_sign_ins, until };
        recovery::send_link(&mut tx, failure.org_id, failure.user_id, occasion, LinkReason::Lockout, base_url).await?;
        tracing::warn!(org_id = %failure.org_id, user_id = %failure.user_id, "account locked after failed sign-ins");
        metrics::counter!(crate::server::metrics::LOCKOUTS).increment(1);
    }
    tx.commit().await?;
    Ok(())
}

/// Whether the account's lock is in effect, with its row locked for the
/// caller's transaction (a sign-in with the right password asks this).
/// `None`: the account is no longer active.
pub async fn lock_in_effect(conn: &mut PgConnection, org_id: Uuid, user_id: Uuid) -> Result<Option<bool>, AppError> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT {LOCKED_NOW} FROM users u WHERE u.org_id = $1 AND u.id = $2 AND u.status = 'active' FOR UPDATE"
    ))
    .bind(org_id)
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Clears the failure count and any lock, in the caller's transaction.
pub async fn clear(conn: &mut PgConnection, org_id: Uuid, user_id: Uuid) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE users SET failed_sign_ins = 0, first_failed_at = NULL, locked_at = NULL, locked_until = NULL \
         WHERE org_id = $1 AND id = $2 AND (failed_sign_ins <> 0 OR locked_at IS NOT NULL)",
    )
    .bind(org_id)
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
