//! Reading and changing access: role defaults (the Roles page) and each
//! user's own grants and denials. Every change is audited, old → new, in
//! its transaction, and takes effect on the user's next request (the guard
//! reads access with the session, `guard::ACTOR_COLUMNS`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::{FromRow, PgConnection};
use uuid::Uuid;

use super::types::{
    AccessPermission, AccessProfile, ExplainedAccess, MatrixRow, PermissionSet, RoleDefaults, SetBy, Setting,
    UserAccess,
};
use crate::error::{AppError, Validator};
use crate::features::audit::server::{Action, Entry, Origin, record};
use crate::features::users::server::access::Admin;
use crate::features::users::types::{Role, UserStatus};
use crate::server::db::Db;

/// The columns that make a user's `AccessProfile` (with `u` a row of
/// `users`): their role's defaults and their own grants and denials. A
/// macro, so the guard's and the user list's column lists can `concat!` it.
macro_rules! access_profile_columns {
    () => {
        "(SELECT CASE u.role WHEN 'basic' THEN ao.basic_permissions WHEN 'operator' THEN ao.operator_permissions \
              ELSE '{}'::text[] END FROM organizations ao WHERE ao.id = u.org_id) AS role_permissions, \
         ARRAY(SELECT up.permission FROM user_permissions up WHERE up.org_id = u.org_id AND up.user_id = u.id \
               AND up.granted) AS granted_permissions, \
         ARRAY(SELECT up.permission FROM user_permissions up WHERE up.org_id = u.org_id AND up.user_id = u.id \
               AND NOT up.granted) AS denied_permissions, (u.kind = 'external') AS external"
    };
}
pub(crate) use access_profile_columns;

/// The columns `access_profile_columns!` selects.
#[derive(FromRow, Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct ProfileColumns {
    #[serde(default)]
    pub role_permissions: Vec<String>,
    #[serde(default)]
    pub granted_permissions: Vec<String>,
    #[serde(default)]
    pub denied_permissions: Vec<String>,
    #[serde(default)]
    pub external: bool,
}

impl ProfileColumns {
    pub fn profile(&self, role: Role, status: UserStatus) -> AccessProfile {
        AccessProfile {
            role,
            status,
            role_defaults: PermissionSet::from_keys(&self.role_permissions),
            granted: PermissionSet::from_keys(&self.granted_permissions),
            denied: PermissionSet::from_keys(&self.denied_permissions),
            external: self.external,
        }
    }
}

#[derive(FromRow)]
struct SubjectRow {
    first_name: String,
    last_name: String,
    role: Role,
    status: UserStatus,
    #[sqlx(flatten)]
    columns: ProfileColumns,
}

#[derive(FromRow)]
struct SettingRow {
    permission: String,
    set_by_name: String,
    set_at: DateTime<Utc>,
}

/// A user of the organization and their access; `lock` takes the row for
/// a change (so two admins' changes queue).
async fn subject(conn: &mut PgConnection, org_id: Uuid, user_id: Uuid, lock: bool) -> Result<SubjectRow, AppError> {
    let lock = if lock { " FOR UPDATE" } else { "" };
    sqlx::query_as(&format!(
        "SELECT u.first_name, u.last_name, u.role, u.status, {} FROM users u WHERE u.org_id = $1 AND u.id = $2{lock}",
        access_profile_columns!()
    ))
    .bind(org_id)
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)
}

/// A user's access, permission by permission, each with its sentence.
/// `you`: written to the user themself ("You can …").
pub async fn user_access(
    pool: &Db,
    org_id: Uuid,
    user_id: Uuid,
    viewer_zone: Tz,
    you: bool,
    editable: bool,
) -> Result<UserAccess, AppError> {
    let mut conn = pool.acquire().await?;
    let row = subject(&mut conn, org_id, user_id, false).await?;
    let set_by: Vec<SettingRow> = sqlx::query_as(
        "SELECT permission, set_by_name, set_at FROM user_permissions WHERE org_id = $1 AND user_id = $2",
    )
    .bind(org_id)
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    let profile = row.columns.profile(row.role, row.status);
    let name = if you { "You".to_owned() } else { row.first_name.clone() };
    let permissions = AccessPermission::ALL
        .into_iter()
        .map(|permission| {
            let decision = profile.decide(permission);
            let by = set_by.iter().find(|s| s.permission == permission.key()).map(|s| SetBy {
                name: s.set_by_name.clone(),
                on: s.set_at.with_timezone(&viewer_zone).format("%Y-%m-%d").to_string(),
            });
            ExplainedAccess {
                permission,
                allowed: decision.allowed,
                setting: profile.setting(permission),
                role_default: profile.role_defaults.contains(permission) || row.role == Role::Superuser,
                explanation: decision.sentence(&name, by.as_ref()),
            }
        })
        .collect();
    Ok(UserAccess {
        user_id,
        name: format!("{} {}", row.first_name, row.last_name),
        role: row.role,
        summary: profile.summary(),
        permissions,
        editable: editable && row.role != Role::Superuser,
    })
}

