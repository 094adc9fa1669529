//! The Security settings as the page shows and posts them.

use serde::{Deserialize, Serialize};

/// The limits the page's inputs and the server both enforce (the database
/// CHECKs say the same).
pub const LOCKOUT_THRESHOLD: (i32, i32) = (3, 100);
pub const LOCKOUT_WINDOW_MINUTES: (i32, i32) = (1, 1440);
pub const LOCKOUT_MINUTES: (i32, i32) = (1, 10080);
pub const AUDIT_RETENTION_DAYS: (i32, i32) = (30, 3650);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecuritySettings {
    /// Failed sign-ins that lock an account…
    pub lockout_threshold: i32,
    /// …within this many minutes…
    pub lockout_window_minutes: i32,
    /// …for this many minutes; `None`: until an admin unlocks it.
    pub lockout_minutes: Option<i32>,
    pub password_policy: crate::features::auth::types::PasswordPolicy,
    /// Admins may change a user's email address (confirmed by its owner).
    pub email_editable: bool,
    pub audit_retention_days: i32,
}

/// The form as it posts (a plain HTML form sends every field as text).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SecurityForm {
    pub lockout_threshold: String,
    pub lockout_window_minutes: String,
    /// "timed" or "until_unlocked".
    pub lockout_ends: String,
    pub lockout_minutes: String,
    /// "composition" or "length".
    pub password_policy: String,
    /// A checkbox: present ("on") when ticked.
    pub email_editable: String,
    pub audit_retention_days: String,
}
