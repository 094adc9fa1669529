//! Server-side invites (ssr only).

pub mod activate;
pub mod create;
pub mod token;
pub mod validate;
pub mod lifecycle;
pub mod link;
