//! Employee profile fields beyond the basics: messenger and social accounts
//! (Telegram, WhatsApp, Slack, Teams, Skype, LinkedIn, other) and
//! "Additional data", the fields an organization defines for itself.

pub mod api;
pub mod types;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod server;
