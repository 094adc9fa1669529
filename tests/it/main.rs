//! Roster's integration tests: one binary, a module per area.
//!
//! Every test links the whole server (Leptos, axum, sqlx, lettre…), so each
//! separate test binary cost its own compile and a full link; as modules of
//! one binary, a new test file costs a module. Each test runs on a database
//! of its own (`#[db_test]`, `common/db.rs`), against the real app.

mod common;

mod access;
mod account;
mod activation;
mod active_users;
mod api_keys;
mod audit;
mod auth;
mod dashboards;
mod delete;
mod edit;
mod email_change;
mod enforcement;
mod external;
mod filters;
mod fleet;
mod fuzz;
mod groups;
mod invites;
mod lifecycle;
mod lockout;
mod logs;
mod mail;
mod permissions;
mod photos;
mod positions;
mod process;
mod profile;
mod recovery;
mod search;
mod security;
mod seed;
mod settings;
mod site;
mod transfer;
mod users;
