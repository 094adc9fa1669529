//! Profile photos (ELMA365's photo): uploaded as a multipart form to a
//! route of its own (`POST /settings/users/<id>/photo`, the one route whose
//! body may exceed 64 KiB: up to 2 MB of JPEG, PNG or WebP), decoded with
//! limits on dimensions and memory (a "decompression bomb" is refused, not
//! decoded), cropped to a square and re-encoded as a 256 px JPEG, which is
//! all that is stored and served (`GET /photos/<id>?v=<version>`). The
//! uploaded bytes, with whatever metadata they carried, go nowhere.
//!
//! Both routes are plain axum handlers; they reach the same guard as every
//! server function through `RequestContext::from_parts`.

use std::io::Cursor;

use axum::extract::{FromRequest, Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use image::{ImageFormat, ImageReader, Limits};
use uuid::Uuid;

use super::access::Admin;
use crate::error::AppError;
use crate::features::audit::server::{Action, Entry, record};
use crate::features::auth::server::guard::{Actor, Permission};
use crate::features::users::types::UserListQuery;
use crate::server::AppState;
use crate::server::db::Db;
use crate::server::respond::RequestContext;

/// The largest photo accepted, in bytes.
pub const MAX_PHOTO_BYTES: usize = 2 * 1024 * 1024;
/// The upload route's body limit: the photo plus the form around it.
pub const MAX_PHOTO_REQUEST_BYTES: usize = MAX_PHOTO_BYTES + 64 * 1024;
/// The stored photo's side, in pixels.
pub const PHOTO_SIDE: u32 = 256;
/// Larger images are refused before they are decoded.
const MAX_DIMENSION: u32 = 8_000;

pub const UPLOAD_PATH: &str = "/settings/users/{id}/photo";
pub const PHOTO_PATH: &str = "/photos/{id}";

/// Decodes an upload (JPEG, PNG or WebP, by its content), within limits,
/// and returns the stored form: the centre square as a 256 px JPEG.
pub fn process(bytes: &[u8]) -> Result<Vec<u8>, AppError> {
    let refuse = |message: &str| AppError::field("photo", message);
    if bytes.is_empty() {
        return Err(refuse("Choose a photo to upload."));
    }
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(refuse("The photo can be at most 2 MB. Choose a smaller one."));
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| refuse("The photo could not be read."))?;
    match reader.format() {
        Some(ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP) => {}
        _ => return Err(refuse("The photo must be a JPEG, PNG or WebP image.")),
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => refuse("The photo is too large in pixels (at most 8000 × 8000)."),
        _ => refuse("The photo could not be read: the file is damaged or not an image."),
    })?;
    let side = image.width().min(image.height());
    if side == 0 {
        return Err(refuse("The photo is empty."));
    }
    let square = image.crop_imm((image.width() - side) / 2, (image.height() - side) / 2, side, side);
    let small = square.resize_exact(PHOTO_SIDE, PHOTO_SIDE, image::imageops::FilterType::Triangle).to_rgb8();
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85);
    small.write_with_encoder(encoder).map_err(|e| crate::server::respond::internal("photo encoding", e))?;
    Ok(out)
}

/// Stores a user's new photo (or removes it, `None`), audited.
pub async fn save(pool: &Db, admin: &Admin, user_id: Uuid, photo: Option<Vec<u8>>) -> Result<String, AppError> {
    let mut tx = pool.begin().await?;
    let name: String =
        sqlx::query_scalar("SELECT first_name || ' ' || last_name FROM users WHERE org_id = $1 AND id = $2 FOR UPDATE")
            .bind(admin.org_id)
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(AppError::NotFound)?;
    let change = match &photo {
        Some(image) => {
            sqlx::query(
                "INSERT INTO user_photos (org_id, user_id, image, version) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (org_id, user_id) DO UPDATE SET image = EXCLUDED.image, version = EXCLUDED.version, \
                 updated_at = now()",
            )
            .bind(admin.org_id)
            .bind(user_id)
            .bind(image)
            .bind(Uuid::new_v4().simple().to_string())
            .execute(&mut *tx)
            .await?;
            "new photo"
        }
        None => {
            let removed = sqlx::query("DELETE FROM user_photos WHERE org_id = $1 AND user_id = $2")
                .bind(admin.org_id)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            if removed.rows_affected() == 0 {
                return Ok(name);
            }
            "removed"
        }
    };
    let entry = Entry::new(admin.org_id, Action::PhotoChanged).about(user_id, &name);
    record(&mut tx, &admin.origin, entry.with(serde_json::json!({ "photo": change }))).await?;
    tx.commit().await?;
    Ok(name)
}

/// The address of a user's photo, if they have one (`version` from
/// `user_photos`).
pub fn photo_url(user_id: Uuid, version: &str) -> String {
    format!("/photos/{user_id}?v={version}")
}

