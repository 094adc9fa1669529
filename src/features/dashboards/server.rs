//! The organization's dashboards and who may open which. Every change is
//! audited in its transaction; every query filters on the organization.

use std::collections::HashMap;

use sqlx::FromRow;
use uuid::Uuid;

use super::types::{Dashboard, DashboardChoice, MAX_DASHBOARD_DESCRIPTION_CHARS, MAX_DASHBOARD_NAME_CHARS};
use crate::error::{AppError, Validator};
use crate::features::access::server::{ProfileColumns, access_profile_columns};
use crate::features::access::types::{DashboardAccess, DashboardReason, dashboard_sentence};
use crate::features::audit::server::{Action, Entry, Origin, record};
use crate::features::users::server::access::Admin;
use crate::features::users::types::{Role, UserStatus};
use crate::server::db::Db;

#[derive(FromRow)]
struct Row {
    id: Uuid,
    name: String,
    description: String,
}

impl From<Row> for Dashboard {
    fn from(r: Row) -> Self {
        Dashboard { id: r.id, name: r.name, description: r.description }
    }
}

pub async fn list(pool: &Db, org_id: Uuid) -> Result<Vec<Dashboard>, AppError> {
    let rows: Vec<Row> =
        sqlx::query_as("SELECT id, name, description FROM dashboards WHERE org_id = $1 ORDER BY lower(name), id")
            .bind(org_id)
            .fetch_all(pool)
            .await?;
    Ok(rows.into_iter().map(Dashboard::from).collect())
}

/// A name and description, checked field by field.
fn parse(name: &str, description: &str) -> Result<(String, String), AppError> {
    crate::server::named::name_and_description(
        "dashboard",
        name,
        description,
        MAX_DASHBOARD_NAME_CHARS,
        MAX_DASHBOARD_DESCRIPTION_CHARS,
    )
}

fn taken(error: sqlx::Error, name: &str) -> AppError {
    crate::server::named::name_taken(error, "dashboards_name_key", "dashboard", name)
}

/// Creates a dashboard (`id` None) or renames and describes one.
pub async fn save(
    pool: &Db,
    org_id: Uuid,
    origin: &Origin,
    id: Option<Uuid>,
    name: &str,
    description: &str,
) -> Result<Uuid, AppError> {
    let (name, description) = parse(name, description)?;
    let mut tx = pool.begin().await?;
    let (id, action, details) = match id {
        None => {
            let id: Uuid = sqlx::query_scalar(
                "INSERT INTO dashboards (org_id, name, description) VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(org_id)
            .bind(&name)
            .bind(&description)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| taken(e, &name))?;
            (id, Action::DashboardCreated, serde_json::json!({ "dashboard": name }))
        }
        Some(id) => {
            let old: Row =
                sqlx::query_as("SELECT id, name, description FROM dashboards WHERE org_id = $1 AND id = $2 FOR UPDATE")
                    .bind(org_id)
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or(AppError::NotFound)?;
            if old.name == name && old.description == description {
                return Ok(id);
            }
            sqlx::query("UPDATE dashboards SET name = $3, description = $4 WHERE org_id = $1 AND id = $2")
                .bind(org_id)
                .bind(id)
                .bind(&name)
                .bind(&description)
                .execute(&mut *tx)
                .await
                .map_err(|e| taken(e, &name))?;
            let details = serde_json::json!({
                "name": format!("{} → {}", old.name, name),
                "description": format!("{} → {}", old.description, description),
            });
            (id, Action::DashboardChanged, details)
        }
    };
    record(&mut tx, origin, Entry::new(org_id, action).with(details)).await?;
    tx.commit().await?;
    Ok(id)
}

