//! Server-side invites (ssr only).

pub mod create;
pub mod token;
pub mod validate;
