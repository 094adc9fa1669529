//! Reading and saving the Security settings; a save is audited with what
//! changed, old → new, in its transaction.

use sqlx::FromRow;
use uuid::Uuid;

use super::types::{
    AUDIT_RETENTION_DAYS, LOCKOUT_MINUTES, LOCKOUT_THRESHOLD, LOCKOUT_WINDOW_MINUTES, SecurityForm, SecuritySettings,
};
use crate::error::{AppError, Validator};
use crate::features::audit::server::{Action, Entry, Origin, record};
use crate::features::auth::types::PasswordPolicy;
use crate::server::db::Db;

#[derive(FromRow)]
struct Row {
    lockout_threshold: i32,
    lockout_window_minutes: i32,
    lockout_minutes: Option<i32>,
    password_policy: String,
    email_editable: bool,
    audit_retention_days: i32,
}

impl From<Row> for SecuritySettings {
    fn from(row: Row) -> Self {
        SecuritySettings {
            lockout_threshold: row.lockout_threshold,
            lockout_window_minutes: row.lockout_window_minutes,
            lockout_minutes: row.lockout_minutes,
            password_policy: PasswordPolicy::from_param(&row.password_policy).unwrap_or_default(),
            email_editable: row.email_editable,
            audit_retention_days: row.audit_retention_days,
        }
    }
}

const COLUMNS: &str =
    "lockout_threshold, lockout_window_minutes, lockout_minutes, password_policy, email_editable, audit_retention_days";

pub async fn load(pool: &Db, org_id: Uuid) -> Result<SecuritySettings, AppError> {
    let row: Row = sqlx::query_as(&format!("SELECT {COLUMNS} FROM organizations WHERE id = $1"))
        .bind(org_id)
        .fetch_one(pool)
        .await?;
    Ok(row.into())
}

/// A whole number within `range`, or a field error that names the range.
fn number(v: &mut Validator, field: &str, label: &str, value: &str, (min, max): (i32, i32)) -> i32 {
    match value.trim().parse::<i32>() {
        Ok(n) if (min..=max).contains(&n) => n,
        _ => {
            v.add(field, format!("{label} must be a whole number from {min} to {max}."));
            min
        }
    }
}

/// Checks the form: every field with its own message, nothing half-valid.
pub fn parse(form: &SecurityForm) -> Result<SecuritySettings, AppError> {
    let mut v = Validator::new();
    let lockout_threshold =
        number(&mut v, "lockout_threshold", "Failed sign-ins", &form.lockout_threshold, LOCKOUT_THRESHOLD);
    let lockout_window_minutes =
        number(&mut v, "lockout_window_minutes", "The window", &form.lockout_window_minutes, LOCKOUT_WINDOW_MINUTES);
    let lockout_minutes = match form.lockout_ends.as_str() {
        "until_unlocked" => None,
        "timed" => Some(number(&mut v, "lockout_minutes", "The lock", &form.lockout_minutes, LOCKOUT_MINUTES)),
        _ => {
            v.add("lockout_ends", "Choose how a lock ends.");
            None
        }
    };
    let password_policy = PasswordPolicy::from_param(form.password_policy.trim());
    v.check(password_policy.is_some(), "password_policy", "Choose a password policy.");
    let audit_retention_days =
        number(&mut v, "audit_retention_days", "Retention", &form.audit_retention_days, AUDIT_RETENTION_DAYS);
    v.finish()?;
    Ok(SecuritySettings {
        lockout_threshold,
        lockout_window_minutes,
        lockout_minutes,
        password_policy: password_policy.expect("validated"),
        email_editable: !form.email_editable.is_empty(),
        audit_retention_days,
    })
}

/// Saves the settings and audits what changed (nothing changed: nothing
/// written).
pub async fn save(pool: &Db, org_id: Uuid, origin: &Origin, form: &SecurityForm) -> Result<(), AppError> {
    let new = parse(form)?;
    let mut tx = pool.begin().await?;
    let old: SecuritySettings =
        sqlx::query_as::<_, Row>(&format!("SELECT {COLUMNS} FROM organizations WHERE id = $1 FOR UPDATE"))
            .bind(org_id)
            .fetch_one(&mut *tx)
            .await?
            .into();
    let shown = |minutes: Option<i32>| minutes.map_or("until an admin unlocks".to_owned(), |m| format!("{m} min"));
    let mut changes = serde_json::Map::new();
    for (field, before, after) in [
        ("lockout_threshold", old.lockout_threshold.to_string(), new.lockout_threshold.to_string()),
        (
            "lockout_window",
            format!("{} min", old.lockout_window_minutes),
            format!("{} min", new.lockout_window_minutes),
        ),
        ("lockout_duration", shown(old.lockout_minutes), shown(new.lockout_minutes)),
        ("password_policy", old.password_policy.param().to_owned(), new.password_policy.param().to_owned()),
        ("email_editable", old.email_editable.to_string(), new.email_editable.to_string()),
        ("audit_retention", format!("{} days", old.audit_retention_days), format!("{} days", new.audit_retention_days)),
    ] {
        if before != after {
            changes.insert(field.to_owned(), format!("{before} → {after}").into());
        }
    }
    if changes.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "UPDATE organizations SET lockout_threshold = $2, lockout_window_minutes = $3, lockout_minutes = $4, \
                audit_retention_days = $5, password_policy = $6, email_editable = $7 WHERE id = $1",
    )
    .bind(org_id)
    .bind(new.lockout_threshold)
    .bind(new.lockout_window_minutes)
    .bind(new.lockout_minutes)
    .bind(new.audit_retention_days)
    .bind(new.password_policy.param())
    .bind(new.email_editable)
    .execute(&mut *tx)
    .await?;
    record(&mut tx, origin, Entry::new(org_id, Action::SecurityChanged).with(serde_json::Value::Object(changes)))
        .await?;
    tx.commit().await?;
    tracing::info!(%org_id, "security settings saved");
    Ok(())
}
