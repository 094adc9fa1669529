//! Server-side services for users (ssr only).

pub mod list;
pub mod validate;
pub mod details;
