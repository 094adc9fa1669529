//! Dashboards (IoT Pro's "Dashboard permissions"): the organization's
//! dashboards (Settings › Dashboards, Superuser), which of them each user
//! may open, and `/dashboards`, each user's own list.

pub mod api;
#[cfg(feature = "ssr")]
pub mod server;
pub mod types;
pub mod ui;