#[derive(serde::Deserialize)]
pub struct UploadQuery {
    #[serde(default)]
    view: String,
}

/// `POST /settings/users/<id>/photo`: the edit form's photo (field `photo`),
/// or `remove=1`. Answers with a redirect back to the user's panel in the
/// table's view, with a notice or the error next to the field.
pub async fn upload(
    State(state): State<AppState>,
    Path(user_id): Path<Uuid>,
    Query(query): Query<UploadQuery>,
    request: axum::extract::Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let ctx = RequestContext::from_parts(state.clone(), &parts);
    let back = |notice: &str, error: Option<&str>| {
        let view = UserListQuery::parse(&query.view);
        let mut href = view.href_with_panel(user_id, Some(notice));
        if let Some(error) = error {
            // Back to the form, the error beside the field.
            href.push_str("&edit=1&photo_error=");
            href.push_str(&form_urlencoded::byte_serialize(error.as_bytes()).collect::<String>());
        }
        Redirect::to(&href).into_response()
    };
    let actor = match Actor::require(&ctx, Permission::UserMenu).await {
        Ok(actor) => actor,
        Err(e) => return error_response(e),
    };
    let multipart = match Multipart::from_request(axum::extract::Request::from_parts(parts, body), &state).await {
        Ok(m) => m,
        Err(_) => return back("photo_error", Some("The upload could not be read. Choose the photo again.")),
    };
    let result = async {
        let (remove, bytes) = read_form(multipart).await?;
        let target: crate::features::users::types::Role =
            sqlx::query_scalar("SELECT role FROM users WHERE org_id = $1 AND id = $2")
                .bind(actor.org_id)
                .bind(user_id)
                .fetch_optional(&state.pool)
                .await?
                .ok_or(AppError::NotFound)?;
        actor.may_act_on(target)?;
        let photo = if remove { None } else { Some(process(&bytes)?) };
        save(&state.pool, &Admin::of(&ctx, &actor), user_id, photo).await?;
        Ok::<bool, AppError>(remove)
    }
    .await;
    match result {
        Ok(true) => back("photo_removed", None),
        Ok(false) => back("photo_saved", None),
        Err(AppError::Validation { fields }) => {
            let message = fields.first().map(|f| f.message.clone()).unwrap_or_default();
            back("photo_error", Some(&message))
        }
        Err(e) => error_response(e),
    }
}

/// The form's fields: `remove` (any value) or the `photo` file, whose size
/// is checked as it arrives.
async fn read_form(mut multipart: Multipart) -> Result<(bool, Vec<u8>), AppError> {
    let unreadable = || AppError::field("photo", "The upload could not be read. Choose the photo again.");
    let mut remove = false;
    let mut bytes = Vec::new();
    while let Some(mut field) = multipart.next_field().await.map_err(|_| unreadable())? {
        match field.name() {
            Some("remove") => remove = true,
            Some("photo") => {
                while let Some(chunk) = field.chunk().await.map_err(|_| unreadable())? {
                    if bytes.len() + chunk.len() > MAX_PHOTO_BYTES {
                        return Err(AppError::field("photo", "The photo can be at most 2 MB. Choose a smaller one."));
                    }
                    bytes.extend_from_slice(&chunk);
                }
            }
            _ => {}
        }
    }
    Ok((remove, bytes))
}

#[derive(serde::Deserialize)]
pub struct PhotoQuery {
    #[serde(default)]
    v: String,
}

/// `GET /photos/<id>`: the stored photo, to a signed-in user of the same
/// organization who may see that user (their own, or the user menu's).
/// Its address names its version, so browsers may keep it for a year.
pub async fn serve(
    State(state): State<AppState>,
    Path(user_id): Path<Uuid>,
    Query(query): Query<PhotoQuery>,
    request: axum::extract::Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let ctx = RequestContext::from_parts(state.clone(), &parts);
    let actor = match Actor::require(&ctx, Permission::OwnAccount).await {
        Ok(actor) if actor.user_id == user_id || actor.may(Permission::UserMenu) => actor,
        Ok(_) => return error_response(AppError::Forbidden),
        Err(e) => return error_response(e),
    };
    let photo: Option<(Vec<u8>, String)> =
        match sqlx::query_as("SELECT image, version FROM user_photos WHERE org_id = $1 AND user_id = $2")
            .bind(actor.org_id)
            .bind(user_id)
            .fetch_optional(&state.pool)
            .await
        {
            Ok(photo) => photo,
            Err(e) => return error_response(e.into()),
        };
    let Some((image, version)) = photo else { return error_response(AppError::NotFound) };
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
    let cache = if query.v == version { "private, max-age=31536000, immutable" } else { "private, no-cache" };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{version}\"")) {
        headers.insert(header::ETAG, etag);
    }
    (StatusCode::OK, headers, image).into_response()
}

fn error_response(error: AppError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, axum::Json(error)).into_response()
}
