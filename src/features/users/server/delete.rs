//! Deleting a user (ELPRO, IoT Pro): the acting Superuser re-enters their
//! own password; the user, their sessions, links and mail go, their seat is
//! freed, and the audit log keeps the names it recorded.

use sqlx::{FromRow, PgPool};
use uuid::Uuid;

use super::access::{Admin, disable};
use crate::error::AppError;
use crate::features::audit::server::{Action, Entry, record};
use crate::features::auth::server::password::PasswordHasher;
use crate::features::auth::types::Password;
use crate::features::users::types::{Role, UserStatus};

#[derive(FromRow)]
struct Target {
    status: UserStatus,
    role: Role,
    first_name: String,
    last_name: String,
    email: String,
}

/// Deletes `user_id` once `password` proves the admin is at the keyboard.
/// Returns the deleted user's name. Nobody deletes themself, and the
/// organization's last Superuser is never deleted.
pub async fn delete_user(
    pool: &PgPool,
    hasher: &PasswordHasher,
    admin: &Admin<'_>,
    password: &Password,
    user_id: Uuid,
) -> Result<String, AppError> {
    if user_id == admin.user_id {
        return Err(AppError::bad_request("You cannot delete yourself."));
    }
    let stored: Option<String> = sqlx::query_scalar("SELECT password_hash FROM users WHERE org_id = $1 AND id = $2")
        .bind(admin.org_id)
        .bind(admin.user_id)
        .fetch_one(pool)
        .await?;
    if !hasher.verify(password, stored.as_deref()).await?.matches {
        return Err(AppError::field("password", "The password is incorrect."));
    }

    let mut tx = pool.begin().await?;
    let target: Target = sqlx::query_as(
        "SELECT status, role, first_name, last_name, email FROM users WHERE org_id = $1 AND id = $2 FOR UPDATE",
    )
    .bind(admin.org_id)
    .bind(user_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let name = format!("{} {}", target.first_name, target.last_name);
    if target.role == Role::Superuser {
        let others: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM (SELECT 1 FROM users WHERE org_id = $1 AND role = 'superuser' AND status = 'active' \
             AND id <> $2 FOR UPDATE) s",
        )
        .bind(admin.org_id)
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
        if others == 0 {
            return Err(AppError::bad_request(format!(
                "{name} is the organization's last active Superuser and cannot be deleted."
            )));
        }
    }
    // Access ends the one way it always does (sessions, epoch) before the
    // row goes; links, mail and sessions follow it by their foreign keys.
    if target.status == UserStatus::Active {
        disable(&mut tx, admin.org_id, user_id).await?;
    }
    sqlx::query("DELETE FROM users WHERE org_id = $1 AND id = $2")
        .bind(admin.org_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    let entry = Entry::new(admin.org_id, Action::UserDeleted)
        .about(user_id, &name)
        .with(serde_json::json!({ "email": target.email, "role": target.role.label() }));
    record(&mut tx, admin.origin, entry).await?;
    tx.commit().await?;
    tracing::info!(%user_id, "user deleted");
    Ok(name)
}
