//! Signing up an organization, in two steps, so that only the owner of a
//! mailbox can create an organization with it and the form tells nobody
//! whether an address already has an account:
//!
//! 1. `request`: the form (organization, time zone, names, email) is
//!    validated and answered the same way whatever the address. A new
//!    address gets a confirmation link; an address with an account gets a
//!    notice instead ("someone tried…; if it was you, sign in").
//! 2. `confirm`: the link's page takes the password, as an invited user's
//!    activation does, and creates the organization, its seats and its
//!    Superuser in one transaction. Whoever controls the mailbox chooses the
//!    password: nobody can pre-register someone else's address.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::{FromRow, PgConnection};
use uuid::Uuid;

use super::new_password;
use super::password::PasswordHasher;
use super::session::SessionAuth;
use crate::error::{AppError, Validator};
use crate::features::audit::server::{Action, Entry, Origin, record};
use crate::features::auth::types::{MAX_ORG_NAME_CHARS, Password, PasswordPolicy, SignUpLink, SignUpLinkState};
use crate::features::invites::server::link::expiry_text;
use crate::features::mail::outbox::{OutgoingMail, enqueue};
use crate::features::mail::templates::{SignUpConfirmMail, SignUpNoticeMail};
use crate::features::orgs::server::{NewOrganization, create_with_superuser};
use crate::features::users::server::validate;
use crate::server::config::DefaultSeats;
use crate::server::db::Db;
use crate::server::token;

/// How long a confirmation link works.
pub const CONFIRMATION_HOURS: i64 = 24;
/// Sign-up mails one address receives per day at most; further requests
/// are answered as usual and send nothing (no inbox flooding).
pub const MAILS_PER_ADDRESS_PER_DAY: i64 = 5;
/// Pending sign-ups (confirmed or not) are deleted this long after they
/// were made: nothing in them is needed any more.
pub const KEEP_DAYS: i32 = 7;

#[derive(Debug, Clone)]
pub struct SignUpRequest {
    pub organization: String,
    pub time_zone: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
}

/// Step 1. Validates the form, then mails a confirmation link or the
/// owner's notice. Ok(()) either way: the caller's answer must not depend
/// on which (the response, and its timing, are the same).
#[tracing::instrument(skip_all)]
pub async fn request(pool: &Db, link_origin: &str, input: SignUpRequest) -> Result<(), AppError> {
    let mut v = Validator::new();
    let organization =
        validate::required_text(&mut v, "organization", "Organization name", &input.organization, MAX_ORG_NAME_CHARS);
    let time_zone = validate::time_zone(&mut v, "time_zone", &input.time_zone);
    let first_name = validate::name(&mut v, "first_name", "First name", &input.first_name);
    let last_name = validate::name(&mut v, "last_name", "Last name", &input.last_name);
    let email = validate::email(&mut v, "email", &input.email);
    v.finish()?;
    let time_zone = time_zone.expect("validated above");

    let mut tx = pool.begin().await?;
    // One request per address at a time, so the daily count and the
    // replacement of a pending sign-up cannot race.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended(lower($1), 13))").bind(&email).execute(&mut *tx).await?;
    let mailed_today: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM outbox WHERE lower(recipient) = lower($1) \
           AND kind IN ('sign_up_confirm', 'sign_up_notice') AND created_at > now() - interval '24 hours'",
    )
    .bind(&email)
    .fetch_one(&mut *tx)
    .await?;
    if mailed_today >= MAILS_PER_ADDRESS_PER_DAY {
        tracing::warn!("sign-up mail limit reached for an address; nothing sent");
        return Ok(());
    }
    let owner: Option<(Uuid, Uuid, String)> =
        sqlx::query_as("SELECT org_id, id, first_name FROM users WHERE lower(email) = lower($1)")
            .bind(&email)
            .fetch_optional(&mut *tx)
            .await?;
    match owner {
        Some((org_id, user_id, owner_first_name)) => {
            let mail = SignUpNoticeMail {
                first_name: owner_first_name,
                sign_in_link: format!("{}/sign-in", link_origin.trim_end_matches('/')),
            }
            .render()?;
            let outgoing = OutgoingMail {
                org_id: Some(org_id),
                user_id: Some(user_id),
                invite_id: None,
                sign_up_id: None,
                kind: "sign_up_notice",
                recipient: &email,
                mail,
            };
            enqueue(&mut tx, outgoing).await?;
            tracing::info!(%org_id, %user_id, "sign-up with an address that has an account: its owner is told");
        }
        None => {
            replace_pending(&mut tx, &email).await?;
            let (link_token, token_hash) = token::new_token();
            let (sign_up_id, expires_at): (Uuid, DateTime<Utc>) = sqlx::query_as(
                "INSERT INTO sign_ups (email, organization, time_zone, first_name, last_name, token_hash, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(hours => $7)) RETURNING id, expires_at",
            )
            .bind(&email)
            .bind(&organization)
            .bind(time_zone.name())
            .bind(&first_name)
            .bind(&last_name)
            .bind(&token_hash)
            .bind(CONFIRMATION_HOURS as i32)
            .fetch_one(&mut *tx)
            .await?;
            let mail = SignUpConfirmMail {
                first_name: first_name.clone(),
                organization: organization.clone(),
                link: format!("{}/sign-up/confirm/{link_token}", link_origin.trim_end_matches('/')),
                expires: expiry_text(expires_at, time_zone),
            }
            .render()?;
            let outgoing = OutgoingMail {
                org_id: None,
                user_id: None,
                invite_id: None,
                sign_up_id: Some(sign_up_id),
                kind: "sign_up_confirm",
                recipient: &email,
                mail,
            };
            enqueue(&mut tx, outgoing).await?;
            tracing::info!(%sign_up_id, "sign-up requested: confirmation mailed");
        }
    }
    tx.commit().await?;
    Ok(())
}

