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
    // Lazy routes (see `app::lazy_page`) load their code before hydrating;
    // so do the panel or dialog the address opens on User Management.
    wasm_bindgen_futures::spawn_local(async {
        features::users::ui::preload_opened_by_address().await;
        let body = leptos::prelude::document().body().expect("a page has a body");
        leptos::mount::hydrate_from_async(body.clone(), app::App).await.forget();
        // Only now, a lazy route's page included, is everything interactive:
        // the browser tests of the JavaScript suite wait for this mark.
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
