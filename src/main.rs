//! The Roster server binary: `roster` (or `roster serve`) serves the app;
//! `roster seed` fills a database for benchmarks and demos.

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    use roster::server::{AppState, app, config, config::Config, db, telemetry};

    let log_format = match config::LogFormat::from_env() {
        Ok(format) => format,
        Err(message) => {
            eprintln!("roster: {message}");
            return std::process::ExitCode::from(2);
        }
    };
    telemetry::init(log_format);
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(message) => {
            eprintln!("roster: {message}");
            return std::process::ExitCode::from(2);
        }
    };
    let result = match args.first().map(String::as_str) {
        None | Some("serve") => serve(config).await,
        Some("seed") => roster::server::seed::run(config, &args[1..]).await,
        Some("org") => roster::server::cli::org(config, &args[1..]).await,
        Some(other) => {
            Err(format!("unknown command {other:?}; try `roster serve`, `roster seed --users N` or `roster org`"))
        }
    };
    return match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!("{message}");
            eprintln!("roster: {message}");
            std::process::ExitCode::FAILURE
        }
    };

    async fn serve(config: Config) -> Result<(), String> {
        use std::future::IntoFuture as _;
        let leptos_options = roster::server::site::as_installed(
            leptos::config::get_configuration(None).map_err(|e| e.to_string())?.leptos_options,
        );
        tracing::info!(site = %leptos_options.site_root, hashed_names = leptos_options.hash_files, "serving the site");
        let addr = leptos_options.site_addr;
        let pool = db::connect(&config).await.map_err(|e| format!("cannot connect to the database: {e}"))?;
        // Every instance runs an outbox worker; they share the work safely.
        let delivery = match (&config.smtp_url, config.dev_mailbox) {
            (Some(_), _) => {
                tracing::info!("mail is delivered over SMTP");
                Some(roster::features::mail::worker::Delivery::from_config(
                    config.smtp_url.as_deref(),
                    &config.mail_from,
                )?)
            }
            (None, true) => {
                tracing::info!("SMTP_URL is not set: mail goes to the development mailbox at /dev/mailbox");
                Some(roster::features::mail::worker::Delivery::DevMailbox)
            }
            (None, false) => {
                tracing::warn!(
                    "neither SMTP_URL nor DEV_MAILBOX=true is set: mail stays queued until SMTP is configured"
                );
                None
            }
        };
        let (grace, drain) = (config.shutdown_grace, config.shutdown_drain);
        let state = AppState::new(pool, config, leptos_options).await?;
        // Turns true on SIGTERM or Ctrl-C: the server stops accepting and the
        // outbox worker stops claiming.
        let (stop, stopping) = tokio::sync::watch::channel(false);
        if let Some(addr) = state.config.metrics_addr {
            let handle = roster::server::metrics::install()?;
            let metrics = roster::server::metrics::serve(addr, handle, state.clone(), stopping.clone());
            tokio::spawn(async move {
                if let Err(error) = metrics.await {
                    tracing::error!(%error, "the metrics server stopped");
                }
            });
        }
        let worker = delivery.map(|delivery| {
            tokio::spawn(roster::features::mail::worker::run(state.pool.clone(), delivery, stopping.clone()))
        });
        // Housekeeping in the background (any instance may do it): expired
        // sessions, idle rate limits, sign-ups nobody needs any more, audit
        // entries past their organization's retention.
        let store = state.sessions.clone();
        let pool = state.pool.clone();
        tokio::spawn(async move {
            use tower_sessions::session_store::ExpiredDeletion;
            let mut every = tokio::time::interval(tokio::time::Duration::from_secs(600));
            loop {
                every.tick().await;
                if let Err(error) = store.delete_expired().await {
                    tracing::warn!(%error, "could not delete expired sessions");
                }
                if let Err(error) = roster::server::rate_limit::forget_idle(&pool).await {
                    tracing::warn!(%error, "could not forget idle rate limits");
                }
                if let Err(error) = roster::features::auth::server::sign_up::delete_old(&pool).await {
                    tracing::warn!(?error, "could not delete old sign-ups");
                }
                if let Err(error) = roster::features::audit::server::prune(&pool).await {
                    tracing::warn!(?error, "could not remove old audit entries");
                }
            }
        });
        let listener =
            tokio::net::TcpListener::bind(addr).await.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        tracing::info!("Roster is listening on http://{addr}");
        // For a person at a terminal; a log collector reads only JSON lines.
        if state.config.log_format == config::LogFormat::Text {
            println!("Roster is running at http://{addr}");
        }
        // The peer address feeds the per-client rate limits.
        let mut server_stopping = stopping.clone();
        let server = tokio::spawn(
            axum::serve(listener, app(state.clone()).into_make_service_with_connect_info::<std::net::SocketAddr>())
                .with_graceful_shutdown(async move {
                    let _ = server_stopping.wait_for(|stop| *stop).await;
                })
                .into_future(),
        );
        shutdown_signal().await;
        // First, if asked: say "not ready" while still serving, so load
        // balancers stop sending before the door closes (a connection
        // waiting in the kernel's queue when the listener closes is reset).
        state.draining.store(true, std::sync::atomic::Ordering::Relaxed);
        if !drain.is_zero() {
            tracing::info!(
                drain_seconds = drain.as_secs(),
                "shutting down: /readyz answers 503 while requests are still served"
            );
            tokio::time::sleep(drain).await;
        }
        // From here on: accept nothing new, let what was accepted finish
        // (each request is bounded by REQUEST_TIMEOUT_SECONDS, the grace by
        // SHUTDOWN_GRACE_SECONDS), let the mail being sent be recorded.
        tracing::info!(grace_seconds = grace.as_secs(), "shutting down: finishing the requests in flight");
        let _ = stop.send(true);
        let deadline = tokio::time::Instant::now() + grace;
        match tokio::time::timeout_at(deadline, server).await {
            Ok(Ok(Ok(()))) => tracing::info!("every request in flight was answered"),
            Ok(Ok(Err(error))) => tracing::error!(%error, "the server stopped with an error"),
            Ok(Err(error)) => tracing::error!(%error, "the server task failed"),
            Err(_) => tracing::warn!("the grace period ended with requests still in flight"),
        }
        if let Some(worker) = worker
            && tokio::time::timeout_at(deadline, worker).await.is_err()
        {
            tracing::warn!(
                "the grace period ended while mail was being sent; its lease lets another instance retry it"
            );
        }
        // Closing returns the connections to PostgreSQL at once rather than
        // leaving them to time out.
        let _ = tokio::time::timeout_at(deadline, state.pool.close()).await;
        tracing::info!("Roster stopped");
        Ok(())
    }

    /// SIGTERM (systemd, an orchestrator) or Ctrl-C (a terminal).
    async fn shutdown_signal() {
        #[cfg(unix)]
        {
            let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(error) => {
                    tracing::error!(%error, "cannot listen for SIGTERM; Ctrl-C still stops Roster");
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(not(feature = "ssr"))]
pub fn main() {
    // The browser entry point is `roster::hydrate`; this binary needs `ssr`.
}
