//! Deleting a user (ELPRO, IoT Pro): the acting Superuser re-enters their
//! own password; the user, their sessions, links and mail go, their seat is
//! freed, and the audit log keeps the names it recorded.

use uuid::Uuid;

use super::access::{Admin, disable, keep_a_superuser, lock_target};
use crate::error::AppError;
use crate::features::audit::server::{Action, Entry, record};
use crate::features::auth::server::own_account::confirm_own_password;
use crate::features::auth::server::password::PasswordHasher;
use crate::features::auth::types::Password;
use crate::features::users::types::UserStatus;
use crate::server::db::Db;

/// Deletes `user_id` once `password` proves the admin is at the keyboard.
/// Returns the deleted user's name. Nobody deletes themself, and the
/// organization's last Superuser is never deleted.
pub async fn delete_user(
    pool: &Db,
    hasher: &PasswordHasher,
    admin: &Admin,
    password: &Password,
    user_id: Uuid,
) -> Result<String, AppError> {
    if user_id == admin.user_id {
        return Err(AppError::bad_request("You cannot delete yourself."));
    }
    confirm_own_password(pool, hasher, admin.org_id, admin.user_id, password, "password", "The password is incorrect.")
        .await?;

    let mut tx = pool.begin().await?;
    let target = lock_target(&mut tx, admin.org_id, user_id).await?;
    let name = target.name();
    keep_a_superuser(&mut tx, admin.org_id, user_id, &target, "deleted").await?;
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
    record(&mut tx, &admin.origin, entry).await?;
    tx.commit().await?;
    tracing::info!(%user_id, "user deleted");
    Ok(name)
}
