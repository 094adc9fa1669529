//! Transfer Superuser: an organization has one Superuser seat and its
//! Superuser can be neither disabled nor deleted, so a leaving owner hands
//! the role to an active user. The old Superuser becomes an Operator if an
//! Operator seat is free (counting the one the new Superuser leaves), else a
//! Basic user, else nothing changes and the message says which seat to free.

use sqlx::PgConnection;
use uuid::Uuid;

use super::access::{Admin, lock_target};
use crate::error::AppError;
use crate::features::audit::server::{Action, Entry, record};
use crate::features::auth::server::own_account::confirm_own_password;
use crate::features::auth::server::password::PasswordHasher;
use crate::features::auth::types::Password;
use crate::features::orgs::server::is_quota_exceeded;
use crate::features::users::types::{Role, UserKind, UserStatus};
use crate::server::db::Db;

/// Hands the Superuser role from `admin` to `to`, in one transaction.
/// Returns the new Superuser's name and the role the old one now has.
pub async fn transfer_superuser(
    pool: &Db,
    hasher: &PasswordHasher,
    admin: &Admin,
    password: &Password,
    to: Uuid,
) -> Result<(String, Role), AppError> {
    if to == admin.user_id {
        return Err(AppError::bad_request("You are the Superuser already."));
    }
    confirm_own_password(pool, hasher, admin.org_id, admin.user_id, password, "password", "The password is incorrect.")
        .await?;
    let mut tx = pool.begin().await?;
    let me = lock_target(&mut tx, admin.org_id, admin.user_id).await?;
    let target = lock_target(&mut tx, admin.org_id, to).await?;
    if me.role != Role::Superuser {
        return Err(AppError::Forbidden);
    }
    if target.kind == UserKind::External {
        return Err(AppError::bad_request(format!(
            "{} is an external user (a customer or partner), and external users can never be the Superuser. Hand the role to an employee.",
            target.name()
        )));
    }
    if target.status != UserStatus::Active || target.role == Role::Superuser {
        return Err(AppError::bad_request(format!(
            "Only an active Basic or Operator user can become the Superuser; {} is not one.",
            target.name()
        )));
    }
    // The organization's one Superuser seat is taken by the new Superuser a
    // moment before the old one leaves it: lift the quota by one inside this
    // transaction and put it back before commit, so the seats' CHECK holds
    // at every step and nobody else ever sees the difference.
    set_superuser_quota(&mut tx, admin.org_id, 1).await?;
    set_role(&mut tx, admin.org_id, to, Role::Superuser).await?;
    let mut new_role = None;
    for role in [Role::Operator, Role::Basic] {
        sqlx::query("SAVEPOINT demote").execute(&mut *tx).await?;
        match set_role(&mut tx, admin.org_id, admin.user_id, role).await {
            Ok(()) => {
                new_role = Some(role);
                break;
            }
            Err(e) if is_quota_exceeded(&e) => {
                sqlx::query("ROLLBACK TO SAVEPOINT demote").execute(&mut *tx).await?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    let Some(new_role) = new_role else {
        return Err(AppError::bad_request(
            "You would need a seat as an Operator or a Basic user, and both are full. Free one of those seats first.",
        ));
    };
    set_superuser_quota(&mut tx, admin.org_id, -1).await?;
    let name = target.name();
    let entry = Entry::new(admin.org_id, Action::SuperuserTransferred).about(to, &name).with(serde_json::json!({
        "from": me.name(),
        "to": name,
        "their_role_before": target.role.label(),
        "your_role_now": new_role.label(),
    }));
    record(&mut tx, &admin.origin, entry).await?;
    tx.commit().await?;
    tracing::info!(%to, "superuser transferred");
    Ok((name, new_role))
}

async fn set_role(conn: &mut PgConnection, org_id: Uuid, user_id: Uuid, role: Role) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET role = $3, version = version + 1 WHERE org_id = $1 AND id = $2")
        .bind(org_id)
        .bind(user_id)
        .bind(role)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn set_superuser_quota(conn: &mut PgConnection, org_id: Uuid, change: i32) -> Result<(), AppError> {
    sqlx::query("UPDATE seats SET quota = quota + $2 WHERE org_id = $1 AND role = 'superuser'")
        .bind(org_id)
        .bind(change)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
