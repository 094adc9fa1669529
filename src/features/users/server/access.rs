//! Disable and enable access (ELPRO's words; ELMA365 calls it lock and
//! unlock). `disable` is the one way a user loses access, used by every path
//! that takes it away (the button today; deletion, imports and APIs later),
//! so ending the user's sessions cannot be forgotten on one of them.

use sqlx::{FromRow, PgConnection};
use uuid::Uuid;

use crate::error::AppError;
use crate::features::audit::server::{Action, Entry, Origin, record};
use crate::features::auth::server::guard::may_act_on;
use crate::features::users::types::{Role, UserKind, UserStatus};
use crate::server::db::Db;

/// The user an admin acts on.
#[derive(FromRow)]
pub(super) struct Target {
    pub(super) status: UserStatus,
    pub(super) role: Role,
    pub(super) first_name: String,
    pub(super) last_name: String,
    pub(super) email: String,
    pub(super) kind: UserKind,
}

impl Target {
    pub(super) fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

/// The target in the caller's organization, locked for the transaction; a
/// user of another organization is simply not found (404, never 403).
pub(super) async fn lock_target(conn: &mut PgConnection, org_id: Uuid, user_id: Uuid) -> Result<Target, AppError> {
    sqlx::query_as(
        "SELECT status, role, first_name, last_name, email, kind FROM users WHERE org_id = $1 AND id = $2 FOR UPDATE",
    )
    .bind(org_id)
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)
}

/// Refuses to take away the organization's last active Superuser (`what`:
/// "disabled", "deleted"). Locks the other Superusers, so two admins cannot
/// remove the last two at once.
pub(super) async fn keep_a_superuser(
    conn: &mut PgConnection,
    org_id: Uuid,
    user_id: Uuid,
    target: &Target,
    what: &str,
) -> Result<(), AppError> {
    if target.role != Role::Superuser {
        return Ok(());
    }
    let others: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT 1 FROM users WHERE org_id = $1 AND role = 'superuser' AND status = 'active' \
         AND id <> $2 FOR UPDATE) s",
    )
    .bind(org_id)
    .bind(user_id)
    .fetch_one(&mut *conn)
    .await?;
    if others == 0 {
        return Err(AppError::bad_request(format!(
            "{} is the organization's last active Superuser and cannot be {what}.",
            target.name()
        )));
    }
    Ok(())
}

/// Takes a user's access away, in the caller's transaction: status
/// Disabled (the seat stays theirs), every session ended at once (their
/// rows deleted, and the session epoch moved on so no cookie of before can
/// ever come back). Refuses the last active Superuser.
pub async fn disable(conn: &mut PgConnection, org_id: Uuid, user_id: Uuid) -> Result<(), AppError> {
    let target = lock_target(conn, org_id, user_id).await?;
    if target.status != UserStatus::Active {
        let name = target.name();
        return Err(AppError::bad_request(format!("Only active users can be disabled; {name} is not active.")));
    }
    keep_a_superuser(conn, org_id, user_id, &target, "disabled").await?;
    sqlx::query(
        "UPDATE users SET status = 'disabled', session_epoch = session_epoch + 1, version = version + 1 \
         WHERE org_id = $1 AND id = $2",
    )
    .bind(org_id)
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    crate::features::auth::server::session::end_all_of(conn, org_id, user_id).await?;
    Ok(())
}

/// The signed-in admin acting on a user, and their request (for the audit
/// log): what every user-management service takes.
pub struct Admin {
    pub org_id: Uuid,
    pub user_id: Uuid,
    /// Their role: only a Superuser acts on a Superuser.
    pub role: Role,
    pub origin: Origin,
}

impl Admin {
    pub fn of(
        ctx: &crate::server::respond::RequestContext,
        actor: &crate::features::auth::server::guard::Actor,
    ) -> Self {
        Admin { org_id: actor.org_id, user_id: actor.user_id, role: actor.role, origin: Origin::of(ctx, Some(actor)) }
    }

