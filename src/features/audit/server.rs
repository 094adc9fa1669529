//! Writing and reading the audit log (ssr only). An entry is written with
//! `record`, on the connection of the transaction that makes the change it
//! records, so one cannot exist without the other.

use std::net::IpAddr;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use sqlx::{FromRow, PgConnection, Postgres, QueryBuilder};
use uuid::Uuid;

use crate::error::AppError;
use crate::features::audit::types::{AUDIT_PAGE_SIZE, AuditPage, AuditQuery, AuditRow, action_label};
use crate::features::auth::server::guard::Actor;
use crate::features::users::server::list::format_time;
use crate::server::db::Db;
use crate::server::respond::RequestContext;

/// What happened: each variant is a key of `AUDIT_ACTIONS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    OrganizationSignedUp,
    SignedIn,
    SignInFailed,
    SignedOut,
    InviteCreated,
    InviteResent,
    InviteCanceled,
    NewLinkRequested,
    InviteRefusedExistingAccount,
    AccountActivated,
    AccessDisabled,
    AccessEnabled,
    UserDeleted,
    ProfileUpdated,
    PasswordChanged,
    UserEdited,
    SuperuserTransferred,
    AccountLocked,
    AccountUnlocked,
    RecoverySent,
    RecoveryRequested,
    RecoveryUsed,
    SecurityChanged,
    EmailChangeRequested,
    EmailChanged,
    AccessChanged,
    RoleDefaultsChanged,
    ApiKeyCreated,
    ApiKeyRevoked,
    DashboardCreated,
    DashboardChanged,
    DashboardDeleted,
    SessionEnded,
    SignedOutEverywhere,
    GroupCreated,
    GroupChanged,
    GroupDeleted,
    GroupMemberAdded,
    GroupMemberRemoved,
    PositionCreated,
    PositionChanged,
    PositionMoved,
    PositionDeleted,
    PositionHolderAdded,
    PositionHolderRemoved,
    FieldCreated,
    FieldDeleted,
    PhotoChanged,
}

impl Action {
    pub fn key(self) -> &'static str {
        match self {
            Action::OrganizationSignedUp => "organization.signed_up",
            Action::SignedIn => "session.signed_in",
            Action::SignInFailed => "session.sign_in_failed",
            Action::SignedOut => "session.signed_out",
            Action::InviteCreated => "invite.created",
            Action::InviteResent => "invite.resent",
            Action::InviteCanceled => "invite.canceled",
            Action::NewLinkRequested => "invite.new_link_requested",
            Action::InviteRefusedExistingAccount => "invite.refused_existing_account",
            Action::AccountActivated => "account.activated",
            Action::AccessDisabled => "user.access_disabled",
            Action::AccessEnabled => "user.access_enabled",
            Action::UserDeleted => "user.deleted",
            Action::ProfileUpdated => "account.profile_updated",
            Action::PasswordChanged => "account.password_changed",
            Action::UserEdited => "user.edited",
            Action::SuperuserTransferred => "organization.superuser_transferred",
            Action::AccountLocked => "account.locked",
            Action::AccountUnlocked => "user.unlocked",
            Action::RecoverySent => "recovery.sent",
            Action::RecoveryRequested => "recovery.requested",
            Action::RecoveryUsed => "recovery.used",
            Action::SecurityChanged => "organization.security_changed",
            Action::EmailChangeRequested => "account.email_change_requested",
            Action::EmailChanged => "account.email_changed",
            Action::AccessChanged => "user.access_changed",
            Action::RoleDefaultsChanged => "organization.role_defaults_changed",
            Action::ApiKeyCreated => "api_key.created",
            Action::ApiKeyRevoked => "api_key.revoked",
            Action::DashboardCreated => "dashboard.created",
            Action::DashboardChanged => "dashboard.changed",
            Action::DashboardDeleted => "dashboard.deleted",
            Action::SessionEnded => "session.ended_by_admin",
            Action::SignedOutEverywhere => "user.signed_out_everywhere",
            Action::GroupCreated => "group.created",
            Action::GroupChanged => "group.changed",
            Action::GroupDeleted => "group.deleted",
            Action::GroupMemberAdded => "group.member_added",
            Action::GroupMemberRemoved => "group.member_removed",
            Action::PositionCreated => "position.created",
            Action::PositionChanged => "position.renamed",
            Action::PositionMoved => "position.moved",
            Action::PositionDeleted => "position.deleted",
            Action::PositionHolderAdded => "position.holder_added",
            Action::PositionHolderRemoved => "position.holder_removed",
            Action::FieldCreated => "field.created",
            Action::FieldDeleted => "field.deleted",
            Action::PhotoChanged => "user.photo_changed",
        }
    }
}

