//! Inviting users: the invite dialog, activation links and their lifecycle.

pub mod api;
pub mod ui;
pub mod types;

#[cfg(feature = "ssr")]
pub mod server;
