//! Active users (ELMA365's Administration › Active users): who is signed in
//! now, from which browser and address, and ending one session or all of a
//! user's at once. Superuser only.

pub mod api;
#[cfg(feature = "ssr")]
pub mod server;
pub mod types;
pub mod ui;
