//! API keys for the organization's other systems (Superuser) and the
//! `/api/v1` endpoints they call: permission checks and "who holds this
//! permission" lists.

pub mod api;
#[cfg(feature = "ssr")]
pub mod http;
#[cfg(feature = "ssr")]
pub mod server;
pub mod types;
pub mod ui;