/// Deletes a dashboard; who could open it no longer can (their other
/// dashboards stay).
pub async fn delete(pool: &Db, org_id: Uuid, origin: &Origin, id: Uuid) -> Result<String, AppError> {
    let mut tx = pool.begin().await?;
    let name: String = sqlx::query_scalar("DELETE FROM dashboards WHERE org_id = $1 AND id = $2 RETURNING name")
        .bind(org_id)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
    record(
        &mut tx,
        origin,
        Entry::new(org_id, Action::DashboardDeleted).with(serde_json::json!({ "dashboard": name })),
    )
    .await?;
    tx.commit().await?;
    Ok(name)
}

/// A user's dashboard permissions and every dashboard to choose from.
pub async fn choice(pool: &Db, org_id: Uuid, user_id: Uuid) -> Result<DashboardChoice, AppError> {
    let access: String = sqlx::query_scalar("SELECT dashboard_access FROM users WHERE org_id = $1 AND id = $2")
        .bind(org_id)
        .bind(user_id)
        .fetch_optional(pool)
        .await?
        .ok_or(AppError::NotFound)?;
    let chosen = chosen_ids(pool, org_id, user_id).await?;
    Ok(DashboardChoice {
        access: DashboardAccess::from_param(&access).unwrap_or_default(),
        chosen,
        dashboards: list(pool, org_id).await?,
    })
}

/// Parses "Dashboard permissions" (`access` none, selected or all; the
/// chosen dashboards as `dashboards[id-<uuid>]=on`).
pub fn parse_choice(
    access: &str,
    dashboards: &HashMap<String, String>,
) -> Result<(DashboardAccess, Vec<Uuid>), AppError> {
    let mut v = Validator::new();
    let access = DashboardAccess::from_param(access.trim());
    v.check(access.is_some(), "dashboard_access", "Choose none, selected dashboards or all.");
    let ids = crate::server::choices::chosen_ids(dashboards);
    v.check(ids.is_some(), "dashboards", "Choose dashboards from the list.");
    v.finish()?;
    Ok((access.expect("validated"), ids.expect("validated")))
}

