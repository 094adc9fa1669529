//! Server-only plumbing (compiled with the `ssr` feature only): configuration,
//! shared state, the HTTP router and its middleware, telemetry.

pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod rate_limit;
pub mod respond;
pub mod router;
pub mod security;
pub mod seed;
pub mod state;
pub mod telemetry;

pub use router::app;
pub use state::AppState;
