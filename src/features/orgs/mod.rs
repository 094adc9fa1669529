//! Organizations (tenants) and their seat quotas.

pub mod api;
pub mod types;

#[cfg(feature = "ssr")]
pub mod server;
