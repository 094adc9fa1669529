//! The suggestions of every time-zone field: one small script, named by a
//! hash of its content, that adds the `<datalist id="time-zone-options">`
//! the fields point at. Browsers fetch it once and keep it for a year
//! (a new zone database gives it a new name), instead of every page
//! carrying the 600 zones in its HTML (23 KB a page). It runs outside the
//! hydrated app, so the tz database stays out of the WASM bundle and
//! nothing has to be hydrated in step with it. Without JavaScript the field
//! is a plain text field that the server validates.

use std::sync::LazyLock;

use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use sha2::{Digest, Sha256};

/// The zones offered: the IANA names of a region and a place, and UTC.
pub fn zone_names() -> impl Iterator<Item = &'static str> {
    chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).filter(|n| n.contains('/') || *n == "UTC")
}

struct Script {
    path: String,
    body: String,
}

static SCRIPT: LazyLock<Script> = LazyLock::new(|| {
    // Zone names hold no `|`, quote or backslash: one string, split.
    let zones: Vec<&str> = zone_names().collect();
    let body = format!(
        "(()=>{{const d=document.createElement(\"datalist\");d.id=\"time-zone-options\";\
         for(const z of \"{}\".split(\"|\")){{const o=document.createElement(\"option\");o.value=z;d.append(o)}}\
         document.body.append(d)}})();\n",
        zones.join("|")
    );
    let digest = Sha256::digest(body.as_bytes());
    let hash: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    Script { path: format!("/time-zones.{hash}.js"), body }
});

/// Where the script is served (the page's `<script src>` and the route).
pub fn script_path() -> &'static str {
    &SCRIPT.path
}

/// The script: JavaScript, kept for a year (its name changes with it).
pub async fn serve_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable")),
        ],
        SCRIPT.body.as_str(),
    )
}
