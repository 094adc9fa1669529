//! The audit log: who did what to whom, kept per organization. Entries are
//! written in the transaction of the change they record, through `record`.

#[cfg(feature = "ssr")]
pub mod server;
