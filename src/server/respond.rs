//! How a server function answers: errors get their HTTP status, internal
//! errors are logged with the request id and replaced by an opaque reference.

use std::fmt::Display;
use std::future::Future;

use http::request::Parts;
use http::{HeaderValue, StatusCode, header};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use crate::error::AppError;

/// The request id tower-http assigned to the current request (`x-request-id`).
pub fn current_request_id() -> String {
    use_context::<Parts>()
        .and_then(|parts| parts.headers.get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned))
        .unwrap_or_else(|| "none".to_owned())
}

/// Logs an internal error with its context and returns the opaque error the
/// browser sees. The log line carries the request id (it runs inside the
/// request span) so the reference a user quotes finds it.
pub fn internal(context: &str, error: impl Display) -> AppError {
    let request_id = current_request_id();
    tracing::error!(%request_id, context, error = %error, "internal error");
    let error = AppError::Internal { request_id };
    set_error_status(&error);
    error
}

/// Sets the HTTP status of a failed server-function call. A plain HTML form
/// post (no JavaScript) is answered by a redirect back to the form instead,
/// which a status would replace, so it is left alone.
pub fn set_error_status(error: &AppError) {
    let Some(response) = use_context::<ResponseOptions>() else { return };
    let accepts_html = use_context::<Parts>()
        .and_then(|p| p.headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).map(|v| v.contains("text/html")))
        .unwrap_or(false);
    if !accepts_html {
        response.set_status(StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
    }
    if matches!(error, AppError::Unauthorized) {
        response.insert_header(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

/// Runs the body of a server function and gives its error the right status.
pub async fn respond<T>(body: impl Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    let result = body.await;
    if let Err(error) = &result {
        set_error_status(error);
    }
    result
}
