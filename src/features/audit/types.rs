//! The audit log as the browser sees it: the catalogue of actions (the
//! page's filter lists them), the page's query and rows.

use serde::{Deserialize, Serialize};

use crate::features::users::types::Timestamp;

/// Every action the log records: its stable key (stored, and used by the
/// filter in the URL) and how it reads on the page.
pub const AUDIT_ACTIONS: &[(&str, &str)] = &[
    ("organization.signed_up", "Created the organization"),
    ("session.signed_in", "Signed in"),
    ("session.sign_in_failed", "Failed sign-in"),
    ("session.signed_out", "Signed out"),
    ("invite.created", "Invited"),
    ("invite.resent", "Resent the invite"),
    ("invite.canceled", "Cancelled the invite"),
    ("invite.new_link_requested", "Asked for a new activation link"),
    ("invite.refused_existing_account", "Invite refused: the address has an account"),
    ("account.activated", "Activated the account"),
    ("user.access_disabled", "Disabled access"),
    ("user.access_enabled", "Enabled access"),
    ("user.deleted", "Deleted the user"),
    ("account.profile_updated", "Changed their profile"),
    ("account.password_changed", "Changed their password"),
    ("user.edited", "Edited the profile"),
    ("organization.superuser_transferred", "Handed over the Superuser role"),
    ("account.locked", "Account locked after failed sign-ins"),
    ("user.unlocked", "Unlocked the account"),
    ("recovery.sent", "Sent a password recovery link"),
    ("recovery.requested", "Asked for a password recovery link"),
    ("recovery.used", "Set a new password with a recovery link"),
    ("organization.security_changed", "Changed the security settings"),
    ("account.email_change_requested", "Asked to change the email address"),
    ("account.email_changed", "Confirmed a new email address"),
    ("user.access_changed", "Changed the access settings"),
    ("organization.role_defaults_changed", "Changed what the roles grant"),
    ("api_key.created", "Created an API key"),
    ("api_key.revoked", "Revoked an API key"),
    ("dashboard.created", "Created a dashboard"),
    ("dashboard.changed", "Changed a dashboard"),
    ("dashboard.deleted", "Deleted a dashboard"),
    ("session.ended_by_admin", "Signed a session out"),
    ("user.signed_out_everywhere", "Signed the user out everywhere"),
    ("group.created", "Created a group"),
    ("group.changed", "Changed a group"),
    ("group.deleted", "Deleted a group"),
    ("group.member_added", "Added to a group"),
    ("group.member_removed", "Removed from a group"),
    ("position.created", "Created a position"),
    ("position.renamed", "Renamed a position"),
    ("position.moved", "Moved a position"),
    ("position.deleted", "Deleted a position"),
    ("position.holder_added", "Given a position"),
    ("position.holder_removed", "Relieved of a position"),
    ("field.created", "Added a field to Additional data"),
    ("field.deleted", "Removed a field from Additional data"),
    ("user.photo_changed", "Changed the photo"),
];

/// How an action key reads (the key itself if the catalogue lacks it).
pub fn action_label(key: &str) -> &str {
    AUDIT_ACTIONS.iter().find(|(k, _)| *k == key).map(|(_, label)| *label).unwrap_or(key)
}

/// The audit page's filters and position, as its URL carries them. Empty
/// strings are "any" (what a plain HTML form sends).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    /// An action key.
    pub action: String,
    /// A user id: entries by this user.
    pub actor: String,
    /// A user id: entries about this user.
    pub subject: String,
    /// `YYYY-MM-DD`, in the viewer's time zone, inclusive.
    pub from: String,
    pub to: String,
    /// Where the page starts: the cursor of the previous page's last entry.
    pub after: String,
}

impl AuditQuery {
    pub fn parse(query: &str) -> Self {
        let mut q = Self::default();
        for (key, value) in form_urlencoded::parse(query.trim_start_matches('?').as_bytes()) {
            let value = value.into_owned();
            match &*key {
                "action" => q.action = value,
                "actor" => q.actor = value,
                "subject" => q.subject = value,
                "from" => q.from = value,
                "to" => q.to = value,
                "after" => q.after = value,
                _ => {}
            }
        }
        q
    }

    /// The page's URL with these filters (and `after`).
    pub fn href(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (key, value) in [
            ("action", &self.action),
            ("actor", &self.actor),
            ("subject", &self.subject),
            ("from", &self.from),
            ("to", &self.to),
            ("after", &self.after),
        ] {
            if !value.is_empty() {
                s.append_pair(key, value);
            }
        }
        let query = s.finish();
        if query.is_empty() { "/settings/audit".into() } else { format!("/settings/audit?{query}") }
    }

    /// The same filters from the first page.
    pub fn first_page(&self) -> Self {
        Self { after: String::new(), ..self.clone() }
    }

    pub fn is_filtered(&self) -> bool {
        [&self.action, &self.actor, &self.subject, &self.from, &self.to].iter().any(|v| !v.is_empty())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: Timestamp,
    pub actor_id: Option<uuid::Uuid>,
    /// As shown when it happened (still there after the user is deleted).
    pub actor: Option<String>,
    pub action: String,
    pub action_label: String,
    pub subject_id: Option<uuid::Uuid>,
    pub subject: Option<String>,
    /// What else the entry says, as "key: value" pairs.
    pub details: Vec<(String, String)>,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub rows: Vec<AuditRow>,
    /// Cursor of the next (older) page, if there is one.
    pub next: Option<String>,
    /// The viewer's time zone, in which the times are shown.
    pub time_zone: String,
    /// Names for the actor and subject filters in effect, if any.
    pub actor_name: Option<String>,
    pub subject_name: Option<String>,
    /// How long entries are kept, and when old ones were last removed.
    pub retention_days: i32,
    pub pruned_at: Option<Timestamp>,
}

pub const AUDIT_PAGE_SIZE: i64 = 50;
