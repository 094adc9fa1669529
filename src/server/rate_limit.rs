//! Per-client rate limits (the `governor` crate's GCRA) for the public
//! endpoints whose credential travels in the request: activation links (a
//! 256-bit token cannot be guessed anyway; the limit keeps a scanner from
//! trying and the new-link form from flooding an inbox) and passwords
//! (sign-in and sign-up: credential stuffing, and argon2's cost).
//!
//! A client is its address, or for IPv6 its /64 (`rate_limit_key`).
//!
//! The limits live in each app instance's memory: with N instances a client
//! gets at most N times the quota, which is still nothing against 2^256.

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::client_addr::rate_limit_key;
use crate::error::AppError;

pub struct RateLimits {
    /// Opening and using activation links, asking for a new one.
    links: DefaultKeyedRateLimiter<IpAddr>,
    /// Sign-in and sign-up attempts.
    passwords: DefaultKeyedRateLimiter<IpAddr>,
    /// `/api/v1` requests, per API key.
    api_keys: DefaultKeyedRateLimiter<uuid::Uuid>,
}

/// Forget clients that have been quiet once the table grows past this.
const RETAIN_AFTER: usize = 10_000;

impl RateLimits {
    pub fn new(
        token_requests_per_minute: u32,
        password_requests_per_minute: u32,
        api_requests_per_minute: u32,
    ) -> Self {
        let quota = |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).expect("at least one"));
        Self {
            links: RateLimiter::keyed(quota(token_requests_per_minute)),
            passwords: RateLimiter::keyed(quota(password_requests_per_minute)),
            api_keys: RateLimiter::keyed(quota(api_requests_per_minute)),
        }
    }

    /// One request from `client` to a link endpoint: refused with 429 once
    /// it is over its quota.
    pub fn link_request(&self, client: IpAddr) -> Result<(), AppError> {
        check(&self.links, client, "link requests")
    }

    /// One password attempt from `client`, checked before any hashing.
    pub fn password_attempt(&self, client: IpAddr) -> Result<(), AppError> {
        check(&self.passwords, client, "password attempts")
    }
}

impl RateLimits {
    /// One `/api/v1` request made with API key `key`.
    pub fn api_request(&self, key: uuid::Uuid) -> Result<(), AppError> {
        if self.api_keys.len() > RETAIN_AFTER {
            self.api_keys.retain_recent();
        }
        self.api_keys.check_key(&key).map_err(|_| {
            tracing::warn!(api_key = %key, "API requests rate limited");
            AppError::too_many_attempts()
        })
    }
}

fn check(limiter: &DefaultKeyedRateLimiter<IpAddr>, client: IpAddr, what: &str) -> Result<(), AppError> {
    if limiter.len() > RETAIN_AFTER {
        limiter.retain_recent();
    }
    limiter.check_key(&rate_limit_key(client)).map_err(|_| {
        tracing::warn!(%client, "{what} rate limited");
        AppError::too_many_attempts()
    })
}