/// What a "how does this person's access differ" phrase calls a setting.
fn shown(setting: Setting, role_grants: bool) -> String {
    match setting {
        Setting::Default if role_grants => "role default (granted)".to_owned(),
        Setting::Default => "role default (not granted)".to_owned(),
        Setting::Granted => "granted".to_owned(),
        Setting::Denied => "denied".to_owned(),
    }
}

/// Parses a form of per-permission settings (`key` → default, granted or
/// denied); permissions the form leaves out stay as they are.
pub fn parse_settings(form: &HashMap<String, String>) -> Result<Vec<(AccessPermission, Setting)>, AppError> {
    let mut v = Validator::new();
    let mut settings = Vec::new();
    for (key, value) in form {
        match (AccessPermission::from_key(key), Setting::from_param(value.trim())) {
            (Some(permission), Some(setting)) => settings.push((permission, setting)),
            (None, _) => v.add(key, format!("There is no permission \"{key}\".")),
            (Some(permission), None) => {
                v.add(key, format!("Choose role default, granted or denied for {}.", permission.label()))
            }
        }
    }
    v.finish()?;
    settings.sort_by_key(|(p, _)| AccessPermission::ALL.iter().position(|q| q == p));
    Ok(settings)
}

/// Sets a user's own grants and denials. A setting equal to the role's
/// default is removed rather than stored, so the user follows the role
/// again. Returns the user's name; nothing is written when nothing changed.
pub async fn set_user_access(
    pool: &Db,
    admin: &Admin,
    user_id: Uuid,
    settings: &[(AccessPermission, Setting)],
) -> Result<String, AppError> {
    let mut tx = pool.begin().await?;
    let row = subject(&mut tx, admin.org_id, user_id, true).await?;
    let name = format!("{} {}", row.first_name, row.last_name);
    if row.role == Role::Superuser {
        return Err(AppError::bad_request(format!(
            "{name} is a Superuser and holds every permission; there is nothing to set."
        )));
    }
    let profile = row.columns.profile(row.role, row.status);
    if let Some(&(permission, _)) =
        settings.iter().find(|(p, s)| profile.external && p.for_employees_only() && *s == Setting::Granted)
    {
        return Err(AppError::field(
            permission.key(),
            format!(
                "{name} is an external user (a customer or partner): external users cannot hold {}, whatever their role.",
                permission.label()
            ),
        ));
    }
    let setter = admin.origin.actor_name.clone().unwrap_or_default();
    let mut changes = serde_json::Map::new();
    for &(permission, wanted) in settings {
        let role_grants = profile.role_defaults.contains(permission);
        // Equal to the role's default: no setting of its own.
        let wanted = match wanted {
            Setting::Granted if role_grants => Setting::Default,
            Setting::Denied if !role_grants => Setting::Default,
            other => other,
        };
        let before = profile.setting(permission);
        if before == wanted {
            continue;
        }
        match wanted {
            Setting::Default => {
                sqlx::query("DELETE FROM user_permissions WHERE org_id = $1 AND user_id = $2 AND permission = $3")
                    .bind(admin.org_id)
                    .bind(user_id)
                    .bind(permission.key())
                    .execute(&mut *tx)
                    .await?;
            }
            Setting::Granted | Setting::Denied => {
                sqlx::query(
                    "INSERT INTO user_permissions (org_id, user_id, permission, granted, set_by, set_by_name) \
                     VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (org_id, user_id, permission) DO UPDATE SET granted = EXCLUDED.granted, \
                        set_by = EXCLUDED.set_by, set_by_name = EXCLUDED.set_by_name, set_at = now()",
                )
                .bind(admin.org_id)
                .bind(user_id)
                .bind(permission.key())
                .bind(wanted == Setting::Granted)
                .bind(admin.user_id)
                .bind(&setter)
                .execute(&mut *tx)
                .await?;
            }
        }
        changes.insert(
            permission.label().to_owned(),
            format!("{} → {}", shown(before, role_grants), shown(wanted, role_grants)).into(),
        );
    }
    if !changes.is_empty() {
        let entry = Entry::new(admin.org_id, Action::AccessChanged).about(user_id, &name);
        record(&mut tx, &admin.origin, entry.with(serde_json::Value::Object(changes))).await?;
        tx.commit().await?;
        tracing::info!(org_id = %admin.org_id, %user_id, "access settings changed");
    }
    Ok(name)
}

#[derive(FromRow)]
struct DefaultsRow {
    basic_permissions: Vec<String>,
    operator_permissions: Vec<String>,
}

