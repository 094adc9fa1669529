//! How a server function runs and answers.
//!
//! Leptos context (`use_context`) is only reliable before a server
//! function's first `.await` (during server-side rendering the rest of the
//! future may run detached from the request's reactive owner). So every
//! server function captures what it needs once, synchronously, into a
//! `RequestContext`, and uses that afterwards.

use std::fmt::Display;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::ConnectInfo;
use http::request::Parts;
use http::{HeaderName, HeaderValue, StatusCode, header};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use tower_sessions::Session;

use super::AppState;
use super::client_addr::client_addr;
use crate::error::AppError;

/// When a client told "busy" should come back: the password line empties
/// in about a second by construction (`HASH_QUEUE_MAX`).
pub const BUSY_RETRY_AFTER_SECONDS: &str = "2";

#[derive(Clone)]
pub struct RequestContext {
    pub state: AppState,
    pub request_id: String,
    session: Option<Session>,
    response: Option<ResponseOptions>,
    /// A plain HTML form post (no JavaScript): answered with redirects.
    accepts_html: bool,
    /// Called as an endpoint (`/api/…`), not while rendering a page.
    via_api: bool,
    /// The request's path (a server function's endpoint).
    path: String,
    /// The browser's `User-Agent`, for the audit log.
    pub user_agent: Option<String>,
    /// The client's address: the connection's peer, or behind trusted
    /// proxies the address the outermost one saw (see `client_addr`).
    pub client_ip: IpAddr,
}

impl RequestContext {
    /// Reads the request's context. Call before the first `.await`.
    pub fn capture() -> Self {
        Self::build(AppState::current(), use_context::<Parts>().as_ref(), use_context::<ResponseOptions>())
    }

    /// The context of a plain axum route (outside Leptos): the same guard
    /// and audit origin as a server function's. It answers for itself, so
    /// nothing is set on a response here.
    pub fn from_parts(state: AppState, parts: &Parts) -> Self {
        Self::build(state, Some(parts), None)
    }

    fn build(state: AppState, parts: Option<&Parts>, response: Option<ResponseOptions>) -> Self {
        let header = |name: header::HeaderName| {
            parts.as_ref().and_then(|p| p.headers.get(&name).and_then(|v| v.to_str().ok()).map(str::to_owned))
        };
        let peer = parts.as_ref().and_then(|p| p.extensions.get::<ConnectInfo<SocketAddr>>()).map(|c| c.0.ip());
        let client = match &parts {
            Some(parts) => client_addr(&parts.headers, peer, state.config.trust_proxy_hops),
            None => peer,
        };
        Self {
            client_ip: client.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
            state,
            request_id: header(HeaderName::from_static("x-request-id")).unwrap_or_else(|| "none".to_owned()),
            session: parts.as_ref().and_then(|p| p.extensions.get::<Session>().cloned()),
            response,
            accepts_html: parts.as_ref().is_some_and(|p| accepts_html(&p.headers)),
            via_api: parts.as_ref().is_some_and(|p| p.uri.path().starts_with("/api/")),
            path: parts.as_ref().map(|p| p.uri.path().to_owned()).unwrap_or_default(),
            user_agent: header(header::USER_AGENT),
        }
    }

    /// The address users reach this installation at, for links in emails.
    /// From configuration only (see `AppState::link_origin`): a request's
    /// `Host` is chosen by its sender, and a link to the sender's host in a
    /// mail to someone else would hand them that person's token.
    pub fn base_url(&self) -> String {
        self.state.link_origin.to_string()
    }

    pub fn session(&self) -> Result<&Session, AppError> {
        self.session.as_ref().ok_or_else(|| internal("session layer missing", "no Session in request extensions"))
    }

    /// Whether this call is a plain HTML form post (no JavaScript): its
    /// answer is a page to go to, not a value.
    pub fn is_form_post(&self) -> bool {
        self.accepts_html
    }

    /// Sends the browser to `path` once the call succeeds: a 302 for a plain
    /// form post, a header the Leptos client follows otherwise.
    pub fn redirect(&self, path: &str) {
        let Some(response) = &self.response else {
            return;
        };
        let Ok(location) = HeaderValue::from_str(path) else {
            return;
        };
        response.insert_header(header::LOCATION, location);
        if self.accepts_html {
            response.set_status(StatusCode::FOUND);
        } else {
            response.insert_header(HeaderName::from_static("serverfnredirect"), HeaderValue::from_static(""));
        }
    }

    /// Gives a failed endpoint call its HTTP status. A plain HTML form post
    /// is answered by a redirect back to the form, which a status would
    /// replace, and a page being rendered keeps its own status.
    pub fn set_error_status(&self, error: &AppError) {
        if !self.via_api || self.accepts_html {
            return;
        }
        if let Some(response) = &self.response {
            response.set_status(StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
            if matches!(error, AppError::Unauthorized | AppError::InvalidCredentials) {
                response.insert_header(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            }
            if matches!(error, AppError::Busy { .. }) {
                response.insert_header(header::RETRY_AFTER, HeaderValue::from_static(BUSY_RETRY_AFTER_SECONDS));
            }
        }
    }
}

/// Whether the request is a browser's own (a plain form post or page load,
/// not the app's `fetch`): it accepts HTML.
pub fn accepts_html(headers: &http::HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
}

/// The answer to a request that could not even read its session because the
/// database is unreachable: a 503 with Retry-After at once, rather than
/// waiting for the database a second time inside the page or endpoint. An
/// endpoint (`/api/…`) called by the app gets the error as the app reads
/// it; a browser gets a short page.
pub fn database_unavailable_response(path: &str, headers: &http::HeaderMap) -> axum::response::Response {
    use axum::response::IntoResponse;
    use leptos::server_fn::error::FromServerFnError;
    let error = AppError::database_unavailable();
    let retry = [(header::RETRY_AFTER, HeaderValue::from_static(BUSY_RETRY_AFTER_SECONDS))];
    if path.starts_with("/api/") && !accepts_html(headers) {
        let json = [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))];
        (StatusCode::SERVICE_UNAVAILABLE, retry, json, error.ser()).into_response()
    } else {
        let page = format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>Roster is unavailable</title></head><body style=\"font-family: system-ui, sans-serif; \
             max-width: 32rem; margin: 4rem auto; padding: 0 1rem\"><main><h1>Roster is unavailable</h1>\
             <p>{error}</p><p><a href=\"\">Try again</a></p></main></body></html>"
        );
        (StatusCode::SERVICE_UNAVAILABLE, retry, axum::response::Html(page)).into_response()
    }
}

