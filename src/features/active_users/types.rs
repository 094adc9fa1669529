use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::features::users::types::Timestamp;

/// A session counts as active when it was used within this many minutes.
pub const ACTIVE_MINUTES: i64 = 5;

/// One signed-in session, as the Active users page lists it. `handle` names
/// it for "Sign out"; the session id (the cookie's secret) never leaves the
/// server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActiveSession {
    pub handle: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    pub last_seen: Timestamp,
    /// "2 minutes ago", as of the answer.
    pub last_seen_ago: String,
    pub signed_in: Timestamp,
    /// "Chrome 120 on Linux", or "Unknown browser".
    pub browser: String,
    pub address: Option<String>,
    /// The session of the admin looking at the page.
    pub current: bool,
}

/// "just now", "1 minute ago", "4 minutes ago".
pub fn minutes_ago(seconds: i64) -> String {
    match seconds / 60 {
        0 => "just now".to_owned(),
        1 => "1 minute ago".to_owned(),
        n => format!("{n} minutes ago"),
    }
}

#[cfg(test)]
mod tests {
    use super::minutes_ago;

    #[test]
    fn activity_reads_in_minutes() {
        assert_eq!(minutes_ago(5), "just now");
        assert_eq!(minutes_ago(60), "1 minute ago");
        assert_eq!(minutes_ago(299), "4 minutes ago");
    }
}