/// Sets which dashboards a user may open; audited old → new.
pub async fn set_choice(
    pool: &Db,
    admin: &Admin,
    user_id: Uuid,
    access: DashboardAccess,
    ids: &[Uuid],
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let (name, role, old_access): (String, Role, String) = sqlx::query_as(
        "SELECT first_name || ' ' || last_name, role, dashboard_access FROM users WHERE org_id = $1 AND id = $2 FOR UPDATE",
    )
    .bind(admin.org_id)
    .bind(user_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    if role == Role::Superuser {
        return Err(AppError::bad_request(format!("{name} is a Superuser and opens every dashboard.")));
    }
    let ids: &[Uuid] = if access == DashboardAccess::Selected { ids } else { &[] };
    let known: i64 = sqlx::query_scalar("SELECT count(*) FROM dashboards WHERE org_id = $1 AND id = ANY($2)")
        .bind(admin.org_id)
        .bind(ids)
        .fetch_one(&mut *tx)
        .await?;
    if known != ids.len() as i64 {
        return Err(AppError::field("dashboards", "Choose dashboards from the list."));
    }
    let old: Vec<String> = sqlx::query_scalar(
        "SELECT d.name FROM user_dashboards ud JOIN dashboards d ON d.org_id = ud.org_id AND d.id = ud.dashboard_id \
         WHERE ud.org_id = $1 AND ud.user_id = $2 ORDER BY lower(d.name)",
    )
    .bind(admin.org_id)
    .bind(user_id)
    .fetch_all(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM user_dashboards WHERE org_id = $1 AND user_id = $2")
        .bind(admin.org_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO user_dashboards (org_id, user_id, dashboard_id) SELECT $1, $2, unnest($3::uuid[])")
        .bind(admin.org_id)
        .bind(user_id)
        .bind(ids)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE users SET dashboard_access = $3 WHERE org_id = $1 AND id = $2")
        .bind(admin.org_id)
        .bind(user_id)
        .bind(access.param())
        .execute(&mut *tx)
        .await?;
    let new: Vec<String> =
        sqlx::query_scalar("SELECT name FROM dashboards WHERE org_id = $1 AND id = ANY($2) ORDER BY lower(name)")
            .bind(admin.org_id)
            .bind(ids)
            .fetch_all(&mut *tx)
            .await?;
    let shown = |access: &str, names: &[String]| match access {
        "selected" => format!("selected: {}", if names.is_empty() { "none".to_owned() } else { names.join(", ") }),
        other => other.to_owned(),
    };
    let (before, after) = (shown(&old_access, &old), shown(access.param(), &new));
    if before != after {
        let details = serde_json::json!({ "dashboards": format!("{before} → {after}") });
        record(
            &mut tx,
            &admin.origin,
            Entry::new(admin.org_id, Action::AccessChanged).about(user_id, &name).with(details),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

#[derive(FromRow)]
struct ViewerRow {
    first_name: String,
    role: Role,
    status: UserStatus,
    dashboard_access: String,
    #[sqlx(flatten)]
    columns: ProfileColumns,
}

impl ViewerRow {
    /// The one dashboard decision, for a dashboard chosen for them or not.
    fn decide(&self, chosen: bool) -> (bool, DashboardReason) {
        let access = DashboardAccess::from_param(&self.dashboard_access).unwrap_or_default();
        self.columns.profile(self.role, self.status).decide_dashboard(access, chosen)
    }
}

/// The user whose dashboard access is asked about, with their access.
async fn viewer(pool: &Db, org_id: Uuid, user_id: Uuid) -> Result<Option<ViewerRow>, AppError> {
    Ok(sqlx::query_as(&format!(
        "SELECT u.first_name, u.role, u.status, u.dashboard_access, {} FROM users u WHERE u.org_id = $1 AND u.id = $2",
        access_profile_columns!()
    ))
    .bind(org_id)
    .bind(user_id)
    .fetch_optional(pool)
    .await?)
}

/// The dashboards chosen for a user ("selected").
async fn chosen_ids(pool: &Db, org_id: Uuid, user_id: Uuid) -> Result<Vec<Uuid>, AppError> {
    Ok(sqlx::query_scalar("SELECT dashboard_id FROM user_dashboards WHERE org_id = $1 AND user_id = $2")
        .bind(org_id)
        .bind(user_id)
        .fetch_all(pool)
        .await?)
}

/// Whether a user may open a dashboard, and why. `None`: no such user or
/// dashboard in the organization.
pub async fn check(
    pool: &Db,
    org_id: Uuid,
    user_id: Uuid,
    dashboard_id: Uuid,
) -> Result<Option<(bool, DashboardReason, String, String)>, AppError> {
    let user = viewer(pool, org_id, user_id).await?;
    let dashboard: Option<(String, bool)> = sqlx::query_as(
        "SELECT d.name, EXISTS (SELECT 1 FROM user_dashboards ud WHERE ud.org_id = d.org_id \
                AND ud.dashboard_id = d.id AND ud.user_id = $3) FROM dashboards d WHERE d.org_id = $1 AND d.id = $2",
    )
    .bind(org_id)
    .bind(dashboard_id)
    .bind(user_id)
    .fetch_optional(pool)
    .await?;
    let (Some(user), Some((name, chosen))) = (user, dashboard) else {
        return Ok(None);
    };
    let (allowed, reason) = user.decide(chosen);
    Ok(Some((allowed, reason, dashboard_sentence(&user.first_name, &name, (allowed, reason)), name)))
}

/// The dashboards a user may open, by name: the same decision as `check`,
/// with the user and their chosen dashboards read once.
pub async fn visible(pool: &Db, org_id: Uuid, user_id: Uuid) -> Result<Vec<Dashboard>, AppError> {
    let user = viewer(pool, org_id, user_id).await?.ok_or(AppError::NotFound)?;
    let chosen = chosen_ids(pool, org_id, user_id).await?;
    Ok(list(pool, org_id).await?.into_iter().filter(|d| user.decide(chosen.contains(&d.id)).0).collect())
}
