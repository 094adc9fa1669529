//! Features, each sliced into `types` (shared with the browser), `api`
//! (server functions: the public endpoints), `ui` (Leptos components) and
//! `server` (ssr-only services that talk to the database).

pub mod access;
pub mod active_users;
pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod dashboards;
pub mod groups;
pub mod invites;
pub mod mail;
pub mod orgs;
pub mod positions;
pub mod profile;
pub mod settings;
pub mod users;
