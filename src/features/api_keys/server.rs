//! Creating, listing and revoking API keys, and finding the key behind an
//! `/api/v1` request. A key is 256 random bits; only its SHA-256 is stored.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::FromRow;
use uuid::Uuid;

use super::types::{ApiKey, CreatedApiKey, MAX_KEY_NAME_CHARS};
use crate::error::AppError;
use crate::features::audit::server::{Action, Entry, Origin, record};
use crate::features::users::server::list::format_time;
use crate::server::db::Db;
use crate::server::token;

/// What every key starts with, so a leaked one is recognisable (secret
/// scanners, logs).
const KEY_PREFIX: &str = "roster_";

#[derive(FromRow)]
struct Row {
    id: Uuid,
    name: String,
    prefix: String,
    created_by_name: String,
    created_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

pub async fn list(pool: &Db, org_id: Uuid, zone: Tz) -> Result<Vec<ApiKey>, AppError> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, name, prefix, created_by_name, created_at, last_used_at, revoked_at FROM api_keys \
         WHERE org_id = $1 ORDER BY revoked_at IS NOT NULL, created_at DESC",
    )
    .bind(org_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ApiKey {
            id: r.id,
            name: r.name,
            prefix: r.prefix,
            created_by: r.created_by_name,
            created: format_time(r.created_at, zone),
            last_used: r.last_used_at.map(|at| format_time(at, zone)),
            revoked: r.revoked_at.map(|at| format_time(at, zone)),
        })
        .collect())
}

/// A new key named `name`: returned once, with its secret; audited.
pub async fn create(
    pool: &Db,
    org_id: Uuid,
    created_by: Uuid,
    origin: &Origin,
    name: &str,
) -> Result<CreatedApiKey, AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::field("name", "Enter a name, e.g. the system that will use the key."));
    }
    if name.chars().count() > MAX_KEY_NAME_CHARS {
        return Err(AppError::field("name", format!("The name can be at most {MAX_KEY_NAME_CHARS} characters.")));
    }
    let (secret, _) = token::new_token();
    let key = format!("{KEY_PREFIX}{secret}");
    let prefix: String = key.chars().take(KEY_PREFIX.len() + 4).collect();
    let by = origin.actor_name.clone().unwrap_or_default();
    let mut tx = pool.begin().await?;
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO api_keys (org_id, name, prefix, token_hash, created_by, created_by_name) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(org_id)
    .bind(name)
    .bind(&prefix)
    .bind(token::hash(&key))
    .bind(created_by)
    .bind(&by)
    .fetch_one(&mut *tx)
    .await?;
    let details = serde_json::json!({ "key": name, "prefix": prefix });
    record(&mut tx, origin, Entry::new(org_id, Action::ApiKeyCreated).with(details)).await?;
    tx.commit().await?;
    tracing::info!(%org_id, api_key = %id, "API key created");
    Ok(CreatedApiKey { id, name: name.to_owned(), key })
}

/// Revokes a key of the organization at once (another organization's is
/// not found); audited. Revoking a revoked key changes nothing.
pub async fn revoke(pool: &Db, org_id: Uuid, origin: &Origin, id: Uuid) -> Result<String, AppError> {
    let mut tx = pool.begin().await?;
    let (name, revoked): (String, bool) =
        sqlx::query_as("SELECT name, revoked_at IS NOT NULL FROM api_keys WHERE org_id = $1 AND id = $2 FOR UPDATE")
            .bind(org_id)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(AppError::NotFound)?;
    if !revoked {
        sqlx::query("UPDATE api_keys SET revoked_at = now() WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let details = serde_json::json!({ "key": name });
        record(&mut tx, origin, Entry::new(org_id, Action::ApiKeyRevoked).with(details)).await?;
        tx.commit().await?;
        tracing::info!(%org_id, api_key = %id, "API key revoked");
    }
    Ok(name)
}

/// The key a request presents.
pub struct KeyHolder {
    pub key_id: Uuid,
    pub org_id: Uuid,
    /// The organization's zone: dates in explanations are written in it.
    pub time_zone: Tz,
}

/// The organization behind `key`, if it is a key that was not revoked.
/// Notes when it was last used (at most once a minute, so a busy system
/// does not write on every request).
pub async fn authenticate(pool: &Db, key: &str) -> Result<Option<KeyHolder>, AppError> {
    if !key.starts_with(KEY_PREFIX) {
        return Ok(None);
    }
    let row: Option<(Uuid, Uuid, String, bool)> = sqlx::query_as(
        "SELECT k.id, k.org_id, o.time_zone, \
                (k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute') AS stale \
         FROM api_keys k JOIN organizations o ON o.id = k.org_id \
         WHERE k.token_hash = $1 AND k.revoked_at IS NULL",
    )
    .bind(token::hash(key))
    .fetch_optional(pool)
    .await?;
    let Some((key_id, org_id, zone, stale)) = row else {
        return Ok(None);
    };
    if stale {
        sqlx::query("UPDATE api_keys SET last_used_at = now() WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(key_id)
            .execute(pool)
            .await?;
    }
    Ok(Some(KeyHolder { key_id, org_id, time_zone: zone.parse().unwrap_or(Tz::UTC) }))
}
