//! Groups (ELMA365's user groups): named sets of users of one organization,
//! with a page each that lists the members in User Management's table.

pub mod api;
pub mod types;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod server;
