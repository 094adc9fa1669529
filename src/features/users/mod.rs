//! The users of an organization and the User Management table.

pub mod api;
pub mod types;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod server;