impl From<DefaultsRow> for RoleDefaults {
    fn from(row: DefaultsRow) -> Self {
        RoleDefaults {
            basic: PermissionSet::from_keys(&row.basic_permissions),
            operator: PermissionSet::from_keys(&row.operator_permissions),
        }
    }
}

pub async fn role_defaults(pool: &Db, org_id: Uuid) -> Result<RoleDefaults, AppError> {
    let row: DefaultsRow =
        sqlx::query_as("SELECT basic_permissions, operator_permissions FROM organizations WHERE id = $1")
            .bind(org_id)
            .fetch_one(pool)
            .await?;
    Ok(row.into())
}

/// The permissions a Roles form ticks for one role (`key` → "on"); an
/// unknown key is refused.
pub fn parse_role_form(v: &mut Validator, role: Role, form: &HashMap<String, String>) -> PermissionSet {
    let mut set = PermissionSet::EMPTY;
    for key in form.keys() {
        match AccessPermission::from_key(key) {
            Some(permission) => set = set.with(permission, true),
            None => v.add(&format!("{}[{key}]", role.param()), format!("There is no permission \"{key}\".")),
        }
    }
    set
}

/// Saves what Basic and Operator hold by default; audited as what each role
/// gained and lost. Nothing changed: nothing written.
pub async fn save_role_defaults(pool: &Db, org_id: Uuid, origin: &Origin, new: RoleDefaults) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let old: RoleDefaults = sqlx::query_as::<_, DefaultsRow>(
        "SELECT basic_permissions, operator_permissions FROM organizations WHERE id = $1 FOR UPDATE",
    )
    .bind(org_id)
    .fetch_one(&mut *tx)
    .await?
    .into();
    let mut changes = serde_json::Map::new();
    for (role, before, after) in [(Role::Basic, old.basic, new.basic), (Role::Operator, old.operator, new.operator)] {
        if before == after {
            continue;
        }
        let labels = |set: PermissionSet| {
            let labels: Vec<&str> = set.iter().map(AccessPermission::label).collect();
            if labels.is_empty() { "nothing".to_owned() } else { labels.join(", ") }
        };
        changes.insert(role.label().to_owned(), format!("{} → {}", labels(before), labels(after)).into());
    }
    if changes.is_empty() {
        return Ok(());
    }
    sqlx::query("UPDATE organizations SET basic_permissions = $2, operator_permissions = $3 WHERE id = $1")
        .bind(org_id)
        .bind(new.basic.keys())
        .bind(new.operator.keys())
        .execute(&mut *tx)
        .await?;
    record(&mut tx, origin, Entry::new(org_id, Action::RoleDefaultsChanged).with(serde_json::Value::Object(changes)))
        .await?;
    tx.commit().await?;
    tracing::info!(%org_id, "role defaults saved");
    Ok(())
}

/// Which user an API request names: an id, or an email address.
pub enum UserRef<'a> {
    Id(Uuid),
    Email(&'a str),
}

/// One permission of one user, decided and explained (the API's check).
pub struct Checked {
    pub user_id: Uuid,
    pub allowed: bool,
    pub explanation: String,
}

#[derive(FromRow)]
struct CheckRow {
    id: Uuid,
    first_name: String,
    role: Role,
    status: UserStatus,
    #[sqlx(flatten)]
    columns: ProfileColumns,
    set_by_name: Option<String>,
    set_at: Option<DateTime<Utc>>,
}

/// The API check's one query ($1 organization, $2 the user's id or email,
/// $3 the permission's key): by id or by email, each served by its own
/// index. Public so the benchmark can time the same SQL on its own.
pub fn check_sql(by_email: bool) -> String {
    let by = if by_email { "lower(u.email) = lower($2)" } else { "u.id = $2::uuid" };
    format!(
        "SELECT u.id, u.first_name, u.role, u.status, {}, s.set_by_name, s.set_at FROM users u \
         LEFT JOIN user_permissions s ON s.org_id = u.org_id AND s.user_id = u.id AND s.permission = $3 \
         WHERE u.org_id = $1 AND {by}",
        access_profile_columns!()
    )
}

/// Whether a user of the organization holds `permission`, and why: one
/// indexed query, then the same `decide` and `sentence` as every page.
/// `None`: no such user in this organization.
pub async fn check(
    pool: &Db,
    org_id: Uuid,
    zone: Tz,
    user: UserRef<'_>,
    permission: AccessPermission,
) -> Result<Option<Checked>, AppError> {
    let sql = check_sql(matches!(user, UserRef::Email(_)));
    let query = sqlx::query_as::<_, CheckRow>(&sql).bind(org_id);
    let query = match user {
        UserRef::Id(id) => query.bind(id),
        UserRef::Email(email) => query.bind(email),
    };
    let row = query.bind(permission.key()).fetch_optional(pool).await?;
    Ok(row.map(|row| {
        let decision = row.columns.profile(row.role, row.status).decide(permission);
        let set_by = row
            .set_by_name
            .zip(row.set_at)
            .map(|(name, at)| SetBy { name, on: at.with_timezone(&zone).format("%Y-%m-%d").to_string() });
        Checked {
            user_id: row.id,
            allowed: decision.allowed,
            explanation: decision.sentence(&row.first_name, set_by.as_ref()),
        }
    }))
}

