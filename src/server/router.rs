//! The one router: `main.rs` serves it, the integration tests and the
//! benchmark drive it, so they all exercise the same routes and middleware.

use axum::Router;
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::middleware;
use axum::routing::get;
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower::Layer as _;
use tower_http::LatencyUnit;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate as _};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::{SetResponseHeader, SetResponseHeaderLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use super::AppState;
use super::health::{self, HEALTH_PATH, READY_PATH};
use super::security::{CspNonce, refuse_cross_site, security_headers};
use crate::app::{App, shell};
use crate::features::api_keys::http as api_v1;
use crate::features::auth::server::session;
use crate::features::users::server::photo;

/// Requests larger than this are refused with 413 before any handler runs.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

pub const SESSION_COOKIE: &str = "roster_session";

/// The routes beside server functions, pages and the static files (the
/// bundle, the time-zone script `time_zones::script_path`): all public
/// (the enforcement test checks this list against its own).
pub const PLAIN_ROUTES: &[&str] =
    &[HEALTH_PATH, READY_PATH, api_v1::CHECK_PATH, api_v1::USERS_PATH, photo::UPLOAD_PATH, photo::PHOTO_PATH];

pub fn app(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let context_state = state.clone();
    let provide_state = move || {
        provide_context(context_state.clone());
        // This request's reads, each run once however often the page's
        // Suspense walks it (`respond_read`).
        provide_context(super::respond::RenderReads::default());
        // Leptos puts its own nonce on its inline scripts; use the one this
        // response's Content-Security-Policy names instead.
        let nonce = use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<CspNonce>().cloned());
        if let Some(nonce) = nonce {
            provide_context(leptos::nonce::Nonce::from_value(nonce.0));
        }
    };
    let shell_options = state.leptos_options.clone();

    let idle = time::Duration::seconds(state.config.session_idle.as_secs() as i64);
    let sessions = SessionManagerLayer::new(state.sessions.clone())
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.cookie_secure)
        .with_expiry(Expiry::OnInactivity(idle));

    // The one route whose body may be larger than 64 KiB: a photo.
    let uploads = Router::new()
        .route(photo::UPLOAD_PATH, axum::routing::post(photo::upload))
        .layer(RequestBodyLimitLayer::new(photo::MAX_PHOTO_REQUEST_BYTES))
        // The multipart reader's own limit (2 MB by default) is this one too.
        .layer(axum::extract::DefaultBodyLimit::max(photo::MAX_PHOTO_REQUEST_BYTES));
    let everything_else = Router::new()
        .route(HEALTH_PATH, get(health::health))
        .route(READY_PATH, get(health::ready))
        .route(photo::PHOTO_PATH, get(photo::serve))
        // The organization's systems, by API key (not the session).
        .route(api_v1::CHECK_PATH, get(api_v1::check_permission))
        .route(api_v1::USERS_PATH, get(api_v1::users_with_permission))
        .nest_service(&format!("/{}", state.leptos_options.site_pkg_dir), bundle(&state.leptos_options))
        .route(super::time_zones::script_path(), axum::routing::get(super::time_zones::serve_script))
        .leptos_routes_with_context(&state, routes, provide_state.clone(), move || shell(shell_options.clone()))
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(provide_state, shell))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES));
    everything_else
        .merge(uploads)
        // Inside the session layer, so that renewing marks the session to save.
        .layer(middleware::from_fn_with_state(state.clone(), session::keep_alive))
        .layer(sessions)
        .layer(middleware::from_fn_with_state(state.clone(), refuse_cross_site))
        // Every request is answered within REQUEST_TIMEOUT_SECONDS: after
        // that its work is dropped (a password check still waiting in line
        // is skipped) and the client gets a 503, never a hung connection.
        // A long-lived route (an event stream) must be mounted outside.
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, state.config.request_timeout))
        .layer(middleware::from_fn_with_state(state.clone(), security_headers))
        // HTML and JSON compressed for browsers that accept it (Brotli, else
        // gzip): a User Management page of 90 KB travels as about 10. What
        // is compressed already passes as it is: the bundle's precompressed
        // twins (they carry their Content-Encoding), images, and WASM, which
        // a release build serves precompressed and a development build
        // sends as it is rather than compressing megabytes per request.
        .layer(
            CompressionLayer::new()
                .quality(CompressionLevel::Precise(4))
                .compress_when(DefaultPredicate::new().and(NotForContentType::const_new("application/wasm"))),
        )
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<_>| {
                    let request_id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
                    // The path only: query strings may hold search terms.
                    tracing::info_span!("request", request_id, method = %request.method(), path = %request.uri().path())
                })
                // One line a request once answered: its status and how long it took
                // (inside the span, so with its request id).
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO).latency_unit(LatencyUnit::Millis)),
        )
        // Counted and timed by route for `/metrics` (free without a recorder).
        .layer(middleware::from_fn(super::metrics::track))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// The WASM bundle, its script and the styles.
///
/// Served here rather than by Leptos's file fallback, which drops a
/// request's `If-Modified-Since`. A release names each file by a hash of
/// its content (`hash.txt`, see `site::as_installed`): a new build has new
/// names, so browsers keep these for a year without asking again
/// (`immutable`), while the HTML that names them is `no-cache`. A
/// development build's names carry no hash: browsers must revalidate
/// (`no-cache`) rather than run an old bundle against a new server, and
/// revalidating is a cheap 304.
/// A release build made with `--precompress` has `.br` and `.gz` twins of
/// each file; they are sent to browsers that accept them, at no CPU cost.
/// A shared cache (a CDN, a proxy) learns from `Vary` to keep one copy per
/// encoding; `ServeDir` does not say it.
fn bundle(
    options: &leptos::config::LeptosOptions,
) -> SetResponseHeader<SetResponseHeader<ServeDir, HeaderValue>, HeaderValue> {
    let dir = std::path::Path::new(&*options.site_root).join(&*options.site_pkg_dir);
    let files = ServeDir::new(dir).precompressed_br().precompressed_gzip();
    let files =
        SetResponseHeaderLayer::if_not_present(header::VARY, HeaderValue::from_static("accept-encoding")).layer(files);
    let caching = if options.hash_files {
        HeaderValue::from_static("public, max-age=31536000, immutable")
    } else {
        HeaderValue::from_static("no-cache")
    };
    SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, caching).layer(files)
}
