//! Server-side invites (ssr only).

pub mod activate;
pub mod create;
pub mod lifecycle;
pub mod link;
pub mod validate;