/// Who acted and from where: what every entry of one request carries.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub actor_id: Option<Uuid>,
    /// As shown at the time ("Ada Lovelace").
    pub actor_name: Option<String>,
    pub client_ip: Option<IpAddr>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
}

impl Origin {
    /// The request, with its signed-in actor if any.
    pub fn of(ctx: &RequestContext, actor: Option<&Actor>) -> Self {
        let origin = Origin {
            client_ip: Some(ctx.client_ip),
            user_agent: ctx.user_agent.clone(),
            request_id: Some(ctx.request_id.clone()),
            ..Origin::default()
        };
        match actor {
            Some(actor) => origin.by(actor.user_id, &format!("{} {}", actor.first_name, actor.last_name)),
            None => origin,
        }
    }

    /// The same request, acted by `user` (a visitor who turns out to be a
    /// user: the holder of a link, someone signing in).
    pub fn by(self, user_id: Uuid, name: &str) -> Self {
        Origin { actor_id: Some(user_id), actor_name: Some(name.to_owned()), ..self }
    }
}

/// One entry: in which organization, what, about whom, and anything else
/// worth keeping (never a password or a token).
pub struct Entry<'a> {
    pub org_id: Uuid,
    pub action: Action,
    pub subject_id: Option<Uuid>,
    pub subject_name: Option<&'a str>,
    pub details: serde_json::Value,
}

impl<'a> Entry<'a> {
    pub fn new(org_id: Uuid, action: Action) -> Self {
        Entry { org_id, action, subject_id: None, subject_name: None, details: serde_json::json!({}) }
    }

    pub fn about(self, user_id: Uuid, name: &'a str) -> Self {
        Entry { subject_id: Some(user_id), subject_name: Some(name), ..self }
    }

    pub fn with(self, details: serde_json::Value) -> Self {
        Entry { details, ..self }
    }
}

/// Appends an entry, as part of the caller's transaction.
pub async fn record(conn: &mut PgConnection, origin: &Origin, entry: Entry<'_>) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO audit_log (org_id, actor_id, actor_name, action, subject_id, subject_name, details, \
                                client_ip, user_agent, request_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::inet, $9, $10)",
    )
    .bind(entry.org_id)
    .bind(origin.actor_id)
    .bind(&origin.actor_name)
    .bind(entry.action.key())
    .bind(entry.subject_id)
    .bind(entry.subject_name)
    .bind(entry.details.to_string())
    .bind(origin.client_ip.map(|ip| ip.to_string()))
    .bind(origin.user_agent.as_deref().map(|ua| ua.chars().take(300).collect::<String>()))
    .bind(&origin.request_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// How many entries of `action` the organization got in the last `hours`.
pub async fn count_recent(conn: &mut PgConnection, org_id: Uuid, action: Action, hours: i32) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE org_id = $1 AND action = $2 AND at > now() - make_interval(hours => $3)",
    )
    .bind(org_id)
    .bind(action.key())
    .bind(hours)
    .fetch_one(&mut *conn)
    .await?)
}

#[derive(FromRow)]
struct Stored {
    id: i64,
    at: DateTime<Utc>,
    actor_id: Option<Uuid>,
    actor_name: Option<String>,
    action: String,
    subject_id: Option<Uuid>,
    subject_name: Option<String>,
    details: String,
    client_ip: Option<String>,
    user_agent: Option<String>,
}

