//! Password recovery (ELMA365's "Recover password"): a link mailed by an
//! admin, asked for on "Forgot password?", or carried by the lockout mail;
//! its page sets a new password, ends every session of the user and
//! clears an automatic lockout.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::{FromRow, PgConnection};
use uuid::Uuid;

use super::new_password;
use super::password::PasswordHasher;
use crate::error::{AppError, Validator};
use crate::features::audit::server::{Action, Entry, Origin, record};
use crate::features::auth::types::{Password, PasswordPolicy, RecoveryLink, RecoveryLinkState};
use crate::features::invites::server::link::{
    LINK_FACTS, LinkFacts, LinkPurpose, LinkReason, LinkState, expiry_text, issue_link, queue_link_mail,
};
use crate::features::mail::templates::{RecoveryMail, RecoveryOccasion};
use crate::features::users::server::access::Admin;
use crate::features::users::types::{Role, UserStatus};
use crate::server::db::Db;
use crate::server::token;

/// At most this many recovery mails a user can ask for in an hour; more
/// requests are answered alike and send nothing (an inbox is not a target).
pub const REQUESTS_PER_HOUR: i64 = 3;

#[derive(FromRow)]
struct Holder {
    email: String,
    first_name: String,
    last_name: String,
    time_zone: String,
    organization: String,
    status: UserStatus,
    role: Role,
}

