//! Access permissions (ELPRO's catalogue): role defaults per organization,
//! per-user grants and denials, and why each user holds what they hold.

pub mod api;
pub mod matrix;
#[cfg(feature = "ssr")]
pub mod server;
pub mod types;
pub mod ui;