/// A filter's value, or a clear 400 naming it.
fn parse_user(value: &str, what: &str) -> Result<Option<Uuid>, AppError> {
    if value.is_empty() {
        return Ok(None);
    }
    Uuid::parse_str(value).map(Some).map_err(|_| AppError::bad_request(format!("The {what} filter is not a user id.")))
}

/// The start of a day in `zone` (`YYYY-MM-DD`), or a clear 400.
fn day_start(value: &str, zone: Tz, what: &str) -> Result<Option<DateTime<Utc>>, AppError> {
    if value.is_empty() {
        return Ok(None);
    }
    let day = NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| AppError::bad_request(format!("The {what} date is not a date (YYYY-MM-DD).")))?;
    let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists");
    // The earliest instant of that local day (a DST gap moves it later).
    let local = zone
        .from_local_datetime(&midnight)
        .earliest()
        .or_else(|| zone.from_local_datetime(&(midnight + chrono::Duration::hours(1))).earliest());
    Ok(local.map(|t| t.with_timezone(&Utc)))
}

/// Cursor: the entry's time (microseconds) and id.
fn cursor_of(row: &Stored) -> String {
    format!("{}_{}", row.at.timestamp_micros(), row.id)
}

fn parse_cursor(value: &str) -> Result<Option<(DateTime<Utc>, i64)>, AppError> {
    if value.is_empty() {
        return Ok(None);
    }
    let stale = || AppError::bad_request("This page link is no longer valid. Start again from the newest entries.");
    let (micros, id) = value.split_once('_').ok_or_else(stale)?;
    let at = micros.parse::<i64>().ok().and_then(DateTime::<Utc>::from_timestamp_micros).ok_or_else(stale)?;
    Ok(Some((at, id.parse().map_err(|_| stale())?)))
}

/// One page of the organization's log, newest first, filtered as asked,
/// with times in `viewer_zone`. Each filter uses its own index; the page is
/// a keyset page (`(at, id) <` the cursor), never an OFFSET.
pub async fn list(pool: &Db, org_id: Uuid, viewer_zone: Tz, query: &AuditQuery) -> Result<AuditPage, AppError> {
    let actor = parse_user(query.actor.trim(), "actor")?;
    let subject = parse_user(query.subject.trim(), "target")?;
    let from = day_start(query.from.trim(), viewer_zone, "From")?;
    let to = day_start(query.to.trim(), viewer_zone, "To")?;
    let cursor = parse_cursor(query.after.trim())?;
    let action = query.action.trim();
    if !action.is_empty() && !crate::features::audit::types::AUDIT_ACTIONS.iter().any(|(k, _)| *k == action) {
        return Err(AppError::bad_request("There is no such action to filter by."));
    }

    let mut sql: QueryBuilder<Postgres> = QueryBuilder::new(
        "SELECT id, at, actor_id, actor_name, action, subject_id, subject_name, details::text AS details, \
                host(client_ip) AS client_ip, user_agent FROM audit_log WHERE org_id = ",
    );
    sql.push_bind(org_id);
    if !action.is_empty() {
        sql.push(" AND action = ").push_bind(action.to_owned());
    }
    if let Some(actor) = actor {
        sql.push(" AND actor_id = ").push_bind(actor);
    }
    if let Some(subject) = subject {
        sql.push(" AND subject_id = ").push_bind(subject);
    }
    if let Some(from) = from {
        sql.push(" AND at >= ").push_bind(from);
    }
    if let Some(to) = to {
        // Inclusive: up to the end of that day.
        sql.push(" AND at < ").push_bind(to).push(" + interval '1 day'");
    }
    if let Some((at, id)) = cursor {
        sql.push(" AND (at, id) < (").push_bind(at).push(", ").push_bind(id).push(")");
    }
    sql.push(" ORDER BY at DESC, id DESC LIMIT ").push_bind(AUDIT_PAGE_SIZE + 1);
    let mut stored: Vec<Stored> = sql.build_query_as().fetch_all(pool).await?;
    let next = if stored.len() as i64 > AUDIT_PAGE_SIZE {
        stored.truncate(AUDIT_PAGE_SIZE as usize);
        stored.last().map(cursor_of)
    } else {
        None
    };
    // The names of the people filtered by, as their latest entry shows them.
    let name_of = |id: Option<Uuid>| async move {
        let Some(id) = id else { return Ok::<_, AppError>(None) };
        Ok(sqlx::query_scalar(
            "SELECT coalesce( \
                 (SELECT first_name || ' ' || last_name FROM users WHERE org_id = $1 AND id = $2), \
                 (SELECT CASE WHEN a.subject_id = $2 THEN a.subject_name ELSE a.actor_name END FROM audit_log a \
                  WHERE a.org_id = $1 AND (a.subject_id = $2 OR a.actor_id = $2) ORDER BY a.at DESC LIMIT 1))",
        )
        .bind(org_id)
        .bind(id)
        .fetch_one(pool)
        .await?)
    };
    let actor_name = name_of(actor).await?;
    let subject_name = name_of(subject).await?;
    let (retention_days, pruned_at): (i32, Option<DateTime<Utc>>) = sqlx::query_as(
        "SELECT o.audit_retention_days, (SELECT finished_at FROM maintenance_runs WHERE task = 'audit_prune') \
         FROM organizations o WHERE o.id = $1",
    )
    .bind(org_id)
    .fetch_one(pool)
    .await?;
    let rows = stored
        .into_iter()
        .map(|row| AuditRow {
            id: row.id,
            at: format_time(row.at, viewer_zone),
            actor_id: row.actor_id,
            actor: row.actor_name,
            action_label: action_label(&row.action).to_owned(),
            action: row.action,
            subject_id: row.subject_id,
            subject: row.subject_name,
            details: details_of(&row.details),
            client_ip: row.client_ip,
            user_agent: row.user_agent,
        })
        .collect();
    Ok(AuditPage {
        rows,
        next,
        time_zone: viewer_zone.name().to_owned(),
        actor_name,
        subject_name,
        retention_days,
        pruned_at: pruned_at.map(|at| format_time(at, viewer_zone)),
    })
}

