//! Organizations and seats (ssr only).

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::error::AppError;
use crate::features::orgs::types::SeatUsage;
use crate::features::users::types::Role;
use crate::server::config::DefaultSeats;

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

/// The seat counters, largest role first, read from the maintained counts
/// (one indexed row per role, whatever the number of users).
pub async fn seat_usage(pool: &PgPool, org_id: Uuid) -> Result<Vec<SeatUsage>, AppError> {
    let mut seats: Vec<(Role, i32, i32)> =
        sqlx::query_as("SELECT role, used, quota FROM seats WHERE org_id = $1").bind(org_id).fetch_all(pool).await?;
    seats.sort_by_key(|(role, _, _)| std::cmp::Reverse(*role as u8));
    Ok(seats.into_iter().map(|(role, used, quota)| SeatUsage { role, used, quota }).collect())
}

/// Whether a database error is the seat quota's CHECK failing.
pub fn is_quota_exceeded(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.constraint() == Some("seats_used_within_quota"))
}
