//! Per-client rate limits (the `governor` crate's GCRA) for public endpoints
//! whose credential travels in the request, such as activation links. A
//! 256-bit token cannot be guessed anyway; the limit keeps a scanner from
//! trying and from using the new-link form to flood someone's inbox.
//!
//! The limits live in each app instance's memory: with N instances a client
//! gets at most N times the quota, which is still nothing against 2^256.

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::AppError;

pub struct RateLimits {
    /// Opening and using activation links, asking for a new one.
    links: DefaultKeyedRateLimiter<IpAddr>,
}

/// Forget clients that have been quiet once the table grows past this.
const RETAIN_AFTER: usize = 10_000;

impl RateLimits {
    pub fn new(token_requests_per_minute: u32) -> Self {
        let per_minute = NonZeroU32::new(token_requests_per_minute.max(1)).expect("at least one");
        Self { links: RateLimiter::keyed(Quota::per_minute(per_minute)) }
    }

    /// One request from `client` to a link endpoint: refused with 429 once
    /// it is over its quota.
    pub fn link_request(&self, client: IpAddr) -> Result<(), AppError> {
        if self.links.len() > RETAIN_AFTER {
            self.links.retain_recent();
        }
        self.links.check_key(&client).map_err(|_| {
            tracing::warn!(%client, "link requests rate limited");
            AppError::too_many_attempts()
        })
    }
}
