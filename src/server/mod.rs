//! Server-only plumbing (compiled with the `ssr` feature only): configuration,
//! shared state, the HTTP router and its middleware, telemetry.

pub mod choices;
pub mod cli;
pub mod client_addr;
pub mod clock;
pub mod config;
pub mod db;
pub mod health;
pub mod metrics;
pub mod named;
pub mod rate_limit;
pub mod respond;
pub mod router;
pub mod security;
pub mod seed;
pub mod site;
pub mod state;
pub mod telemetry;
pub mod time_zones;
pub mod token;

pub use router::app;
pub use state::AppState;
