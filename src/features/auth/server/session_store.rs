//! The session store: tower-sessions' PostgreSQL store, with a leaner
//! `create`. The stock one opens a transaction, checks the new id with a
//! SELECT, inserts and commits (four round trips on every sign-in); this one
//! inserts with `ON CONFLICT DO NOTHING` and draws a new id in the
//! astronomically rare case of a collision (one round trip). Loading, saving,
//! deleting and expiry are the stock store's.

use async_trait::async_trait;
use sqlx::PgPool;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions_sqlx_store::PostgresStore;

#[derive(Clone, Debug)]
pub struct Sessions {
    stock: PostgresStore,
    pool: PgPool,
}

impl Sessions {
    /// The store on `pool`, its table created if missing.
    pub async fn new(pool: PgPool) -> Result<Self, String> {
        let stock = PostgresStore::new(pool.clone());
        stock.migrate().await.map_err(|e| format!("session store migration failed: {e}"))?;
        Ok(Self { stock, pool })
    }
}

fn backend(error: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(error.to_string())
}

#[async_trait]
impl SessionStore for Sessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        loop {
            let data = rmp_serde::to_vec(&record).map_err(|e| session_store::Error::Encode(e.to_string()))?;
            let inserted = sqlx::query(
                r#"INSERT INTO "tower_sessions"."session" (id, data, expiry_date) VALUES ($1, $2, $3)
                   ON CONFLICT (id) DO NOTHING"#,
            )
            .bind(record.id.to_string())
            .bind(data)
            .bind(record.expiry_date)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
            if inserted.rows_affected() == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.stock.save(record).await
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        self.stock.load(id).await
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.stock.delete(id).await
    }
}

#[async_trait]
impl ExpiredDeletion for Sessions {
    async fn delete_expired(&self) -> session_store::Result<()> {
        self.stock.delete_expired().await
    }
}
