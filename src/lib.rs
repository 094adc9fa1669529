//! Roster: an open-source user-management console for organizations.
//!
//! The crate builds twice: with `ssr` into the server binary (axum, sqlx,
//! argon2) and with `hydrate` into the WASM bundle. Everything under
//! `server/` and each feature's `server` module exists only with `ssr`.

#![recursion_limit = "256"]

pub mod app;
pub mod components;
pub mod error;
pub mod features;

#[cfg(feature = "ssr")]
pub mod server;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Readable panic messages in the browser console for development builds;
    // release bundles skip the hook (and its formatting code) to stay small.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    // Lazy routes (see `app::lazy_page`) load their code before hydrating.
    leptos::mount::hydrate_lazy(app::App);
}
