//! Signing up an organization: the organization, its seats and its first
//! user (the Superuser) are created in one transaction.

use sqlx::PgPool;

use super::password::PasswordHasher;
use super::session::SessionAuth;
use crate::error::{AppError, Validator};
use crate::features::auth::types::{MAX_ORG_NAME_CHARS, Password, password_problem};
use crate::features::orgs::server::create_organization;
use crate::features::users::server::validate;
use crate::server::config::DefaultSeats;

#[derive(Debug, Clone)]
pub struct SignUp {
    pub organization: String,
    pub time_zone: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub password: Password,
}

pub fn is_email_taken(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.constraint() == Some("users_email_key"))
}

pub const EMAIL_TAKEN: &str = "A user with this email already exists.";

#[tracing::instrument(skip_all)]
pub async fn sign_up(
    pool: &PgPool,
    hasher: &PasswordHasher,
    seats: DefaultSeats,
    input: SignUp,
) -> Result<SessionAuth, AppError> {
    let mut v = Validator::new();
    let organization =
        validate::required_text(&mut v, "organization", "Organization name", &input.organization, MAX_ORG_NAME_CHARS);
    let time_zone = validate::time_zone(&mut v, "time_zone", &input.time_zone);
    let first_name = validate::name(&mut v, "first_name", "First name", &input.first_name);
    let last_name = validate::name(&mut v, "last_name", "Last name", &input.last_name);
    let email = validate::email(&mut v, "email", &input.email);
    if let Some(problem) = password_problem(input.password.expose()) {
        v.add("password", problem);
    }
    if !v.has("email") {
        let taken: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($1))")
            .bind(&email)
            .fetch_one(pool)
            .await?;
        v.check(!taken, "email", EMAIL_TAKEN);
    }
    v.finish()?;
    let time_zone = time_zone.expect("validated above");

    let hash = hasher.hash(&input.password).await?;
    let mut tx = pool.begin().await?;
    let org_id = create_organization(&mut tx, &organization, time_zone.name(), seats).await?;
    let inserted = sqlx::query_scalar(
        "INSERT INTO users (org_id, email, first_name, last_name, role, status, time_zone, password_hash, \
                            activated_at, last_sign_in_at) \
         VALUES ($1, $2, $3, $4, 'superuser', 'active', $5, $6, now(), now()) RETURNING id",
    )
    .bind(org_id)
    .bind(&email)
    .bind(&first_name)
    .bind(&last_name)
    .bind(time_zone.name())
    .bind(&hash.0)
    .fetch_one(&mut *tx)
    .await;
    let user_id = match inserted {
        Ok(id) => id,
        // Someone registered the address between our check and the insert.
        Err(e) if is_email_taken(&e) => return Err(AppError::field("email", EMAIL_TAKEN)),
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    tracing::info!(%org_id, %user_id, "organization signed up");
    Ok(SessionAuth { user_id, org_id, epoch: 0 })
}