/// Entries removed per statement when pruning: each statement locks only
/// these rows for a moment (one huge `DELETE` would hold the table, a known
/// complaint about Keycloak's event expiry).
pub const PRUNE_BATCH: i64 = 1_000;

/// Removes the entries older than their organization's retention, in small
/// batches, and notes when it ran. Run by the server's housekeeping (any
/// instance may). Returns how many entries went.
pub async fn prune(pool: &Db) -> Result<u64, AppError> {
    let mut removed = 0u64;
    loop {
        let batch = sqlx::query(
            "DELETE FROM audit_log WHERE id IN ( \
                 SELECT a.id FROM organizations o \
                 JOIN LATERAL (SELECT id FROM audit_log \
                               WHERE org_id = o.id AND at < now() - make_interval(days => o.audit_retention_days) \
                               LIMIT $1) a ON true \
                 LIMIT $1)",
        )
        .bind(PRUNE_BATCH)
        .execute(pool)
        .await?
        .rows_affected();
        removed += batch;
        if batch < PRUNE_BATCH as u64 {
            break;
        }
        // Let the requests of the moment go first.
        tokio::task::yield_now().await;
    }
    sqlx::query(
        "INSERT INTO maintenance_runs (task, finished_at, removed) VALUES ('audit_prune', now(), $1) \
         ON CONFLICT (task) DO UPDATE SET finished_at = excluded.finished_at, removed = excluded.removed",
    )
    .bind(removed as i64)
    .execute(pool)
    .await?;
    if removed > 0 {
        tracing::info!(removed, "old audit entries removed");
    }
    Ok(removed)
}

/// An entry's details as readable pairs, in the order they were written.
fn details_of(json: &str) -> Vec<(String, String)> {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(json) else {
        return Vec::new();
    };
    map.into_iter()
        .map(|(key, value)| {
            let value = match value {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            (key.replace('_', " "), value)
        })
        .collect()
}
