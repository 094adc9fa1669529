//! Organization sign-up, sign-in, sign-out and the request's actor.

pub mod api;
pub mod types;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod server;
