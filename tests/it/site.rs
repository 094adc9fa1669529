//! The static files: the WASM bundle, its script and the styles.

use crate::common::{db_test, spawn_app_with_site};
use reqwest::{Client, StatusCode, header};
use roster::server::config::Config;
use roster::server::db::Db;

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
async fn the_bundle_goes_out_precompressed_and_is_revalidated_with_a_304(pool: Db) {
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

/// A release names the bundle's files by their content (`hash.txt`), so
/// browsers keep them for a year; the pages naming them are asked for again
/// each time, and never kept by a shared cache.
#[db_test]
async fn hashed_bundle_names_are_kept_for_a_year_and_pages_are_revalidated(pool: Db) {
    let site = release_site();
    let hashed = site.join("pkg/roster.Zm9vYmFyYmF6cXV4cXV1eA.wasm");
    std::fs::copy(site.join("pkg/roster.wasm"), &hashed).unwrap();
    std::fs::copy(site.join("pkg/roster.wasm.br"), hashed.with_extension("wasm.br")).unwrap();
    let root = site.to_str().unwrap().to_owned();
    let app = crate::common::spawn_app_with_options(pool, Config::for_database("postgres://unused"), |options| {
        options.site_root = root.as_str().into();
        options.hash_files = true;
    })
    .await;
    let client = Client::new();
    let bundle =
        get(&client, &app.url("/pkg/roster.Zm9vYmFyYmF6cXV4cXV1eA.wasm"), &[(header::ACCEPT_ENCODING, "br")]).await;
    assert_eq!(bundle.status(), StatusCode::OK);
    assert_eq!(bundle.headers()[header::CONTENT_ENCODING], "br");
    assert_eq!(bundle.headers()[header::CACHE_CONTROL], "public, max-age=31536000, immutable");

    // (A page of this app would need the build's hash.txt beside the test
    // binary to name the files: `make dist-test` checks real pages.)
    let plain = crate::common::spawn_app(app.pool.clone()).await;
    let page = get(&client, &plain.url("/sign-in"), &[]).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()[header::CACHE_CONTROL], "private, no-cache");
    std::fs::remove_dir_all(site).unwrap();
}

/// Pages and server-function answers travel compressed to browsers that
/// accept it (Brotli first, else gzip), and as they are to those that do
/// not.
#[db_test]
async fn pages_and_answers_are_compressed_for_browsers_that_accept_it(pool: Db) {
    use std::io::Read;
    let app = crate::common::spawn_app(pool).await;
    let (browser, _) = app.signed_up("Acme").await;
    let page = app.url("/settings/users");
    let fetch = |encoding: &'static str| {
        let request = browser.client.get(&page).header(header::ACCEPT, "text/html");
        let request = if encoding.is_empty() { request } else { request.header(header::ACCEPT_ENCODING, encoding) };
        async move { request.send().await.unwrap() }
    };

    let plain = fetch("").await;
    assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
    let html = plain.text().await.unwrap();
    assert!(html.contains("User Management"));

    let brotli = fetch("gzip, deflate, br").await;
    assert_eq!(brotli.headers()[header::CONTENT_ENCODING], "br");
    assert!(brotli.headers()[header::VARY].to_str().unwrap().contains("accept-encoding"));
    let bytes = brotli.bytes().await.unwrap();
    let mut decoded = String::new();
    brotli::Decompressor::new(&bytes[..], 4096).read_to_string(&mut decoded).unwrap();
    assert!(decoded.contains("User Management"));
    assert!(bytes.len() * 3 < decoded.len(), "{} bytes for {}", bytes.len(), decoded.len());

    let gzip = fetch("gzip").await;
    assert_eq!(gzip.headers()[header::CONTENT_ENCODING], "gzip");
    let bytes = gzip.bytes().await.unwrap();
    let mut decoded = String::new();
    flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut decoded).unwrap();
    assert!(decoded.contains("User Management"));

    // A server function's JSON too.
    let answer = browser
        .client
        .post(app.url("/api/list_users"))
        .header(header::ACCEPT_ENCODING, "gzip")
        .header(header::ORIGIN, app.url(""))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.headers()[header::CONTENT_ENCODING], "gzip");
    let bytes = answer.bytes().await.unwrap();
    let mut decoded = String::new();
    flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut decoded).unwrap();
    assert!(decoded.contains("\"rows\""), "{decoded}");
}

/// The page's data travels once: the table in the HTML, and the list the
/// browser hydrates from once (a layout that built its pages inside its own
/// `Suspense` built them, and serialized their data, once per pass).
#[db_test]
async fn a_settings_page_carries_its_data_once(pool: Db) {
    let app = crate::common::spawn_app(pool).await;
    let (browser, admin) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin).await;
    let anna = app.add_user(org_id, "basic", "Anna", "Berg").await;
    let html = browser.page_html("/settings/users").await;
    // Once in the table, once in the data the browser hydrates from.
    assert_eq!(html.matches("Details of Anna Berg").count(), 1, "{html}");
    assert_eq!(html.matches(&format!("\\\"email\\\":\\\"{anna}\\\"")).count(), 1, "{html}");
    // The signed-in user travels once too.
    assert_eq!(
        html.matches(&format!("\\\"email\\\":\\\"{admin}\\\"")).count(),
        2,
        "the list's row and the top bar's user: {html}"
    );
    // The signed-in user: once in the top bar's data.
    let account = browser.page_html("/account").await;
    assert_eq!(account.matches(&format!("\\\"email\\\":\\\"{admin}\\\"")).count(), 1, "{account}");
}

/// The time zones are one script, fetched once and kept, not 23 KB in every
/// page: the page names it, and it adds the list the zone fields point at.
#[db_test]
async fn the_time_zones_are_one_cached_script_not_part_of_every_page(pool: Db) {
    let app = crate::common::spawn_app(pool).await;
    let client = Client::new();
    let page = get(&client, &app.url("/sign-up"), &[]).await.text().await.unwrap();
    assert!(page.contains(r#"list="time-zone-options""#), "the zone field points at the list");
    assert!(!page.contains("Europe/Zurich\"></option>"), "no zone list in the page");
    let path = roster::server::time_zones::script_path();
    assert!(path.starts_with("/time-zones.") && path.ends_with(".js"), "{path}");
    assert!(page.contains(&format!(r#"src="{path}""#)), "the page loads the script");

    let script = get(&client, &app.url(path), &[(header::ACCEPT_ENCODING, "br")]).await;
    assert_eq!(script.status(), StatusCode::OK);
    assert_eq!(script.headers()[header::CONTENT_TYPE], "text/javascript; charset=utf-8");
    assert_eq!(script.headers()[header::CACHE_CONTROL], "public, max-age=31536000, immutable");
    assert_eq!(script.headers()[header::CONTENT_ENCODING], "br");
    let plain = get(&client, &app.url(path), &[]).await.text().await.unwrap();
    assert!(plain.contains("time-zone-options") && plain.contains("|Europe/Zurich|") && plain.contains("|UTC"));
    // Another name is not it.
    assert_eq!(get(&client, &app.url("/time-zones.0000000000000000.js"), &[]).await.status(), StatusCode::NOT_FOUND);
}
