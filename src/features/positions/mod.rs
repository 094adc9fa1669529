//! Positions and the organizational chart (ELMA365): a tree of positions
//! per organization, the employees who hold each, and the chart's page.

pub mod api;
pub mod types;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod server;
