//! Activation: checking a link when its page opens, and setting the
//! password (which activates the account and signs the user in) when the
//! form is submitted. Opening a link changes nothing, so mail scanners that
//! prefetch it do not burn it.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::FromRow;
use uuid::Uuid;

use super::link::expiry_text;
use crate::error::{AppError, Validator};
use crate::features::audit::server::{Action, Entry, Origin, record};
use crate::features::auth::server::new_password;
use crate::features::auth::server::password::PasswordHasher;
use crate::features::auth::server::session::SessionAuth;
use crate::features::auth::types::{Password, PasswordPolicy};
use crate::features::users::server::validate;
use crate::features::users::types::UserStatus;
use crate::server::db::Db;
use crate::server::token;

/// What an activation link leads to is the shared `ActivationLink`: the
/// server decides it here and the page renders it as it is.
pub use crate::features::invites::types::ActivationLink;

#[derive(FromRow)]
pub(super) struct LinkRow {
    pub(super) invite_id: Uuid,
    pub(super) org_id: Uuid,
    pub(super) user_id: Uuid,
    pub(super) expires_at: DateTime<Utc>,
    pub(super) used_at: Option<DateTime<Utc>>,
    pub(super) revoked_at: Option<DateTime<Utc>>,
    pub(super) status: UserStatus,
    pub(super) first_name: String,
    pub(super) last_name: String,
    pub(super) email: String,
    pub(super) time_zone: String,
    pub(super) organization: String,
    pub(super) admin: Option<String>,
    pub(super) password_policy: String,
}

// The token names the tenant: like sign-in's email, this lookup starts from
// the token's hash rather than an org_id.
pub(super) const LINK_QUERY: &str = "SELECT i.id AS invite_id, i.org_id, i.user_id, i.expires_at, i.used_at, i.revoked_at, u.status, \
            u.first_name, u.last_name, u.email, u.time_zone, o.name AS organization, \
            a.first_name || ' ' || a.last_name AS admin, o.password_policy \
     FROM invites i \
     JOIN users u ON u.org_id = i.org_id AND u.id = i.user_id \
     JOIN organizations o ON o.id = i.org_id \
     LEFT JOIN users a ON a.org_id = u.org_id AND a.id = u.invited_by \
     WHERE i.token_hash = $1 AND i.purpose = 'activation'";

pub(super) fn state_of(row: Option<&LinkRow>, now: DateTime<Utc>) -> ActivationLink {
    let Some(row) = row else {
        return ActivationLink::Unknown;
    };
    let organization = row.organization.clone();
    if row.used_at.is_some() {
        ActivationLink::Used { organization }
    } else if row.status == UserStatus::InviteCanceled {
        ActivationLink::Canceled { organization, admin: row.admin.clone() }
    } else if row.revoked_at.is_some() || row.status != UserStatus::Invited {
        ActivationLink::Replaced { organization }
    } else if row.expires_at <= now {
        ActivationLink::Expired { organization }
    } else {
        ActivationLink::Valid {
            first_name: row.first_name.clone(),
            last_name: row.last_name.clone(),
            email: row.email.clone(),
            time_zone: row.time_zone.clone(),
            organization,
            // In the invited person's own zone, as their mail states it.
            expires: expiry_text(row.expires_at, row.time_zone.parse().unwrap_or(chrono_tz::Tz::UTC)),
            password_policy: PasswordPolicy::from_param(&row.password_policy).unwrap_or_default(),
        }
    }
}

/// What the link leads to, without changing anything.
pub async fn inspect(pool: &Db, link_token: &str) -> Result<ActivationLink, AppError> {
    if link_token.len() > 100 {
        return Ok(ActivationLink::Unknown);
    }
    let row: Option<LinkRow> = sqlx::query_as(LINK_QUERY).bind(token::hash(link_token)).fetch_optional(pool).await?;
    Ok(state_of(row.as_ref(), Utc::now()))
}

