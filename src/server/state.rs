//! Application state shared by every request, provided to server functions as
//! Leptos context and to axum handlers as router state.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use super::clock::Clock;
use super::config::Config;
use super::rate_limit::RateLimits;
use crate::features::auth::server::password::PasswordHasher;
use crate::features::auth::server::session_store::Sessions;
use crate::server::db::Db;

#[derive(Clone)]
pub struct AppState {
    pub pool: Db,
    pub config: Arc<Config>,
    pub leptos_options: LeptosOptions,
    pub sessions: Sessions,
    pub hasher: PasswordHasher,
    pub limits: Arc<RateLimits>,
    /// Session expiry and renewal read the time here (tests move it).
    pub clock: Clock,
    /// Where links in mails point: `PUBLIC_ORIGIN`, or in development the
    /// address this instance listens on (`make run` sets it).
    pub link_origin: Arc<str>,
    /// Set on SIGTERM: `/readyz` answers 503 so load balancers stop sending
    /// while the requests already on their way are still served
    /// (`SHUTDOWN_DRAIN_SECONDS`).
    pub draining: Arc<std::sync::atomic::AtomicBool>,
}

impl AppState {
    /// Builds the state on an existing pool: applies the migrations and prepares the password hasher.
    pub async fn new(pool: impl Into<Db>, config: Config, leptos_options: LeptosOptions) -> Result<Self, String> {
        let pool = pool.into();
        super::db::migrate(&pool).await.map_err(|e| format!("migrations failed: {e}"))?;
        let clock = Clock::default();
        let sessions = Sessions::new(pool.clone(), clock.clone());
        let hasher = PasswordHasher::new(config.argon2).await?;
        let limits = Arc::new(RateLimits::new(
            pool.clone(),
            config.token_requests_per_minute,
            config.password_requests_per_minute,
            config.api_requests_per_minute,
        ));
        let link_origin = match &config.public_origin {
            Some(origin) => origin.clone(),
            None => format!("http://{}", leptos_options.site_addr),
        }
        .into();
        Ok(Self {
            pool,
            config: Arc::new(config),
            leptos_options,
            sessions,
            hasher,
            limits,
            clock,
            link_origin,
            draining: Default::default(),
        })
    }

    /// The state inside a server function.
    pub fn current() -> Self {
        leptos::prelude::expect_context::<AppState>()
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
