//! Organizations and seats (ssr only).

use sqlx::PgConnection;
use uuid::Uuid;

use crate::error::AppError;
use crate::features::orgs::types::SeatUsage;
use crate::features::users::types::Role;
use crate::server::config::DefaultSeats;
use crate::server::db::Db;

/// Creates an organization with its seat quotas; returns its id.
pub async fn create_organization(
    conn: &mut PgConnection,
    name: &str,
    time_zone: &str,
    seats: DefaultSeats,
) -> Result<Uuid, AppError> {
    let org_id: Uuid = sqlx::query_scalar("INSERT INTO organizations (name, time_zone) VALUES ($1, $2) RETURNING id")
        .bind(name)
        .bind(time_zone)
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO seats (org_id, role, quota) VALUES ($1, 'basic', $2), ($1, 'operator', $3), ($1, 'superuser', $4)",
    )
    .bind(org_id)
    .bind(seats.basic)
    .bind(seats.operator)
    .bind(seats.superuser)
    .execute(&mut *conn)
    .await?;
    Ok(org_id)
}

/// A new organization and its first user, the Superuser.
pub struct NewOrganization<'a> {
    pub name: &'a str,
    pub time_zone: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub email: &'a str,
}

/// Logins are unique across the installation.
pub const EMAIL_HAS_ACCOUNT: &str = "This address already has a Roster account. Sign in with it instead.";

/// Whether a database error is the installation-wide unique email.
pub fn is_email_taken(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.constraint() == Some("users_email_key"))
}

/// Creates an organization, its seats and its active Superuser (who has
/// chosen `password_hash`) in the caller's transaction; returns the
/// organization's and the user's ids. The one way an organization comes to
/// be: a confirmed sign-up, or the operator's `roster org create`.
pub async fn create_with_superuser(
    conn: &mut PgConnection,
    new: &NewOrganization<'_>,
    password_hash: &str,
    seats: DefaultSeats,
) -> Result<(Uuid, Uuid), AppError> {
    let org_id = create_organization(conn, new.name, new.time_zone, seats).await?;
    let inserted = sqlx::query_scalar(
        "INSERT INTO users (org_id, email, first_name, last_name, role, status, time_zone, password_hash, \
                            activated_at, last_sign_in_at) \
         VALUES ($1, $2, $3, $4, 'superuser', 'active', $5, $6, now(), now()) RETURNING id",
    )
    .bind(org_id)
    .bind(new.email)
    .bind(new.first_name)
    .bind(new.last_name)
    .bind(new.time_zone)
    .bind(password_hash)
    .fetch_one(&mut *conn)
    .await;
    match inserted {
        Ok(user_id) => Ok((org_id, user_id)),
        Err(e) if is_email_taken(&e) => Err(AppError::bad_request(EMAIL_HAS_ACCOUNT)),
        Err(e) => Err(e.into()),
    }
}

/// The seat counters, largest role first, read from the maintained counts
/// (one indexed row per role, whatever the number of users).
pub async fn seat_usage(pool: &Db, org_id: Uuid) -> Result<Vec<SeatUsage>, AppError> {
    let mut seats: Vec<(Role, i32, i32)> =
        sqlx::query_as("SELECT role, used, quota FROM seats WHERE org_id = $1").bind(org_id).fetch_all(pool).await?;
    seats.sort_by_key(|(role, _, _)| std::cmp::Reverse(*role as u8));
    Ok(seats.into_iter().map(|(role, used, quota)| SeatUsage { role, used, quota }).collect())
}

/// Whether a database error is the seat quota's CHECK failing.
pub fn is_quota_exceeded(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.constraint() == Some("seats_used_within_quota"))
}

/// Sets one organization's quota for one role: the installation operator's
/// command (`roster org set-quota`), never the organization's own Superuser.
/// A quota below the seats in use is refused rather than leaving the
/// organization over its plan.
pub async fn set_quota(pool: &Db, org_id: Uuid, role: Role, quota: i32) -> Result<SeatUsage, String> {
    if quota < 0 {
        return Err("the number of seats cannot be negative".into());
    }
    let updated: Result<Option<(i32, i32)>, sqlx::Error> =
        sqlx::query_as("UPDATE seats SET quota = $3 WHERE org_id = $1 AND role = $2 RETURNING used, quota")
            .bind(org_id)
            .bind(role)
            .bind(quota)
            .fetch_optional(pool)
            .await;
    match updated {
        Ok(Some((used, quota))) => Ok(SeatUsage { role, used, quota }),
        Ok(None) => Err(format!("no organization with id {org_id}")),
        Err(e) if is_quota_exceeded(&e) => Err(format!(
            "{} seats of this role are in use; the quota cannot be lower than that",
            current_use(pool, org_id, role).await
        )),
        Err(e) => Err(e.to_string()),
    }
}

/// How long the organization's activation links stay valid (IoT Pro: 24
/// hours by default). The installation's operator sets it (`roster org
/// set-invite-ttl`); links already sent keep their expiry.
pub async fn set_invite_ttl(pool: &Db, org_id: Uuid, hours: i32) -> Result<i32, String> {
    if !(MIN_INVITE_TTL_HOURS..=MAX_INVITE_TTL_HOURS).contains(&hours) {
        return Err(format!(
            "an activation link must stay valid between {MIN_INVITE_TTL_HOURS} and {MAX_INVITE_TTL_HOURS} hours"
        ));
    }
    let updated: Option<i32> =
        sqlx::query_scalar("UPDATE organizations SET invite_ttl_hours = $2 WHERE id = $1 RETURNING invite_ttl_hours")
            .bind(org_id)
            .bind(hours)
            .fetch_optional(pool)
            .await
            .map_err(|e| e.to_string())?;
    updated.ok_or_else(|| format!("no organization with id {org_id}"))
}

/// The bounds of `organizations.invite_ttl_hours` (a CHECK in the schema).
pub const MIN_INVITE_TTL_HOURS: i32 = 1;
pub const MAX_INVITE_TTL_HOURS: i32 = 720;

async fn current_use(pool: &Db, org_id: Uuid, role: Role) -> i32 {
    sqlx::query_scalar("SELECT used FROM seats WHERE org_id = $1 AND role = $2")
        .bind(org_id)
        .bind(role)
        .fetch_one(pool)
        .await
        .unwrap_or(0)
}

/// Every organization with its seats, for `roster org list`.
pub async fn list_organizations(pool: &Db) -> Result<Vec<(Uuid, String, Vec<SeatUsage>)>, sqlx::Error> {
    let orgs: Vec<(Uuid, String)> =
        sqlx::query_as("SELECT id, name FROM organizations ORDER BY created_at").fetch_all(pool).await?;
    let mut out = Vec::with_capacity(orgs.len());
    for (id, name) in orgs {
        let seats = seat_usage(pool, id).await.map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
        out.push((id, name, seats));
    }
    Ok(out)
}
