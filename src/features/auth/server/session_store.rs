//! The session store behind tower-sessions: our own `sessions` table, which
//! names the organization and user a session belongs to.
//!
//! tower-sessions keeps the cookie, the lazy loading and the id rotation;
//! this store keeps the rows. Because the user is a column, loading a
//! session joins its signed-in user and organization in the same query and
//! hands them to [`Actor`](super::guard::Actor) inside the loaded record, so
//! a signed-in request costs one round trip to learn who is calling instead
//! of two. That snapshot is read fresh with every load and never stored.

use async_trait::async_trait;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::Query;
use sqlx::{FromRow, Postgres, Row};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

use super::guard::{ACTOR_COLUMNS, ACTOR_SNAPSHOT_KEY, ActorRow};
use super::session::{AUTH_KEY, SEEN_KEY, SessionAuth};
use crate::server::clock::Clock;
use crate::server::db::Db;

#[derive(Clone, Debug)]
pub struct Sessions {
    pool: Db,
    /// Expiry is judged by this clock (tests move it). tower-sessions
    /// computes a record's expiry from the system clock, so the store shifts
    /// it by the clock's offset on the way in.
    clock: Clock,
}

impl Sessions {
    pub fn new(pool: Db, clock: Clock) -> Self {
        Self { pool, clock }
    }
}

/// How a store error says the database could not be reached: tower-sessions
/// keeps only a string, and the request must still learn it is a 503 (try
/// again), not a 500 (see [`super::session::failure`]).
pub(super) const UNAVAILABLE: &str = "database unavailable: ";

fn backend(error: sqlx::Error) -> session_store::Error {
    if crate::server::db::is_unavailable(&error) {
        session_store::Error::Backend(format!("{UNAVAILABLE}{error}"))
    } else {
        session_store::Error::Backend(error.to_string())
    }
}

/// The stored form of a record (without the actor snapshot, which is only
/// ever read fresh) and whose session it is.
fn encode(record: &Record) -> session_store::Result<(Vec<u8>, Option<SessionAuth>)> {
    let auth = record.data.get(AUTH_KEY).and_then(|value| serde_json::from_value::<SessionAuth>(value.clone()).ok());
    // What the store added at load (the actor, when activity was last
    // noted) is never stored in the blob.
    let data = if record.data.contains_key(ACTOR_SNAPSHOT_KEY) || record.data.contains_key(SEEN_KEY) {
        let mut stored = record.clone();
        stored.data.remove(ACTOR_SNAPSHOT_KEY);
        stored.data.remove(SEEN_KEY);
        rmp_serde::to_vec(&stored)
    } else {
        rmp_serde::to_vec(record)
    };
    Ok((data.map_err(|e| session_store::Error::Encode(e.to_string()))?, auth))
}

/// A write of `record`, with its values bound as `$1` id, `$2` org_id,
/// `$3` user_id, `$4` data, `$5` expiry_date.
fn bind_record<'q>(
    sql: &'q str,
    record: &Record,
    clock: &Clock,
) -> session_store::Result<Query<'q, Postgres, PgArguments>> {
    let (data, auth) = encode(record)?;
    Ok(sqlx::query(sql)
        .bind(record.id.to_string())
        .bind(auth.map(|a| a.org_id))
        .bind(auth.map(|a| a.user_id))
        .bind(data)
        .bind(record.expiry_date + clock.offset()))
}

#[async_trait]
impl SessionStore for Sessions {
    /// One INSERT; on the astronomically rare id collision, a new id.
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        const INSERT: &str = "INSERT INTO sessions (id, org_id, user_id, data, expiry_date) \
                              VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING";
        while bind_record(INSERT, record, &self.clock)?.execute(&self.pool).await.map_err(backend)?.rows_affected() == 0
        {
            record.id = Id::default();
        }
        Ok(())
    }

    /// Updates a session that was loaded in this request (tower-sessions
    /// creates new ones through `create`). An UPDATE, not an upsert: if the
    /// row went meanwhile (signed out from another tab, expired, its user
    /// deleted), saving must not bring it back.
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        const UPDATE: &str = "UPDATE sessions SET org_id = $2, user_id = $3, data = $4, expiry_date = $5 WHERE id = $1";
        bind_record(UPDATE, record, &self.clock)?.execute(&self.pool).await.map_err(backend)?;
        Ok(())
    }

    /// The session and, when someone is signed in to it, their user and
    /// organization as they are now.
    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row: Option<PgRow> = sqlx::query(&format!(
            "SELECT s.data, u.id IS NOT NULL AS signed_in, \
                    CASE WHEN s.user_agent IS NULL THEN 0 ELSE extract(epoch FROM s.last_seen_at)::bigint END AS seen, \
                    {ACTOR_COLUMNS} FROM sessions s \
             LEFT JOIN users u ON u.org_id = s.org_id AND u.id = s.user_id \
             LEFT JOIN organizations o ON o.id = u.org_id \
             WHERE s.id = $1 AND s.expiry_date > $2"
        ))
        .bind(id.to_string())
        .bind(self.clock.now())
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        let Some(row) = row else { return Ok(None) };
        let data: Vec<u8> = row.try_get("data").map_err(backend)?;
        let mut record: Record =
            rmp_serde::from_slice(&data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        if row.try_get::<bool, _>("signed_in").map_err(backend)? {
            let actor = ActorRow::from_row(&row).map_err(backend)?;
            let snapshot = serde_json::to_value(actor).map_err(|e| session_store::Error::Encode(e.to_string()))?;
            record.data.insert(ACTOR_SNAPSHOT_KEY.to_owned(), snapshot);
            // When activity was last noted (0: never, with this browser).
            let seen: i64 = row.try_get("seen").map_err(backend)?;
            record.data.insert(SEEN_KEY.to_owned(), seen.into());
        }
        Ok(Some(record))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id.to_string())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[async_trait]
impl ExpiredDeletion for Sessions {
    async fn delete_expired(&self) -> session_store::Result<()> {
        sqlx::query("DELETE FROM sessions WHERE expiry_date < $1")
            .bind(self.clock.now())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
