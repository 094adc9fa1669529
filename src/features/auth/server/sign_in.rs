//! Signing in with email and password.

use sqlx::FromRow;
use uuid::Uuid;

use super::lockout;
use super::password::PasswordHasher;
use super::session::SessionAuth;
use crate::error::AppError;
use crate::features::audit::server::{Action, Entry, Origin, record};
use crate::features::auth::types::Password;
use crate::features::users::types::UserStatus;
use crate::server::db::Db;

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

/// Checks the credentials. Every failure (unknown email, wrong password, a
/// locked account, one that cannot sign in) is the same error after the
/// same one argon2 verification, so the answer does not reveal which
/// accounts exist or what became of them. `base_url` is for the lockout
/// mail's recovery link.
#[tracing::instrument(skip_all)]
pub async fn sign_in(
    pool: &Db,
    hasher: &PasswordHasher,
    email: &str,
    password: &Password,
    origin: &Origin,
    base_url: &str,
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
    let Some(account) = candidate else {
        // An unknown email has no organization to tell: this line is all.
        tracing::info!("sign-in refused: unknown email");
        return Err(AppError::InvalidCredentials);
    };
    let name = format!("{} {}", account.first_name, account.last_name);
    if account.status != UserStatus::Active {
        tracing::info!(user_id = %account.id, "sign-in refused: the account cannot sign in");
        let entry = Entry::new(account.org_id, Action::SignInFailed)
            .about(account.id, &name)
            .with(serde_json::json!({ "reason": "the account cannot sign in", "status": account.status }));
        let mut conn = pool.acquire().await?;
        record(&mut conn, origin, entry).await?;
        return Err(AppError::InvalidCredentials);
    }
    if !verification.matches {
        tracing::info!(user_id = %account.id, "sign-in refused: wrong password");
        let failure = lockout::Failure { org_id: account.org_id, user_id: account.id, name: &name };
        lockout::count_failure(pool, failure, origin, base_url).await?;
        return Err(AppError::InvalidCredentials);
    }
    let user = account;

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
    // The right password, but is the account locked (or disabled a moment
    // ago)? Asked under the row's lock, after any failure counted before.
    match lockout::lock_in_effect(&mut tx, user.org_id, user.id).await? {
        Some(false) => {}
        locked => {
            tracing::info!(user_id = %user.id, "sign-in refused: the account is locked or no longer active");
            let entry = Entry::new(user.org_id, Action::SignInFailed)
                .about(user.id, &name)
                .with(serde_json::json!({ "reason": if locked.is_some() { "account locked" } else { "the account cannot sign in" } }));
            record(&mut tx, origin, entry).await?;
            tx.commit().await?;
            return Err(AppError::InvalidCredentials);
        }
    }
    lockout::clear(&mut tx, user.org_id, user.id).await?;
    sqlx::query(
        "UPDATE users SET last_sign_in_at = now(), password_hash = coalesce($3, password_hash) \
         WHERE org_id = $1 AND id = $2",
    )
    .bind(user.org_id)
    .bind(user.id)
    .bind(new_hash)
    .execute(&mut *tx)
    .await?;
    let entry = Entry::new(user.org_id, Action::SignedIn).about(user.id, &name);
    record(&mut tx, &origin.clone().by(user.id, &name), entry).await?;
    tx.commit().await?;
    tracing::info!(user_id = %user.id, org_id = %user.org_id, "signed in");
    Ok(SessionAuth { user_id: user.id, org_id: user.org_id, epoch: user.session_epoch })
}
