//! The one error type of Roster. It crosses the wire to the browser, so every
//! variant is safe to show: internal details are logged on the server (with
//! the request id) and replaced by `Internal { request_id }`.

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

use leptos::server_fn;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The form field's `name`, so the UI can show the message next to it.
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case", try_from = "AppErrorWire")]
pub enum AppError {
    #[error("Please sign in to continue.")]
    Unauthorized,
    #[error("The email or password is incorrect.")]
    InvalidCredentials,
    #[error("You do not have permission to do this.")]
    Forbidden,
    #[error("Not found.")]
    NotFound,
    #[error("{message}")]
    BadRequest { message: String },
    #[error("Please correct the highlighted fields.")]
    Validation { fields: Vec<FieldError> },
    /// Too many requests: the message says what to do (usually, wait).
    #[error("{message}")]
    RateLimited { message: String },
    /// Someone else changed it first: nothing was saved; the message says
    /// what is there now.
    #[error("{message}")]
    Conflict { message: String },
    /// Overloaded for a moment (the line for password checks is full): the
    /// request changed nothing and can be sent again shortly.
    #[error("{message}")]
    Busy { message: String },
    #[error("The server could not be reached. Check your connection and try again.")]
    Network,
    #[error("Something went wrong on our side. Please try again; if it keeps happening, quote reference {request_id}.")]
    Internal { request_id: String },
}

/// How the browser reads an `AppError`: one flat object instead of serde's
/// internally tagged enum, whose buffering deserializer cost the WASM bundle
/// about 30 KB. The JSON on the wire is the same (`{"kind": …, …}`).
/// Fields a variant does not have are simply absent (`None`).
#[derive(Deserialize)]
struct AppErrorWire {
    kind: AppErrorKind,
    message: Option<String>,
    fields: Option<Vec<FieldError>>,
    request_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum AppErrorKind {
    Unauthorized,
    InvalidCredentials,
    Forbidden,
    NotFound,
    BadRequest,
    Validation,
    RateLimited,
    Conflict,
    Busy,
    Network,
    Internal,
}

impl TryFrom<AppErrorWire> for AppError {
    type Error = &'static str;

    fn try_from(wire: AppErrorWire) -> Result<Self, Self::Error> {
        let AppErrorWire { kind, message, fields, request_id } = wire;
        Ok(match kind {
            AppErrorKind::Unauthorized => AppError::Unauthorized,
            AppErrorKind::InvalidCredentials => AppError::InvalidCredentials,
            AppErrorKind::Forbidden => AppError::Forbidden,
            AppErrorKind::NotFound => AppError::NotFound,
            AppErrorKind::BadRequest => AppError::BadRequest { message: message.ok_or("missing field `message`")? },
            AppErrorKind::Validation => AppError::Validation { fields: fields.ok_or("missing field `fields`")? },
            AppErrorKind::RateLimited => AppError::RateLimited { message: message.ok_or("missing field `message`")? },
            AppErrorKind::Busy => AppError::Busy { message: message.ok_or("missing field `message`")? },
            AppErrorKind::Conflict => AppError::Conflict { message: message.ok_or("missing field `message`")? },
            AppErrorKind::Network => AppError::Network,
            AppErrorKind::Internal => {
                AppError::Internal { request_id: request_id.ok_or("missing field `request_id`")? }
            }
        })
    }
}

impl AppError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        AppError::BadRequest { message: message.into() }
    }

    /// The usual answer of a rate limit.
    pub fn too_many_attempts() -> Self {
        AppError::RateLimited { message: "Too many attempts. Please wait a minute and try again.".into() }
    }

    /// The answer when the server is too busy to take the request now.
    pub fn busy() -> Self {
        AppError::Busy { message: "Roster is very busy right now. Please try again in a few seconds.".into() }
    }

    /// The answer while the database cannot be reached (a 503 with
    /// Retry-After, like [`AppError::busy`]).
    pub fn database_unavailable() -> Self {
        AppError::Busy { message: "Roster cannot reach its database right now. Please try again in a moment.".into() }
    }

    /// A single field error.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        AppError::Validation { fields: vec![FieldError { field: field.into(), message: message.into() }] }
    }

    /// The message to show next to the form field `name`, if any.
    pub fn field_message(&self, name: &str) -> Option<String> {
        match self {
            AppError::Validation { fields } => fields.iter().find(|f| f.field == name).map(|f| f.message.clone()),
            _ => None,
        }
    }

    /// The HTTP status this error maps to.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthorized | AppError::InvalidCredentials => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::BadRequest { .. } => 400,
            AppError::Validation { .. } => 422,
            AppError::RateLimited { .. } => 429,
            AppError::Conflict { .. } => 409,
            AppError::Busy { .. } | AppError::Network => 503,
            AppError::Internal { .. } => 500,
        }
    }
}