async fn holder(conn: &mut PgConnection, org_id: Uuid, user_id: Uuid) -> Result<Option<Holder>, AppError> {
    Ok(sqlx::query_as(
        "SELECT u.email, u.first_name, u.last_name, u.time_zone, o.name AS organization, u.status, u.role \
         FROM users u JOIN organizations o ON o.id = u.org_id WHERE u.org_id = $1 AND u.id = $2 FOR UPDATE OF u",
    )
    .bind(org_id)
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Issues a recovery link to an active user and queues its mail, in the
/// caller's transaction (earlier recovery links stop working; an
/// activation link is untouched).
pub async fn send_link(
    conn: &mut PgConnection,
    org_id: Uuid,
    user_id: Uuid,
    occasion: RecoveryOccasion,
    reason: LinkReason,
    base_url: &str,
) -> Result<(), AppError> {
    let Some(user) = holder(conn, org_id, user_id).await? else {
        return Err(AppError::NotFound);
    };
    let purpose = LinkPurpose::Recovery;
    let link = issue_link(conn, org_id, user_id, purpose, reason, None, base_url).await?;
    let zone: Tz = user.time_zone.parse().unwrap_or(Tz::UTC);
    let mail = RecoveryMail {
        first_name: user.first_name,
        organization: user.organization,
        link: link.url.clone(),
        expires: expiry_text(link.expires_at, zone),
        occasion,
    }
    .render()?;
    queue_link_mail(conn, org_id, user_id, purpose, &link, &user.email, mail).await
}

/// "Recover password" on a user's profile: mails them a recovery link.
/// Only an active user can use one.
pub async fn send_by_admin(pool: &Db, admin: &Admin, user_id: Uuid, base_url: &str) -> Result<String, AppError> {
    let mut tx = pool.begin().await?;
    let user = holder(&mut tx, admin.org_id, user_id).await?.ok_or(AppError::NotFound)?;
    crate::features::auth::server::guard::may_act_on(admin.role, user.role)?;
    let name = format!("{} {}", user.first_name, user.last_name);
    if user.status != UserStatus::Active {
        return Err(AppError::bad_request(format!("Only active users can recover a password; {name} is not active.")));
    }
    let admin_name = admin.origin.actor_name.clone().unwrap_or_default();
    let occasion = RecoveryOccasion::SentBy { admin: admin_name };
    send_link(&mut tx, admin.org_id, user_id, occasion, LinkReason::Admin, base_url).await?;
    record(&mut tx, &admin.origin, Entry::new(admin.org_id, Action::RecoverySent).about(user_id, &name)).await?;
    tx.commit().await?;
    tracing::info!(org_id = %admin.org_id, %user_id, "recovery link sent by an admin");
    Ok(name)
}

/// "Forgot password?": mails a recovery link if `email` belongs to an
/// active account that has not had `REQUESTS_PER_HOUR` already. The caller
/// answers before this runs, so the answer and its timing say nothing.
pub async fn request(pool: &Db, email: &str, base_url: &str, origin: &Origin) -> Result<(), AppError> {
    let email = email.trim();
    if email.is_empty() || email.chars().count() > 254 {
        return Ok(());
    }
    let mut tx = pool.begin().await?;
    // The email names the tenant, as at sign-in.
    let account: Option<(Uuid, Uuid)> =
        sqlx::query_as("SELECT org_id, id FROM users WHERE lower(email) = lower($1) AND status = 'active' FOR UPDATE")
            .bind(email)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((org_id, user_id)) = account else {
        tracing::info!("recovery asked for an address without an active account");
        return Ok(());
    };
    let recent: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM invites WHERE org_id = $1 AND user_id = $2 AND purpose = 'recovery' \
         AND origin = 'self_service' AND created_at > now() - interval '1 hour'",
    )
    .bind(org_id)
    .bind(user_id)
    .fetch_one(&mut *tx)
    .await?;
    if recent >= REQUESTS_PER_HOUR {
        tracing::warn!(%org_id, %user_id, "recovery requests over the hourly limit");
        return Ok(());
    }
    send_link(&mut tx, org_id, user_id, RecoveryOccasion::Requested, LinkReason::SelfService, base_url).await?;
    let name: String =
        sqlx::query_scalar("SELECT first_name || ' ' || last_name FROM users WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await?;
    let entry = Entry::new(org_id, Action::RecoveryRequested).about(user_id, &name);
    record(&mut tx, &origin.clone().by(user_id, &name), entry).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(FromRow)]
struct LinkRow {
    #[sqlx(flatten)]
    link: LinkFacts,
    password_policy: String,
    #[sqlx(flatten)]
    holder: Holder,
}

fn link_query() -> String {
    format!("SELECT {LINK_FACTS}, {LINK_QUERY_REST}")
}

const LINK_QUERY_REST: &str = "u.email, u.first_name, u.last_name, u.time_zone, o.name AS organization, u.status, u.role, o.password_policy \
     FROM invites i \
     JOIN users u ON u.org_id = i.org_id AND u.id = i.user_id \
     JOIN organizations o ON o.id = i.org_id \
     WHERE i.token_hash = $1 AND i.purpose = 'recovery'";

fn state_of(row: Option<&LinkRow>, now: DateTime<Utc>) -> RecoveryLink {
    let Some(row) = row else {
        return RecoveryLink::invalid(RecoveryLinkState::Unknown);
    };
    let state = match row.link.state(now) {
        _ if row.holder.status != UserStatus::Active => RecoveryLinkState::Unknown,
        LinkState::Used => RecoveryLinkState::Used,
        LinkState::Replaced => RecoveryLinkState::Replaced,
        LinkState::Expired => RecoveryLinkState::Expired,
        LinkState::Valid => RecoveryLinkState::Valid,
    };
    if state != RecoveryLinkState::Valid {
        return RecoveryLink::invalid(state);
    }
    let zone: Tz = row.holder.time_zone.parse().unwrap_or(Tz::UTC);
    RecoveryLink {
        state,
        email: row.holder.email.clone(),
        organization: row.holder.organization.clone(),
        expires: expiry_text(row.link.expires_at, zone),
        password_policy: PasswordPolicy::from_param(&row.password_policy).unwrap_or_default(),
    }
}

/// What a recovery link leads to, without changing anything (mail
/// scanners open links).
pub async fn inspect(pool: &Db, link_token: &str) -> Result<RecoveryLink, AppError> {
    if link_token.len() > 100 {
        return Ok(RecoveryLink::invalid(RecoveryLinkState::Unknown));
    }
    let row: Option<LinkRow> = sqlx::query_as(&link_query()).bind(token::hash(link_token)).fetch_optional(pool).await?;
    Ok(state_of(row.as_ref(), Utc::now()))
}

fn refusal(state: RecoveryLinkState) -> AppError {
    AppError::bad_request(match state {
        RecoveryLinkState::Expired => "This link has expired. Ask for a new one with \"Forgot password?\".",
        RecoveryLinkState::Used => "This link has already been used. Sign in with your new password.",
        RecoveryLinkState::Replaced => "A newer link was sent since this one. Use the link in the most recent email.",
        RecoveryLinkState::Unknown | RecoveryLinkState::Valid => "This link is not valid.",
    })
}

/// Sets the new password in one transaction: every session of the user
/// ends, an automatic lockout is cleared, the link is used up (with any
/// other recovery link), a notice is mailed. Returns the email to fill in
/// on the sign-in page.
#[tracing::instrument(skip_all)]
pub async fn recover(
    pool: &Db,
    hasher: &PasswordHasher,
    link_token: &str,
    password: &Password,
    password_confirmation: &Password,
    origin: &Origin,
) -> Result<String, AppError> {
    let link = inspect(pool, link_token).await?;
    if link.state != RecoveryLinkState::Valid {
        return Err(refusal(link.state));
    }
    // The names are only needed for the strength check's personal words.
    let mut v = Validator::new();
    new_password::check(&mut v, link.password_policy, password, password_confirmation, &[&link.email]);
    v.finish()?;
    let hash = hasher.hash(password).await?;

    let mut tx = pool.begin().await?;
    // Re-read under the user's lock: one link sets one password.
    let row: Option<LinkRow> = sqlx::query_as(&format!("{} FOR UPDATE OF u", link_query()))
        .bind(token::hash(link_token))
        .fetch_optional(&mut *tx)
        .await?;
    let state = state_of(row.as_ref(), Utc::now()).state;
    let (RecoveryLinkState::Valid, Some(LinkRow { link: row, holder: user, .. })) = (state, row) else {
        return Err(refusal(state));
    };
    let holder = new_password::Holder {
        org_id: row.org_id,
        user_id: row.user_id,
        email: &user.email,
        first_name: &user.first_name,
        organization: &user.organization,
        time_zone: user.time_zone.parse().unwrap_or(Tz::UTC),
    };
    new_password::store(&mut tx, holder, &hash).await?;
    sqlx::query(
        "UPDATE invites SET used_at = CASE WHEN id = $3 THEN now() END, revoked_at = CASE WHEN id = $3 THEN NULL ELSE now() END \
         WHERE org_id = $1 AND user_id = $2 AND purpose = 'recovery' AND used_at IS NULL AND revoked_at IS NULL",
    )
    .bind(row.org_id)
    .bind(row.user_id)
    .bind(row.link_id)
    .execute(&mut *tx)
    .await?;
    let name = format!("{} {}", user.first_name, user.last_name);
    let entry = Entry::new(row.org_id, Action::RecoveryUsed).about(row.user_id, &name);
    record(&mut tx, &origin.clone().by(row.user_id, &name), entry).await?;
    tx.commit().await?;
    tracing::info!(org_id = %row.org_id, user_id = %row.user_id, "password recovered");
    Ok(user.email.clone())
}