    /// The user this admin acts on, locked for the transaction: not found
    /// in another organization, forbidden when it is a Superuser and the
    /// admin is not one.
    pub(super) async fn target(&self, conn: &mut PgConnection, user_id: Uuid) -> Result<Target, AppError> {
        let target = lock_target(conn, self.org_id, user_id).await?;
        may_act_on(self.role, target.role)?;
        Ok(target)
    }
}

/// "Disable Access": disables the user and records it, in one transaction.
/// Nobody can disable themself.
pub async fn disable_access(pool: &Db, admin: &Admin, user_id: Uuid) -> Result<String, AppError> {
    if user_id == admin.user_id {
        return Err(AppError::bad_request("You cannot disable your own access."));
    }
    let mut tx = pool.begin().await?;
    admin.target(&mut tx, user_id).await?;
    disable(&mut tx, admin.org_id, user_id).await?;
    let name = name_of(&mut tx, admin.org_id, user_id).await?;
    record(&mut tx, &admin.origin, Entry::new(admin.org_id, Action::AccessDisabled).about(user_id, &name)).await?;
    tx.commit().await?;
    tracing::info!(%user_id, "access disabled");
    Ok(name)
}

/// "Enable Access": a disabled user may sign in again (with a new session:
/// the ones from before stay ended).
pub async fn enable_access(pool: &Db, admin: &Admin, user_id: Uuid) -> Result<String, AppError> {
    let mut tx = pool.begin().await?;
    let target = admin.target(&mut tx, user_id).await?;
    let name = target.name();
    if target.status != UserStatus::Disabled {
        return Err(AppError::bad_request(format!("Only disabled users can be enabled; {name} is not disabled.")));
    }
    sqlx::query("UPDATE users SET status = 'active', version = version + 1 WHERE org_id = $1 AND id = $2")
        .bind(admin.org_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    record(&mut tx, &admin.origin, Entry::new(admin.org_id, Action::AccessEnabled).about(user_id, &name)).await?;
    tx.commit().await?;
    tracing::info!(%user_id, "access enabled");
    Ok(name)
}

/// "Account is locked" → Unlock: ends an automatic lockout before its time
/// (or the one that waits for an admin) and starts the count afresh.
pub async fn unlock(pool: &Db, admin: &Admin, user_id: Uuid) -> Result<String, AppError> {
    use crate::features::auth::server::lockout;
    let mut tx = pool.begin().await?;
    let target = admin.target(&mut tx, user_id).await?;
    let name = target.name();
    if lockout::lock_in_effect(&mut tx, admin.org_id, user_id).await? != Some(true) {
        return Err(AppError::bad_request(format!("{name}'s account is not locked.")));
    }
    lockout::clear(&mut tx, admin.org_id, user_id).await?;
    sqlx::query("UPDATE users SET version = version + 1 WHERE org_id = $1 AND id = $2")
        .bind(admin.org_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    record(&mut tx, &admin.origin, Entry::new(admin.org_id, Action::AccountUnlocked).about(user_id, &name)).await?;
    tx.commit().await?;
    tracing::info!(%user_id, "account unlocked");
    Ok(name)
}

async fn name_of(conn: &mut PgConnection, org_id: Uuid, user_id: Uuid) -> Result<String, AppError> {
    Ok(sqlx::query_scalar("SELECT first_name || ' ' || last_name FROM users WHERE org_id = $1 AND id = $2")
        .bind(org_id)
        .bind(user_id)
        .fetch_one(&mut *conn)
        .await?)
}

/// The invites a user sent that still wait for their invitee: what
/// disabling them would leave without an owner (ELMA365 warns about a
/// user's unfinished work before locking). Names and emails, oldest first.
pub async fn pending_invites_sent(pool: &Db, org_id: Uuid, user_id: Uuid) -> Result<Vec<String>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT first_name || ' ' || last_name || ' (' || email || ')' FROM users \
         WHERE org_id = $1 AND invited_by = $2 AND status = 'invited' ORDER BY created_at LIMIT 50",
    )
    .bind(org_id)
    .bind(user_id)
    .fetch_all(pool)
    .await?)
}
