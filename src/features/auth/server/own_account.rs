//! What every signed-in user changes on their own account (`/account`):
//! their name and time zone, and their password.

use sqlx::FromRow;

use super::guard::Actor;
use super::new_password;
use super::password::PasswordHasher;
use super::session::SessionAuth;
use crate::error::{AppError, Validator};
use crate::features::audit::server::{Action, Entry, Origin, record};
use crate::features::auth::types::Password;
use crate::features::users::server::validate;
use crate::server::db::Db;

#[derive(FromRow)]
struct Current {
    first_name: String,
    last_name: String,
    time_zone: String,
    mobile_phone: Option<String>,
}

/// Saves the user's names, time zone and mobile phone (every time Roster shows them is
/// then in that zone). The audit entry says which fields changed, old → new.
pub async fn update_profile(
    pool: &Db,
    actor: &Actor,
    origin: &Origin,
    first_name: &str,
    last_name: &str,
    time_zone: &str,
    mobile_phone: &str,
) -> Result<(), AppError> {
    let mut v = Validator::new();
    let first_name = validate::name(&mut v, "first_name", "First name", first_name);
    let last_name = validate::name(&mut v, "last_name", "Last name", last_name);
    let mobile_phone = validate::mobile_phone(&mut v, "mobile_phone", mobile_phone);
    let zone = validate::time_zone(&mut v, "time_zone", time_zone);
    v.finish()?;
    let zone = zone.expect("validated").name();

    let mut tx = pool.begin().await?;
    let current: Current = sqlx::query_as(
        "SELECT first_name, last_name, time_zone, mobile_phone FROM users WHERE org_id = $1 AND id = $2 FOR UPDATE",
    )
    .bind(actor.org_id)
    .bind(actor.user_id)
    .fetch_one(&mut *tx)
    .await?;
    let mut changes = serde_json::Map::new();
    for (field, old, new) in [
        ("first_name", &current.first_name, &first_name),
        ("last_name", &current.last_name, &last_name),
        ("time_zone", &current.time_zone, &zone.to_owned()),
        ("mobile_phone", &current.mobile_phone.clone().unwrap_or_default(), &mobile_phone.clone().unwrap_or_default()),
    ] {
        if old != new {
            changes.insert(field.to_owned(), format!("{old} → {new}").into());
        }
    }
    if changes.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "UPDATE users SET first_name = $3, last_name = $4, time_zone = $5, mobile_phone = $6, version = version + 1 \
         WHERE org_id = $1 AND id = $2",
    )
    .bind(actor.org_id)
    .bind(actor.user_id)
    .bind(&first_name)
    .bind(&last_name)
    .bind(zone)
    .bind(&mobile_phone)
    .execute(&mut *tx)
    .await?;
    let name = format!("{first_name} {last_name}");
    let entry = Entry::new(actor.org_id, Action::ProfileUpdated)
        .about(actor.user_id, &name)
        .with(serde_json::Value::Object(changes));
    record(&mut tx, origin, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Proves the signed-in user is at the keyboard: their own password, or a
/// field error on `field` (a password change, a deletion).
pub async fn confirm_own_password(
    pool: &Db,
    hasher: &PasswordHasher,
    org_id: uuid::Uuid,
    user_id: uuid::Uuid,
    password: &Password,
    field: &str,
    wrong: &str,
) -> Result<(), AppError> {
    let stored: Option<String> = sqlx::query_scalar("SELECT password_hash FROM users WHERE org_id = $1 AND id = $2")
        .bind(org_id)
        .bind(user_id)
        .fetch_one(pool)
        .await?;
    if hasher.verify(password, stored.as_deref()).await?.matches { Ok(()) } else { Err(AppError::field(field, wrong)) }
}

/// Changes the user's password once the current one is proven: every other
/// session of theirs ends (the epoch moves on; the caller starts this
/// request's session anew with the returned epoch), they are mailed a
/// notice, and the change is audited, all in one transaction.
pub async fn change_password(
    pool: &Db,
    hasher: &PasswordHasher,
    actor: &Actor,
    origin: &Origin,
    current: &Password,
    password: &Password,
    confirmation: &Password,
) -> Result<SessionAuth, AppError> {
    let wrong = "The current password is incorrect.";
    confirm_own_password(pool, hasher, actor.org_id, actor.user_id, current, "current_password", wrong).await?;
    let mut v = Validator::new();
    let personal = [actor.email.as_str(), &actor.first_name, &actor.last_name];
    new_password::check(&mut v, actor.password_policy, password, confirmation, &personal);
    v.check(password != current, "password", "Choose a password other than the current one.");
    v.finish()?;
    let hash = hasher.hash(password).await?;

    let mut tx = pool.begin().await?;
    let holder = new_password::Holder {
        org_id: actor.org_id,
        user_id: actor.user_id,
        email: &actor.email,
        first_name: &actor.first_name,
        organization: &actor.organization,
        time_zone: actor.time_zone,
    };
    let epoch = new_password::store(&mut tx, holder, &hash).await?;
    let name = format!("{} {}", actor.first_name, actor.last_name);
    record(&mut tx, origin, Entry::new(actor.org_id, Action::PasswordChanged).about(actor.user_id, &name)).await?;
    tx.commit().await?;
    tracing::info!(user_id = %actor.user_id, "password changed");
    Ok(SessionAuth { user_id: actor.user_id, org_id: actor.org_id, epoch })
}