/// An earlier pending sign-up for the address stops working (one working
/// link per address) and its mail, if still queued, is withdrawn.
async fn replace_pending(conn: &mut PgConnection, email: &str) -> Result<(), AppError> {
    sqlx::query(
        "WITH replaced AS ( \
             UPDATE sign_ups SET replaced_at = now() \
             WHERE lower(email) = lower($1) AND confirmed_at IS NULL AND replaced_at IS NULL RETURNING id) \
         UPDATE outbox SET state = 'canceled', next_attempt_at = now() \
         WHERE sign_up_id IN (SELECT id FROM replaced) AND state IN ('queued', 'retrying')",
    )
    .bind(email)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(FromRow)]
struct PendingRow {
    id: Uuid,
    email: String,
    organization: String,
    time_zone: String,
    first_name: String,
    last_name: String,
    expires_at: DateTime<Utc>,
    replaced_at: Option<DateTime<Utc>>,
    confirmed_at: Option<DateTime<Utc>>,
}

const PENDING_QUERY: &str = "SELECT id, email, organization, time_zone, first_name, last_name, expires_at, \
            replaced_at, confirmed_at FROM sign_ups WHERE token_hash = $1";

fn state_of(row: Option<&PendingRow>, now: DateTime<Utc>) -> SignUpLink {
    let Some(row) = row else {
        return SignUpLink::invalid(SignUpLinkState::Unknown);
    };
    let state = if row.confirmed_at.is_some() {
        SignUpLinkState::Used
    } else if row.replaced_at.is_some() {
        SignUpLinkState::Replaced
    } else if row.expires_at <= now {
        SignUpLinkState::Expired
    } else {
        SignUpLinkState::Valid
    };
    let zone: Tz = row.time_zone.parse().unwrap_or(Tz::UTC);
    let valid = state == SignUpLinkState::Valid;
    let shown = |value: &str| if valid { value.to_owned() } else { String::new() };
    SignUpLink {
        state,
        organization: row.organization.clone(),
        first_name: shown(&row.first_name),
        last_name: shown(&row.last_name),
        email: shown(&row.email),
        expires: if valid { expiry_text(row.expires_at, zone) } else { String::new() },
    }
}

