//! The organization's Security settings (Superuser only): automatic
//! lockout and how long the audit log is kept.

pub mod api;
#[cfg(feature = "ssr")]
pub mod server;
pub mod types;
pub mod ui;