/// The link and its state, with its user's row locked for the rest of the
/// transaction: the lock every invite change takes first, so activation,
/// resend, cancel and "Send me a new link" on one user happen one at a time.
pub(super) async fn lock_link(
    conn: &mut sqlx::PgConnection,
    link_token: &str,
) -> Result<(ActivationLink, Option<LinkRow>), AppError> {
    if link_token.len() > 100 {
        return Ok((ActivationLink::Unknown, None));
    }
    let row: Option<LinkRow> = sqlx::query_as(&format!("{LINK_QUERY} FOR UPDATE OF u"))
        .bind(token::hash(link_token))
        .fetch_optional(&mut *conn)
        .await?;
    Ok((state_of(row.as_ref(), Utc::now()), row))
}

pub struct Activation {
    pub first_name: String,
    pub last_name: String,
    pub time_zone: String,
    pub password: Password,
    pub password_confirmation: Password,
    /// The request, for the audit log (the invited person acts).
    pub origin: Origin,
}

/// Why a link cannot activate, as the error the form shows.
pub(super) fn refusal(state: &ActivationLink) -> AppError {
    AppError::bad_request(match state {
        ActivationLink::Expired { .. } => "This activation link has expired. Ask for a new one below.",
        ActivationLink::Used { .. } => "This activation link has already been used. Sign in instead.",
        ActivationLink::Replaced { .. } => {
            "This activation link has been replaced by a newer one. Use the link in the most recent email."
        }
        ActivationLink::Canceled { .. } => {
            "This invitation was cancelled. Ask your organization's admin for a new one."
        }
        ActivationLink::Unknown | ActivationLink::Valid { .. } => "This activation link is not valid.",
    })
}

/// Sets the password and activates the account in one transaction; returns
/// the session to start, so the user is signed in at once.
#[tracing::instrument(skip_all)]
pub async fn activate(
    pool: &Db,
    hasher: &PasswordHasher,
    link_token: &str,
    input: Activation,
) -> Result<SessionAuth, AppError> {
    let state = inspect(pool, link_token).await?;
    let ActivationLink::Valid { email, password_policy, .. } = &state else {
        return Err(refusal(&state));
    };

    let mut v = Validator::new();
    let first_name = validate::name(&mut v, "first_name", "First name", &input.first_name);
    let last_name = validate::name(&mut v, "last_name", "Last name", &input.last_name);
    let time_zone: Option<Tz> = validate::time_zone(&mut v, "time_zone", &input.time_zone);
    let personal = [email.as_str(), &first_name, &last_name];
    new_password::check(&mut v, *password_policy, &input.password, &input.password_confirmation, &personal);
    v.finish()?;
    let hash = hasher.hash(&input.password).await?;

    let mut tx = pool.begin().await?;
    // Re-read under the user's lock: two submissions of one link activate
    // once, and a resend or cancel at the same moment either happens first
    // or sees Active.
    let (state, row) = lock_link(&mut tx, link_token).await?;
    let (ActivationLink::Valid { .. }, Some(row)) = (&state, row) else {
        return Err(refusal(&state));
    };
    sqlx::query(
        "UPDATE users SET first_name = $3, last_name = $4, time_zone = $5, password_hash = $6, status = 'active', \
                activated_at = now(), last_sign_in_at = now(), version = version + 1 \
         WHERE org_id = $1 AND id = $2 AND status = 'invited'",
    )
    .bind(row.org_id)
    .bind(row.user_id)
    .bind(&first_name)
    .bind(&last_name)
    .bind(time_zone.expect("validated").name())
    .bind(&hash.0)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE invites SET used_at = now() WHERE org_id = $1 AND id = $2")
        .bind(row.org_id)
        .bind(row.invite_id)
        .execute(&mut *tx)
        .await?;
    let name = format!("{first_name} {last_name}");
    let entry = Entry::new(row.org_id, Action::AccountActivated).about(row.user_id, &name);
    record(&mut tx, &input.origin.clone().by(row.user_id, &name), entry).await?;
    let epoch: i32 = sqlx::query_scalar("SELECT session_epoch FROM users WHERE org_id = $1 AND id = $2")
        .bind(row.org_id)
        .bind(row.user_id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::info!(user_id = %row.user_id, org_id = %row.org_id, "account activated");
    Ok(SessionAuth { user_id: row.user_id, org_id: row.org_id, epoch })
}
