//! Listing an organization's active sessions and ending them, audited.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::FromRow;
use uuid::Uuid;

use crate::error::AppError;
use crate::features::active_users::types::{ACTIVE_MINUTES, ActiveSession, minutes_ago};
use crate::features::audit::server::{Action, Entry, Origin, record};
use crate::features::users::server::list::format_time;
use crate::server::db::Db;

#[derive(FromRow)]
struct Row {
    handle: Uuid,
    user_id: Uuid,
    first_name: String,
    last_name: String,
    email: String,
    last_seen_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
    user_agent: Option<String>,
    client_addr: Option<String>,
    current: bool,
}

/// "Chrome 120 on Linux" from a User-Agent header; a client that is not a
/// browser (a script, a library) by the start of its own words.
pub fn browser_of(user_agent: Option<&str>) -> String {
    let Some(ua) = user_agent.map(str::trim).filter(|ua| !ua.is_empty()) else {
        return "Unknown browser".to_owned();
    };
    let parser = woothee::parser::Parser::new();
    let parsed = parser
        .parse(ua)
        .filter(|p| p.name != "UNKNOWN" && matches!(p.category, "pc" | "smartphone" | "mobilephone" | "appliance"));
    let Some(parsed) = parsed else {
        return ua.chars().take(60).collect();
    };
    let major = parsed.version.split('.').next().filter(|v| !v.is_empty() && *v != "UNKNOWN");
    let os = (parsed.os != "UNKNOWN").then_some(parsed.os);
    match (major, os) {
        (Some(v), Some(os)) => format!("{} {v} on {os}", parsed.name),
        (None, Some(os)) => format!("{} on {os}", parsed.name),
        (Some(v), None) => format!("{} {v}", parsed.name),
        (None, None) => parsed.name.to_owned(),
    }
}

/// The organization's sessions used within the last [`ACTIVE_MINUTES`],
/// most recent first (at most 500: a page, not an export).
pub async fn active_sessions(
    pool: &Db,
    org_id: Uuid,
    current_session: Option<&str>,
    now: DateTime<Utc>,
    zone: Tz,
) -> Result<Vec<ActiveSession>, AppError> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT s.handle, s.user_id, u.first_name, u.last_name, u.email, s.last_seen_at, s.created_at, \
                s.user_agent, host(s.client_addr) AS client_addr, s.id = $3 AS current \
         FROM sessions s JOIN users u ON u.org_id = s.org_id AND u.id = s.user_id \
         WHERE s.org_id = $1 AND s.last_seen_at > $2 - make_interval(mins => $4) AND s.expiry_date > $2 \
         ORDER BY s.last_seen_at DESC, s.handle LIMIT 500",
    )
    .bind(org_id)
    .bind(now)
    .bind(current_session.unwrap_or(""))
    .bind(ACTIVE_MINUTES as i32)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ActiveSession {
            handle: r.handle,
            user_id: r.user_id,
            name: format!("{} {}", r.first_name, r.last_name),
            email: r.email,
            last_seen: format_time(r.last_seen_at, zone),
            last_seen_ago: minutes_ago((now - r.last_seen_at).num_seconds().max(0)),
            signed_in: format_time(r.created_at, zone),
            browser: browser_of(r.user_agent.as_deref()),
            address: r.client_addr,
            current: r.current,
        })
        .collect())
}

/// Ends one session ("Sign out"): its next request lands on the sign-in
/// page. Returns the name of whose it was. Another organization's: 404.
pub async fn end_session(pool: &Db, org_id: Uuid, origin: &Origin, handle: Uuid) -> Result<String, AppError> {
    let mut tx = pool.begin().await?;
    let (user_id, name): (Uuid, String) = sqlx::query_as(
        "DELETE FROM sessions s USING users u \
         WHERE s.org_id = $1 AND s.handle = $2 AND u.org_id = s.org_id AND u.id = s.user_id \
         RETURNING s.user_id, u.first_name || ' ' || u.last_name",
    )
    .bind(org_id)
    .bind(handle)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    record(&mut tx, origin, Entry::new(org_id, Action::SessionEnded).about(user_id, &name)).await?;
    tx.commit().await?;
    tracing::info!(%org_id, user = %user_id, "session ended by an admin");
    Ok(name)
}

/// Ends every session of a user ("Sign out everywhere"). Returns their
/// name and how many sessions ended. Another organization's user: 404.
pub async fn end_user_sessions(
    pool: &Db,
    org_id: Uuid,
    origin: &Origin,
    user_id: Uuid,
) -> Result<(String, u64), AppError> {
    let mut tx = pool.begin().await?;
    let name: String =
        sqlx::query_scalar("SELECT first_name || ' ' || last_name FROM users WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(AppError::NotFound)?;
    let ended = crate::features::auth::server::session::end_all_of(&mut tx, org_id, user_id).await?;
    let details = serde_json::json!({ "sessions": ended });
    record(&mut tx, origin, Entry::new(org_id, Action::SignedOutEverywhere).about(user_id, &name).with(details))
        .await?;
    tx.commit().await?;
    tracing::info!(%org_id, user = %user_id, ended, "user signed out everywhere by an admin");
    Ok((name, ended))
}

#[cfg(test)]
mod tests {
    use super::browser_of;

    #[test]
    fn browsers_read_as_people_name_them() {
        let chrome =
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
        assert_eq!(browser_of(Some(chrome)), "Chrome 120 on Linux");
        assert_eq!(browser_of(None), "Unknown browser");
        assert_eq!(browser_of(Some("")), "Unknown browser");
        assert_eq!(browser_of(Some("curl/8.0")), "curl/8.0");
    }
}
