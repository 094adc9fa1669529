//! Server-side services for users (ssr only).

pub mod access;
pub mod delete;
pub mod details;
pub mod edit;
pub mod email_change;
pub mod list;
pub mod photo;
pub mod transfer;
pub mod validate;