/// An active user who holds a permission (the API's list).
#[derive(FromRow, serde::Serialize)]
pub struct Holder {
    pub id: Uuid,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
    #[serde(skip)]
    pub sort_key: String,
}

/// The organization's active users who hold `permission`, by email, a page
/// at a time after the cursor `(lower(email), id)`: the rule of `decide`,
/// in SQL (a test holds the two together), walking the email sort index.
pub async fn holders(
    pool: &Db,
    org_id: Uuid,
    permission: AccessPermission,
    after: Option<(String, Uuid)>,
    limit: i64,
) -> Result<Vec<Holder>, AppError> {
    let (after_key, after_id) = after.unzip();
    Ok(sqlx::query_as(
        "SELECT u.id, u.email, u.first_name, u.last_name, u.role, lower(u.email) AS sort_key FROM users u \
         JOIN organizations o ON o.id = u.org_id \
         LEFT JOIN user_permissions s ON s.org_id = u.org_id AND s.user_id = u.id AND s.permission = $2 \
         WHERE u.org_id = $1 AND u.status = 'active' \
           AND ($3::text IS NULL OR (lower(u.email), u.id) > ($3, $4)) \
           AND NOT (u.kind = 'external' AND $6) \
           AND (u.role = 'superuser' OR s.granted \
                OR (s.granted IS NULL AND $2 = ANY (CASE u.role WHEN 'basic' THEN o.basic_permissions \
                                                     ELSE o.operator_permissions END))) \
         ORDER BY lower(u.email), u.id LIMIT $5",
    )
    .bind(org_id)
    .bind(permission.key())
    .bind(after_key)
    .bind(after_id)
    .bind(limit)
    .bind(permission.for_employees_only())
    .fetch_all(pool)
    .await?)
}

#[derive(FromRow)]
struct MatrixUserRow {
    id: Uuid,
    first_name: String,
    last_name: String,
    email: String,
    role: Role,
    status: UserStatus,
    #[sqlx(flatten)]
    columns: ProfileColumns,
}

#[derive(FromRow)]
struct MatrixSettingRow {
    user_id: Uuid,
    permission: String,
    set_by_name: String,
    set_at: DateTime<Utc>,
}

/// The access matrix's rows for these users of the organization, in the
/// order given: two indexed queries for a whole page.
pub async fn matrix_rows(pool: &Db, org_id: Uuid, ids: &[Uuid], zone: Tz) -> Result<Vec<MatrixRow>, AppError> {
    let users: Vec<MatrixUserRow> = sqlx::query_as(&format!(
        "SELECT u.id, u.first_name, u.last_name, u.email, u.role, u.status, {} FROM users u \
         WHERE u.org_id = $1 AND u.id = ANY($2)",
        access_profile_columns!()
    ))
    .bind(org_id)
    .bind(ids)
    .fetch_all(pool)
    .await?;
    let settings: Vec<MatrixSettingRow> = sqlx::query_as(
        "SELECT user_id, permission, set_by_name, set_at FROM user_permissions WHERE org_id = $1 AND user_id = ANY($2)",
    )
    .bind(org_id)
    .bind(ids)
    .fetch_all(pool)
    .await?;
    Ok(ids
        .iter()
        .filter_map(|id| users.iter().find(|u| u.id == *id))
        .map(|u| MatrixRow {
            user_id: u.id,
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            email: u.email.clone(),
            profile: u.columns.profile(u.role, u.status),
            set_by: settings
                .iter()
                .filter(|s| s.user_id == u.id)
                .filter_map(|s| {
                    let on = s.set_at.with_timezone(&zone).format("%Y-%m-%d").to_string();
                    AccessPermission::from_key(&s.permission).map(|p| (p, SetBy { name: s.set_by_name.clone(), on }))
                })
                .collect(),
        })
        .collect())
}

/// One cell's change, as the matrix posts it: `<key>:<setting>`.
pub fn parse_change(change: &str) -> Result<(AccessPermission, Setting), AppError> {
    change
        .split_once(':')
        .and_then(|(key, setting)| Some((AccessPermission::from_key(key)?, Setting::from_param(setting)?)))
        .ok_or_else(|| AppError::field("change", "The change must name a permission and a setting."))
}
