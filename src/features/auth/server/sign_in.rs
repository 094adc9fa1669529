//! Signing in with email and password.

use sqlx::{FromRow, PgPool};
use uuid::Uuid;

use super::password::PasswordHasher;
use super::session::SessionAuth;
use crate::error::AppError;
use crate::features::audit::server::{Action, Entry, Origin, record};
use crate::features::auth::types::Password;
use crate::features::users::types::UserStatus;

#[derive(FromRow)]
struct Candidate {
    id: Uuid,
    org_id: Uuid,
    status: UserStatus,
    password_hash: Option<String>,
    session_epoch: i32,
    first_name: String,
    last_name: String,
}

/// Checks the credentials. Every failure (unknown email, wrong password, an
/// account that cannot sign in) is the same error after the same amount of
/// work, so the answer does not reveal which accounts exist.
#[tracing::instrument(skip_all)]
pub async fn sign_in(
    pool: &PgPool,
    hasher: &PasswordHasher,
    email: &str,
    password: &Password,
    origin: &Origin,
) -> Result<SessionAuth, AppError> {
    // In line first: when the line is full, "busy" comes before any work.
    let place = hasher.join_line()?;
    let email = email.trim();
    if email.is_empty() || email.chars().count() > 254 || password.expose().chars().count() > 1024 {
        // Still hash, so an over-long input is not a timing oracle either.
        hasher.verify_in_line(place, password, None).await?;
        return Err(AppError::InvalidCredentials);
    }
    // The email is the installation-wide login; it names the tenant, so this
    // is the one query that does not start from an org_id.
    let candidate: Option<Candidate> = sqlx::query_as(
        "SELECT id, org_id, status, password_hash, session_epoch, first_name, last_name FROM users \
         WHERE lower(email) = lower($1)",
    )
    .bind(email)
    .fetch_optional(pool)
    .await?;
    let stored = candidate.as_ref().and_then(|c| c.password_hash.as_deref());
    let verification = hasher.verify_in_line(place, password, stored).await?;
    let Some(user) = candidate.as_ref().filter(|c| verification.matches && c.status == UserStatus::Active) else {
        tracing::info!("sign-in refused");
        // An account's organization is told; an unknown email has none
        // (the log line above is all there is). Written after the answer,
        // so that it does not make a known email's refusal slower than an
        // unknown one's; nothing else changed to share its transaction.
        if let Some(account) = candidate {
            let reason = if verification.matches { "the account cannot sign in" } else { "wrong password" };
            let (pool, origin) = (pool.clone(), origin.clone());
            tokio::spawn(async move {
                let name = format!("{} {}", account.first_name, account.last_name);
                let entry = Entry::new(account.org_id, Action::SignInFailed)
                    .about(account.id, &name)
                    .with(serde_json::json!({ "reason": reason, "status": account.status }));
                let written = async {
                    let mut conn = pool.acquire().await?;
                    record(&mut conn, &origin, entry).await
                };
                if let Err(error) = written.await {
                    tracing::warn!(?error, "could not write a failed sign-in to the audit log");
                }
            });
        }
        return Err(AppError::InvalidCredentials);
    };

    // Upgrade an old hash now that we know the password; with the line full
    // the upgrade waits for the next sign-in rather than refusing this one.
    let new_hash = match verification.needs_rehash {
        false => None,
        true => match hasher.hash(password).await {
            Ok(hash) => Some(hash.0),
            Err(AppError::Busy { .. }) => None,
            Err(error) => return Err(error),
        },
    };
    let mut tx = pool.begin().await?;
    sqlx::query(
        "UPDATE users SET last_sign_in_at = now(), password_hash = coalesce($3, password_hash) \
         WHERE org_id = $1 AND id = $2",
    )
    .bind(user.org_id)
    .bind(user.id)
    .bind(new_hash)
    .execute(&mut *tx)
    .await?;
    let name = format!("{} {}", user.first_name, user.last_name);
    let entry = Entry::new(user.org_id, Action::SignedIn).about(user.id, &name);
    record(&mut tx, &origin.clone().by(user.id, &name), entry).await?;
    tx.commit().await?;
    tracing::info!(user_id = %user.id, org_id = %user.org_id, "signed in");
    Ok(SessionAuth { user_id: user.id, org_id: user.org_id, epoch: user.session_epoch })
}