/// What a confirmation link leads to, without changing anything (mail
/// scanners open links).
pub async fn inspect(pool: &Db, link_token: &str) -> Result<SignUpLink, AppError> {
    if link_token.len() > 100 {
        return Ok(SignUpLink::invalid(SignUpLinkState::Unknown));
    }
    let row: Option<PendingRow> =
        sqlx::query_as(PENDING_QUERY).bind(token::hash(link_token)).fetch_optional(pool).await?;
    Ok(state_of(row.as_ref(), Utc::now()))
}

fn refusal(state: SignUpLinkState) -> AppError {
    AppError::bad_request(match state {
        SignUpLinkState::Expired => "This link has expired. Sign up again to get a new one.",
        SignUpLinkState::Used => "This organization has already been created. Sign in instead.",
        SignUpLinkState::Replaced => {
            "This link was replaced by a newer sign-up. Use the link in the most recent email."
        }
        SignUpLinkState::Unknown | SignUpLinkState::Valid => "This link is not valid.",
    })
}

/// Step 2. Checks the password, then creates the organization, its seats
/// and its Superuser and marks the sign-up confirmed, in one transaction.
#[tracing::instrument(skip_all)]
pub async fn confirm(
    pool: &Db,
    hasher: &PasswordHasher,
    seats: DefaultSeats,
    link_token: &str,
    password: &Password,
    password_confirmation: &Password,
    origin: &Origin,
) -> Result<SessionAuth, AppError> {
    let link = inspect(pool, link_token).await?;
    if link.state != SignUpLinkState::Valid {
        return Err(refusal(link.state));
    }
    let mut v = Validator::new();
    // A new organization starts with the default policy.
    let personal = [link.email.as_str(), &link.first_name, &link.last_name];
    new_password::check(&mut v, PasswordPolicy::default(), password, password_confirmation, &personal);
    v.finish()?;
    let hash = hasher.hash(password).await?;

    let mut tx = pool.begin().await?;
    // Re-read under lock: two submissions of one link create one organization.
    let row: Option<PendingRow> = sqlx::query_as(&format!("{PENDING_QUERY} FOR UPDATE"))
        .bind(token::hash(link_token))
        .fetch_optional(&mut *tx)
        .await?;
    let state = state_of(row.as_ref(), Utc::now()).state;
    let (SignUpLinkState::Valid, Some(row)) = (state, row) else {
        return Err(refusal(state));
    };
    let new = NewOrganization {
        name: &row.organization,
        time_zone: &row.time_zone,
        first_name: &row.first_name,
        last_name: &row.last_name,
        email: &row.email,
    };
    // An invite may have taken the address since the link was mailed.
    let (org_id, user_id) = create_with_superuser(&mut tx, &new, &hash.0, seats).await?;
    sqlx::query("UPDATE sign_ups SET confirmed_at = now(), org_id = $2 WHERE id = $1")
        .bind(row.id)
        .bind(org_id)
        .execute(&mut *tx)
        .await?;
    let name = format!("{} {}", row.first_name, row.last_name);
    let entry = Entry::new(org_id, Action::OrganizationSignedUp)
        .about(user_id, &name)
        .with(serde_json::json!({ "organization": row.organization, "email": row.email }));
    record(&mut tx, &origin.clone().by(user_id, &name), entry).await?;
    tx.commit().await?;
    tracing::info!(%org_id, %user_id, sign_up_id = %row.id, "organization signed up");
    Ok(SessionAuth { user_id, org_id, epoch: 0 })
}

/// Deletes sign-ups made more than `KEEP_DAYS` ago (their mails go with
/// them). Run from the server's periodic housekeeping.
pub async fn delete_old(pool: &Db) -> Result<u64, AppError> {
    Ok(sqlx::query("DELETE FROM sign_ups WHERE created_at < now() - make_interval(days => $1)")
        .bind(KEEP_DAYS)
        .execute(pool)
        .await?
        .rows_affected())
}
