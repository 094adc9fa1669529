//! Rate limits for the public endpoints whose credential travels in the
//! request: activation links (a 256-bit token cannot be guessed anyway; the
//! limit keeps a scanner from trying and the new-link form from flooding an
//! inbox), passwords (sign-in and sign-up: credential stuffing, and
//! argon2's cost), and `/api/v1` per API key.
//!
//! A client is its address, or for IPv6 its /64 (`rate_limit_key`).
//!
//! The limits are the installation's, not each instance's: they live in
//! PostgreSQL, which every instance shares, so N instances behind a load
//! balancer still allow a client the configured rate, not N times it. Each
//! check is one statement, the generic cell rate algorithm (what the
//! `governor` crate did in each instance's memory before): a key's row holds
//! its theoretical arrival time; a request is let in when that time is at
//! most a burst ahead of now, and moves it one interval on. The table is
//! `UNLOGGED` (no write-ahead log: a crash or a failover forgets the
//! limits, which costs nothing but a fresh quota), and housekeeping deletes
//! rows whose time has passed, which a missing row equals.

use std::net::IpAddr;
use std::time::Duration;

use super::client_addr::rate_limit_key;
use crate::error::AppError;
use crate::server::db::Db;

/// One limit: `per_minute` requests a minute, all of them at once at most.
#[derive(Clone, Copy, Debug)]
struct Quota {
    /// The time one request takes off the allowance.
    interval: Duration,
    /// How far ahead of now the arrival time may run: the burst.
    tolerance: Duration,
}

impl Quota {
    fn per_minute(per_minute: u32) -> Self {
        let per_minute = per_minute.max(1);
        let interval = Duration::from_secs(60) / per_minute;
        Quota { interval, tolerance: interval * (per_minute - 1) }
    }
}

pub struct RateLimits {
    pool: Db,
    /// Opening and using activation links, asking for a new one.
    links: Quota,
    /// Sign-in and sign-up attempts.
    passwords: Quota,
    /// `/api/v1` requests, per API key.
    api_keys: Quota,
}

/// The check: inserts the key's arrival time, or moves it on when the
/// request is within the quota; a row comes back only when it is let in.
const CHECK_SQL: &str = "INSERT INTO rate_limits AS r (scope, key, tat) \
     VALUES ($1, $2, clock_timestamp() + make_interval(secs => $3)) \
     ON CONFLICT (scope, key) DO UPDATE \
         SET tat = greatest(r.tat, clock_timestamp()) + make_interval(secs => $3) \
         WHERE greatest(r.tat, clock_timestamp()) <= clock_timestamp() + make_interval(secs => $4) \
     RETURNING true";

impl RateLimits {
    pub fn new(
        pool: Db,
        token_requests_per_minute: u32,
        password_requests_per_minute: u32,
        api_requests_per_minute: u32,
    ) -> Self {
        Self {
            pool,
            links: Quota::per_minute(token_requests_per_minute),
            passwords: Quota::per_minute(password_requests_per_minute),
            api_keys: Quota::per_minute(api_requests_per_minute),
        }
    }

    /// One request from `client` to a link endpoint: refused with 429 once
    /// it is over its quota.
    pub async fn link_request(&self, client: IpAddr) -> Result<(), AppError> {
        self.check("links", &rate_limit_key(client).to_string(), self.links).await.inspect_err(|_| {
            tracing::warn!(%client, "link requests rate limited");
        })
    }

    /// One password attempt from `client`, checked before any hashing.
    pub async fn password_attempt(&self, client: IpAddr) -> Result<(), AppError> {
        self.check("passwords", &rate_limit_key(client).to_string(), self.passwords).await.inspect_err(|_| {
            tracing::warn!(%client, "password attempts rate limited");
        })
    }

    /// One `/api/v1` request made with API key `key`.
    pub async fn api_request(&self, key: uuid::Uuid) -> Result<(), AppError> {
        self.check("api", &key.to_string(), self.api_keys).await.inspect_err(|_| {
            tracing::warn!(api_key = %key, "API requests rate limited");
        })
    }

    async fn check(&self, scope: &str, key: &str, quota: Quota) -> Result<(), AppError> {
        let allowed: Option<bool> = sqlx::query_scalar(CHECK_SQL)
            .bind(scope)
            .bind(key)
            .bind(quota.interval.as_secs_f64())
            .bind(quota.tolerance.as_secs_f64())
            .fetch_optional(&self.pool)
            .await?;
        match allowed {
            Some(true) => Ok(()),
            _ => Err(AppError::too_many_attempts()),
        }
    }
}

/// Forgets keys whose arrival time has passed (housekeeping): a missing row
/// means a full quota, which is what such a row says.
pub async fn forget_idle(pool: &Db) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM rate_limits WHERE tat < clock_timestamp()").execute(pool).await?.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quota_lets_its_whole_minute_through_at_once_then_one_per_interval() {
        let quota = Quota::per_minute(30);
        assert_eq!(quota.interval, Duration::from_secs(2));
        assert_eq!(quota.tolerance, Duration::from_secs(58));
        let one = Quota::per_minute(0);
        assert_eq!((one.interval, one.tolerance), (Duration::from_secs(60), Duration::ZERO));
    }
}
