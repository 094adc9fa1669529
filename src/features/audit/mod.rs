//! The audit log: who did what to whom, kept per organization. Entries are
//! written in the transaction of the change they record (`server::record`);
//! the Superuser reads them at `/settings/audit`.

pub mod api;
pub mod types;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod server;
