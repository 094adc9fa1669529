//! Inviting users: the invite dialog, activation links and their lifecycle.

pub mod api;
pub mod types;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod server;