/// Collects every field error of a form, so the user sees all of them at once.
#[derive(Debug, Default)]
pub struct Validator {
    fields: Vec<FieldError>,
}

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn check(&mut self, ok: bool, field: &str, message: impl Into<String>) -> bool {
        if !ok && !self.has(field) {
            self.fields.push(FieldError { field: field.into(), message: message.into() });
        }
        ok
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.check(false, field, message);
    }

    pub fn has(&self, field: &str) -> bool {
        self.fields.iter().any(|f| f.field == field)
    }

    pub fn finish(self) -> Result<(), AppError> {
        if self.fields.is_empty() { Ok(()) } else { Err(AppError::Validation { fields: self.fields }) }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // A request the server could not decode: a client bug or a forged
            // request, never our fault, so a 4xx.
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::UnsupportedRequestMethod(_) => malformed_request(),
            // On the server: a body that is not UTF-8 (or broke off while
            // being read). In the browser it would be our own answer that
            // could not be read, which is ours to fix.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(_) => malformed_request(),
            // Seen by the browser when the request never got an answer.
            ServerFnErrorErr::Request(_) => AppError::Network,
            other => {
                #[cfg(feature = "ssr")]
                {
                    crate::server::respond::internal("server function plumbing", other)
                }
                #[cfg(not(feature = "ssr"))]
                {
                    let _ = other;
                    AppError::Internal { request_id: "client".into() }
                }
            }
        }
    }
}

/// A request the server could not decode: a client bug or a forged request,
/// never our fault, so a 4xx.
fn malformed_request() -> AppError {
    let error = AppError::bad_request("The request was malformed.");
    #[cfg(feature = "ssr")]
    crate::server::respond::set_plumbing_error_status(&error);
    error
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    /// A database that cannot be reached (stopped, restarting, every
    /// connection busy past the pool's wait) is a 503 the client may retry,
    /// logged as a warning; anything else is our fault, a 500.
    fn from(error: sqlx::Error) -> Self {
        if crate::server::db::is_unavailable(&error) {
            tracing::warn!(%error, "the database is unavailable");
            AppError::database_unavailable()
        } else {
            crate::server::respond::internal("database", error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fails to compile when a variant is added, so it is added to the
    /// round trip below (and to `AppErrorKind`) too.
    fn listed_below(error: &AppError) {
        match error {
            AppError::Unauthorized
            | AppError::InvalidCredentials
            | AppError::Forbidden
            | AppError::NotFound
            | AppError::BadRequest { .. }
            | AppError::Validation { .. }
            | AppError::RateLimited { .. }
            | AppError::Busy { .. }
            | AppError::Conflict { .. }
            | AppError::Network
            | AppError::Internal { .. } => {}
        }
    }

    #[test]
    fn every_error_reads_back_what_the_server_wrote() {
        let errors = [
            AppError::Unauthorized,
            AppError::InvalidCredentials,
            AppError::Forbidden,
            AppError::NotFound,
            AppError::bad_request("The request was malformed."),
            AppError::field("email", "Enter an email address."),
            AppError::too_many_attempts(),
            AppError::busy(),
            AppError::Conflict { message: "Someone else saved it.".into() },
            AppError::Network,
            AppError::Internal { request_id: "r-1".into() },
        ];
        for error in errors {
            listed_below(&error);
            let json = serde_json::to_string(&error).unwrap();
            assert_eq!(serde_json::from_str::<AppError>(&json).unwrap(), error, "{json}");
        }
        assert_eq!(
            serde_json::to_value(AppError::field("email", "Bad.")).unwrap(),
            serde_json::json!({"kind": "validation", "fields": [{"field": "email", "message": "Bad."}]})
        );
    }

    #[test]
    fn an_error_missing_its_fields_is_refused() {
        assert!(serde_json::from_str::<AppError>(r#"{"kind":"bad_request"}"#).is_err());
        assert!(serde_json::from_str::<AppError>(r#"{"kind":"teapot"}"#).is_err());
    }
}
