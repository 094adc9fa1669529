//! The static files: the WASM bundle, its script and the styles.

use crate::common::{db_test, spawn_app_with_site};
use reqwest::{Client, StatusCode, header};
use roster::server::config::Config;
use sqlx::PgPool;

/// A site folder like a release build made with `--precompress` leaves:
/// each file with a Brotli and a gzip twin (their contents only need to
/// differ, the server sends them as they are).
fn release_site() -> std::path::PathBuf {
    let root = std::env::temp_dir().join(format!("roster-site-{}", uuid::Uuid::new_v4().simple()));
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("roster.wasm"), b"\0asm raw bundle").unwrap();
    std::fs::write(pkg.join("roster.wasm.br"), b"brotli bundle").unwrap();
    std::fs::write(pkg.join("roster.wasm.gz"), b"gzip bundle").unwrap();
    root
}

async fn get(client: &Client, url: &str, headers: &[(header::HeaderName, &str)]) -> reqwest::Response {
    let mut request = client.get(url);
    for (name, value) in headers {
        request = request.header(name, *value);
    }
    request.send().await.unwrap()
}

#[db_test]
async fn the_bundle_goes_out_precompressed_and_is_revalidated_with_a_304(pool: PgPool) {
    let site = release_site();
    let app = spawn_app_with_site(pool, Config::for_database("postgres://unused"), site.to_str().unwrap()).await;
    // No automatic decompression: the test reads what goes over the wire.
    let client = Client::new();
    let url = app.url("/pkg/roster.wasm");

    let brotli = get(&client, &url, &[(header::ACCEPT_ENCODING, "gzip, deflate, br")]).await;
    assert_eq!(brotli.status(), StatusCode::OK);
    assert_eq!(brotli.headers()[header::CONTENT_ENCODING], "br");
    assert_eq!(brotli.headers()[header::CONTENT_TYPE], "application/wasm");
    assert_eq!(brotli.headers()[header::VARY], "accept-encoding");
    // Never a guessed freshness: an old bundle must not meet a new server.
    assert_eq!(brotli.headers()[header::CACHE_CONTROL], "no-cache");
    let last_modified = brotli.headers()[header::LAST_MODIFIED].to_str().unwrap().to_owned();
    assert_eq!(brotli.bytes().await.unwrap().as_ref(), b"brotli bundle");

    let gzip = get(&client, &url, &[(header::ACCEPT_ENCODING, "gzip")]).await;
    assert_eq!(gzip.headers()[header::CONTENT_ENCODING], "gzip");
    assert_eq!(gzip.bytes().await.unwrap().as_ref(), b"gzip bundle");

    let plain = get(&client, &url, &[]).await;
    assert_eq!(plain.status(), StatusCode::OK);
    assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
    assert_eq!(plain.headers()[header::CACHE_CONTROL], "no-cache");
    assert_eq!(plain.bytes().await.unwrap().as_ref(), b"\0asm raw bundle");

    // Revalidation: unchanged since the browser's copy is a bodiless 304.
    let unchanged = get(&client, &url, &[(header::IF_MODIFIED_SINCE, &last_modified)]).await;
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);
    assert!(unchanged.bytes().await.unwrap().is_empty());
    // A copy from before the build gets the new bundle.
    let stale = get(&client, &url, &[(header::IF_MODIFIED_SINCE, "Mon, 01 Jan 2024 00:00:00 GMT")]).await;
    assert_eq!(stale.status(), StatusCode::OK);
    assert_eq!(stale.bytes().await.unwrap().as_ref(), b"\0asm raw bundle");

    let missing = get(&client, &app.url("/pkg/missing.js"), &[]).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);

    std::fs::remove_dir_all(site).unwrap();
}
