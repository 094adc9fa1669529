//! The time as Roster's session handling sees it.
//!
//! In production this is the system clock and nothing moves it. A test that
//! needs to know what happens after an idle hour moves it forward instead of
//! sleeping through the hour (`advance`). Only the code whose behaviour
//! depends on elapsed time in ways tests must check reads it: today the
//! session store's expiry, the keep-alive renewal and the sessions' activity
//! (Active users).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use time::OffsetDateTime;

/// The system clock plus an offset that only tests ever change. Clones
/// share the offset, so moving the clock of a running app's `AppState`
/// moves it for every request.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_millis: Arc<AtomicI64>,
}

impl Clock {
    pub fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + self.offset()
    }

    /// The same instant as chrono sees it.
    pub fn now_utc(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now() + chrono::Duration::milliseconds(self.offset_millis.load(Ordering::Relaxed))
    }

    pub fn unix_seconds(&self) -> i64 {
        self.now().unix_timestamp()
    }

    /// How far this clock is ahead of the system clock (zero in production).
    pub fn offset(&self) -> time::Duration {
        time::Duration::milliseconds(self.offset_millis.load(Ordering::Relaxed))
    }

    /// Moves the clock forward, as if `by` had passed.
    pub fn advance(&self, by: std::time::Duration) {
        self.offset_millis.fetch_add(i64::try_from(by.as_millis()).unwrap_or(i64::MAX), Ordering::Relaxed);
    }
}
