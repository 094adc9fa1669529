//! One user's details for the details panel: the table row (same status
//! and delivery columns as the list), the profile and the invite mails.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use sqlx::FromRow;
use uuid::Uuid;

use super::list::{DELIVERY_COLUMNS, DELIVERY_JOINS, Row, format_time};
use crate::error::AppError;
use crate::features::invites::server::link::LinkPurpose;
use crate::features::users::types::{MailState, MailStatus, UserDetails};
use crate::server::db::Db;

#[derive(FromRow)]
struct DetailsRow {
    #[sqlx(flatten)]
    row: Row,
    time_zone: String,
    department: Option<String>,
    mobile_phone: Option<String>,
    work_phone: Option<String>,
    work_phone_ext: Option<String>,
    date_of_birth: Option<NaiveDate>,
    hire_date: Option<NaiveDate>,
    invited_by: Option<String>,
    version: i64,
}

#[derive(FromRow)]
struct MailRow {
    state: MailState,
    attempts: i32,
    last_error: Option<String>,
    sent_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

/// How many of a user's invite mails the panel lists.
const MAIL_HISTORY: i64 = 10;

pub async fn user_details(pool: &Db, org_id: Uuid, user_id: Uuid, zone: Tz) -> Result<UserDetails, AppError> {
    let details: DetailsRow = sqlx::query_as(&format!(
        "SELECT u.id, u.role, u.kind, u.first_name, u.last_name, u.email, u.activated_at, u.last_sign_in_at, u.created_at, u.version, \
                '' AS sort_key, {DELIVERY_COLUMNS}, u.time_zone, u.department, u.mobile_phone, u.work_phone, \
                u.work_phone_ext, u.date_of_birth, u.hire_date, a.first_name || ' ' || a.last_name AS invited_by \
         FROM users u {DELIVERY_JOINS} \
         LEFT JOIN users a ON a.org_id = u.org_id AND a.id = u.invited_by \
         WHERE u.org_id = $1 AND u.id = $2"
    ))
    .bind(org_id)
    .bind(user_id)
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let mails = mail_history(pool, org_id, user_id, LinkPurpose::Activation, zone).await?;
    let recovery_mails = mail_history(pool, org_id, user_id, LinkPurpose::Recovery, zone).await?;
    let activated = details.row.activated_at.map(|at| format_time(at, zone));
    let pending_invites_sent = super::access::pending_invites_sent(pool, org_id, user_id).await?;
    let pending_email = super::email_change::pending(pool, org_id, user_id).await?;
    let email_editable: bool = sqlx::query_scalar("SELECT email_editable FROM organizations WHERE id = $1")
        .bind(org_id)
        .fetch_one(pool)
        .await?;
    let date = |d: Option<NaiveDate>| d.map(|d| d.format("%-d %b %Y").to_string());
    let mut conn = pool.acquire().await?;
    let groups = crate::features::groups::server::of_user(&mut conn, org_id, user_id).await?;
    let (positions, displayed_position) =
        crate::features::positions::server::of_user(&mut conn, org_id, user_id).await?;
    let messengers = crate::features::profile::server::messengers_of(&mut conn, org_id, user_id).await?;
    let field_values = crate::features::profile::server::values_of(&mut conn, org_id, user_id).await?;
    drop(conn);
    Ok(UserDetails {
        row: details.row.into_user_row(zone),
        time_zone: details.time_zone,
        department: details.department,
        mobile_phone: details.mobile_phone.as_deref().map(display_phone),
        work_phone: details.work_phone.as_deref().map(display_phone),
        work_phone_ext: details.work_phone_ext,
        date_of_birth: date(details.date_of_birth),
        hire_date: date(details.hire_date),
        invited_by: details.invited_by,
        activated,
        pending_invites_sent,
        version: details.version,
        email_editable,
        pending_email,
        mails,
        recovery_mails,
        groups,
        group_choices: Vec::new(),
        positions,
        displayed_position,
        messengers,
        field_values,
        custom_fields: Vec::new(),
        date_of_birth_input: details.date_of_birth.map(|d| d.to_string()).unwrap_or_default(),
        hire_date_input: details.hire_date.map(|d| d.to_string()).unwrap_or_default(),
        work_phone_input: details.work_phone.as_deref().map(display_phone).unwrap_or_default(),
    })
}

/// The user's latest mails carrying links of `purpose`, newest first.
async fn mail_history(
    pool: &Db,
    org_id: Uuid,
    user_id: Uuid,
    purpose: LinkPurpose,
    zone: Tz,
) -> Result<Vec<MailStatus>, AppError> {
    let mails: Vec<MailRow> = sqlx::query_as(
        "SELECT state, attempts, last_error, sent_at, created_at FROM outbox \
         WHERE org_id = $1 AND user_id = $2 AND kind = $3 ORDER BY created_at DESC LIMIT $4",
    )
    .bind(org_id)
    .bind(user_id)
    .bind(purpose.mail_kind())
    .bind(MAIL_HISTORY)
    .fetch_all(pool)
    .await?;
    Ok(mails
        .into_iter()
        .map(|m| MailStatus {
            state: m.state,
            attempts: m.attempts,
            last_error: m.last_error,
            sent: m.sent_at.map(|at| format_time(at, zone)),
            queued: format_time(m.created_at, zone),
        })
        .collect())
}

/// A stored E.164 number as people read it: "+49 30 1234567".
pub fn display_phone(e164: &str) -> String {
    match phonenumber::parse(None, e164) {
        Ok(number) => number.format().mode(phonenumber::Mode::International).to_string(),
        Err(_) => e164.to_owned(),
    }
}
