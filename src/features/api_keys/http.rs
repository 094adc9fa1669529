//! `/api/v1`: plain JSON endpoints for the organization's other systems,
//! authenticated by an API key (`Authorization: Bearer roster_…`), rate
//! limited per key, each answering only about the key's organization.
//!
//! - `GET /api/v1/permissions/check?user=<id or email>&permission=<key>`
//!   → `{"user", "permission", "allowed", "explanation"}`; with
//!   `&dashboard=<id>` instead of a permission: may they open it.
//! - `GET /api/v1/users?permission=<key>[&limit=1..1000][&after=<cursor>]`
//!   → `{"users": [{"id", "email", "first_name", "last_name", "role"}], "next"}`
//!
//! Errors are JSON too: `{"error": "…", "parameter": "…"}` (400 names the
//! parameter), 401 for a missing, unknown or revoked key, 404 for a user
//! the organization does not have, 429 over the key's rate.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::server::{KeyHolder, authenticate};
use crate::error::AppError;
use crate::features::access::server::{UserRef, check, holders};
use crate::features::access::types::AccessPermission;
use crate::features::users::server::list::Cursor;
use crate::server::AppState;

pub const CHECK_PATH: &str = "/api/v1/permissions/check";
pub const USERS_PATH: &str = "/api/v1/users";

const DEFAULT_LIMIT: i64 = 100;
const MAX_LIMIT: i64 = 1000;

/// An API error: its status, message and, for a bad parameter, its name.
pub struct ApiError {
    status: StatusCode,
    message: String,
    parameter: Option<&'static str>,
}

impl ApiError {
    fn parameter(parameter: &'static str, message: impl Into<String>) -> Self {
        ApiError { status: StatusCode::BAD_REQUEST, message: message.into(), parameter: Some(parameter) }
    }

    fn unauthorized(message: &str) -> Self {
        ApiError { status: StatusCode::UNAUTHORIZED, message: message.to_owned(), parameter: None }
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        // Internal errors were logged with their context where they arose;
        // the caller learns only that it failed.
        let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        ApiError { status, message: error.to_string(), parameter: None }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({ "error": self.message });
        if let Some(parameter) = self.parameter {
            body["parameter"] = parameter.into();
        }
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// The key a request presents, checked and counted against its rate.
async fn key_of(state: &AppState, headers: &HeaderMap) -> Result<KeyHolder, ApiError> {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| ApiError::unauthorized("Send an API key: Authorization: Bearer roster_…"))?;
    let holder = authenticate(&state.pool, presented)
        .await?
        .ok_or_else(|| ApiError::unauthorized("The API key is unknown or was revoked."))?;
    state.limits.api_request(holder.key_id).await?;
    Ok(holder)
}

/// Refuses parameters the endpoint does not know (a typo should not pass
/// silently as "no filter").
fn only(params: &HashMap<String, String>, known: &[&'static str]) -> Result<(), ApiError> {
    match params.keys().find(|k| !known.contains(&k.as_str())) {
        Some(unknown) => Err(ApiError {
            status: StatusCode::BAD_REQUEST,
            message: format!("Unknown parameter \"{unknown}\"; this endpoint takes {}.", known.join(", ")),
            parameter: None,
        }),
        None => Ok(()),
    }
}

fn permission_param(params: &HashMap<String, String>) -> Result<AccessPermission, ApiError> {
    let value = params.get("permission").map(|v| v.trim()).unwrap_or("");
    if value.is_empty() {
        return Err(ApiError::parameter("permission", "Give the permission's key, e.g. permission=download_reports."));
    }
    AccessPermission::from_key(value).ok_or_else(|| {
        let keys: Vec<&str> = AccessPermission::ALL.iter().map(|p| p.key()).collect();
        ApiError::parameter("permission", format!("Unknown permission \"{value}\"; the keys are {}.", keys.join(", ")))
    })
}

pub async fn check_permission(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let key = key_of(&state, &headers).await?;
    only(&params, &["user", "permission", "dashboard"])?;
    let user = params.get("user").map(|v| v.trim()).unwrap_or("");
    let user_ref = match uuid::Uuid::parse_str(user) {
        Ok(id) => UserRef::Id(id),
        Err(_) if user.contains('@') && user.len() <= 254 => UserRef::Email(user),
        Err(_) => return Err(ApiError::parameter("user", "Give the user's id or email address.")),
    };
    if let Some(dashboard) = params.get("dashboard") {
        if params.contains_key("permission") {
            return Err(ApiError::parameter("dashboard", "Ask about a permission or a dashboard, not both."));
        }
        let dashboard = uuid::Uuid::parse_str(dashboard.trim())
            .map_err(|_| ApiError::parameter("dashboard", "dashboard must be a dashboard's id."))?;
        return check_dashboard(&state, &key, user_ref, dashboard).await;
    }
    let permission = permission_param(&params)?;
    let checked = check(&state.pool, key.org_id, key.time_zone, user_ref, permission).await?.ok_or(ApiError {
        status: StatusCode::NOT_FOUND,
        message: "Your organization has no such user.".to_owned(),
        parameter: Some("user"),
    })?;
    Ok(Json(json!({
        "user": checked.user_id,
        "permission": permission.key(),
        "allowed": checked.allowed,
        "explanation": checked.explanation,
    })))
}

/// `…&dashboard=<id>`: whether the user may open the dashboard, and why.
async fn check_dashboard(
    state: &AppState,
    key: &KeyHolder,
    user: UserRef<'_>,
    dashboard: uuid::Uuid,
) -> Result<Json<serde_json::Value>, ApiError> {
    let not_found = || ApiError {
        status: StatusCode::NOT_FOUND,
        message: "Your organization has no such user or dashboard.".to_owned(),
        parameter: None,
    };
    let user_id = match user {
        UserRef::Id(id) => id,
        UserRef::Email(email) => {
            sqlx::query_scalar("SELECT id FROM users WHERE org_id = $1 AND lower(email) = lower($2)")
                .bind(key.org_id)
                .bind(email)
                .fetch_optional(&state.pool)
                .await
                .map_err(AppError::from)?
                .ok_or_else(not_found)?
        }
    };
    let (allowed, _, explanation, _) =
        crate::features::dashboards::server::check(&state.pool, key.org_id, user_id, dashboard)
            .await?
            .ok_or_else(not_found)?;
    Ok(Json(json!({ "user": user_id, "dashboard": dashboard, "allowed": allowed, "explanation": explanation })))
}

pub async fn users_with_permission(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let key = key_of(&state, &headers).await?;
    only(&params, &["permission", "limit", "after"])?;
    let permission = permission_param(&params)?;
    let limit = match params.get("limit").map(|v| v.trim()) {
        None | Some("") => DEFAULT_LIMIT,
        Some(value) => value.parse::<i64>().ok().filter(|n| (1..=MAX_LIMIT).contains(n)).ok_or_else(|| {
            ApiError::parameter("limit", format!("limit must be a whole number from 1 to {MAX_LIMIT}."))
        })?,
    };
    let after = match params.get("after").map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => None,
        Some(value) => {
            let cursor = Cursor::decode(value)
                .map_err(|_| ApiError::parameter("after", "after must be the \"next\" value of a previous page."))?;
            Some((cursor.key, cursor.id))
        }
    };
    let mut users = holders(&state.pool, key.org_id, permission, after, limit + 1).await?;
    let more = users.len() as i64 > limit;
    users.truncate(limit as usize);
    let next = users.last().filter(|_| more).map(|u| Cursor { key: u.sort_key.clone(), id: u.id }.encode());
    Ok(Json(json!({ "permission": permission.key(), "users": users, "next": next })))
}