/// Runs the body of a server function with its request context and gives
/// its error the right status.
pub async fn respond<T, Fut>(body: impl FnOnce(RequestContext) -> Fut) -> Result<T, AppError>
where
    Fut: Future<Output = Result<T, AppError>>,
{
    run(None, body).await
}

/// `respond` for a server function posted by a form on a page that sends no
/// `Referer` (a token page, `Referrer-Policy: no-referrer`): a failed plain
/// form post goes back to `page` with the error, where Leptos would go back
/// to the Referer, so the page shows the error next to its field as it does
/// when JavaScript runs.
pub async fn respond_on_page<T, Fut>(page: &str, body: impl FnOnce(RequestContext) -> Fut) -> Result<T, AppError>
where
    Fut: Future<Output = Result<T, AppError>>,
{
    run(Some(page), body).await
}

/// The reads of one server-rendered page, each run once (see
/// [`respond_read`]). Made for every request by `router::app`.
#[derive(Clone, Default)]
pub struct RenderReads(
    std::sync::Arc<
        std::sync::Mutex<
            std::collections::HashMap<
                String,
                std::sync::Arc<tokio::sync::OnceCell<Box<dyn std::any::Any + Send + Sync>>>,
            >,
        >,
    >,
);

/// `respond` for a read that a page's resource makes: while a page is
/// rendered on the server, the first call with this `key` (the function and
/// its arguments) runs and every later one gets its answer.
///
/// Leptos's `Suspense` walks its children more than once on the server
/// (leptos#2956, #4688), and a page inside the settings layout's
/// `Suspense` is built anew on each walk, so its resources called their
/// server functions two or three times per request with the same
/// arguments: User Management ran its list query three times a page. A
/// read has the same answer each time within one render; writes never come
/// here. Outside a server render (a server function called over HTTP) there
/// is no `RenderReads` and the body simply runs.
pub async fn respond_read<T, Fut>(key: String, body: impl FnOnce(RequestContext) -> Fut) -> Result<T, AppError>
where
    T: Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<T, AppError>>,
{
    let Some(reads) = use_context::<RenderReads>() else {
        return run(None, body).await;
    };
    let cell = reads.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).entry(key).or_default().clone();
    let answer =
        cell.get_or_init(|| async { Box::new(run(None, body).await) as Box<dyn std::any::Any + Send + Sync> }).await;
    match answer.downcast_ref::<Result<T, AppError>>() {
        Some(answer) => answer.clone(),
        // Two reads of different types under one key: a programming error,
        // reported rather than answered with the other's value.
        None => Err(internal("render reads", "one key read with two answer types")),
    }
}

async fn run<T, Fut>(form_page: Option<&str>, body: impl FnOnce(RequestContext) -> Fut) -> Result<T, AppError>
where
    Fut: Future<Output = Result<T, AppError>>,
{
    let context = RequestContext::capture();
    let result = body(context.clone()).await;
    if let Err(error) = &result {
        context.set_error_status(error);
        if let Some(page) = form_page {
            context.return_with_error(page, error);
        }
    }
    result
}

impl RequestContext {
    /// Sends a plain form post back to `page` with `error` encoded the way
    /// Leptos's form redirects encode it (`__path`, `__err`).
    fn return_with_error(&self, page: &str, error: &AppError) {
        if !self.accepts_html || !self.via_api {
            return;
        }
        let Some(response) = &self.response else {
            return;
        };
        let encoded = leptos::server_fn::error::ServerFnUrlError::new(&self.path, error.clone())
            .to_url(&format!("http://roster.invalid{page}"));
        if let Ok(url) = encoded
            && let Ok(location) = HeaderValue::from_str(&url[url::Position::BeforePath..])
        {
            response.insert_header(header::LOCATION, location);
            response.set_status(StatusCode::FOUND);
        }
    }
}

/// A value as one URL path segment: link tokens are base64url and pass
/// unchanged; anything else a visitor typed is escaped.
pub fn path_segment(value: &str) -> String {
    const UNRESERVED: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');
    percent_encoding::utf8_percent_encode(value, UNRESERVED).to_string()
}

/// Logs an internal error with its context and returns the opaque error the
/// browser sees. The reference shown to the user is the id in the log line:
/// the request id when the call still sees its request, else a fresh one.
pub fn internal(context: &str, error: impl Display) -> AppError {
    let request_id = use_context::<Parts>()
        .and_then(|p| p.headers.get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned))
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    tracing::error!(%request_id, context, error = %error, "internal error");
    AppError::Internal { request_id }
}

/// For errors raised by the server-function plumbing itself (an undecodable
/// request), which run synchronously inside the endpoint call.
pub fn set_plumbing_error_status(error: &AppError) {
    if use_context::<AppState>().is_some() {
        RequestContext::capture().set_error_status(error);
    }
}
