//! Profile photos: uploaded as a multipart form to the one route allowed a
//! larger body, decoded within limits (a picture that claims enormous
//! dimensions is refused before it is decoded), re-encoded as a 256 px
//! square JPEG that is all that is stored and served, to whom may see it;
//! each change audited, each denial tested.

use std::io::Cursor;

use crate::common::*;
use image::{ImageFormat, RgbImage};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use roster::server::db::Db;

fn picture(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
    let image = RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 120]));
    let mut bytes = Vec::new();
    image.write_to(&mut Cursor::new(&mut bytes), format).unwrap();
    bytes
}

async fn upload(browser: &Browser, user: &str, bytes: Vec<u8>, name: &str) -> reqwest::Response {
    let form = Form::new().part("photo", Part::bytes(bytes).file_name(name.to_owned()));
    browser
        .client
        .post(browser.url(&format!("/settings/users/{user}/photo?view=%2Fsettings%2Fusers%3Fsort%3Demail")))
        .header("accept", "text/html")
        .multipart(form)
        .send()
        .await
        .unwrap()
}

fn location(response: &reqwest::Response) -> String {
    response.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default()
}

#[db_test]
async fn a_photo_is_checked_re_encoded_stored_and_served_to_whom_may_see_it(pool: Db) {
    let app = spawn_app(pool).await;
    let (ada, ada_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&ada_email).await;
    let anna = app.add_user(org_id, "basic", "Anna", "Smith").await;
    let anna_id = app.user_id_of(&anna).await.to_string();

    // A wide PNG becomes a 256 px square JPEG; the panel is the way back.
    let original = picture(900, 500, ImageFormat::Png);
    let response = upload(&ada, &anna_id, original.clone(), "anna.png").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), format!("/settings/users?sort=email&user={anna_id}&notice=photo_saved"));
    let (stored, version): (Vec<u8>, String) =
        sqlx::query_as("SELECT image, version FROM user_photos").fetch_one(&app.pool).await.unwrap();
    let decoded = image::load_from_memory(&stored).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (256, 256));
    assert_ne!(stored, original, "the upload itself is never kept");
    assert_eq!(app.count("SELECT count(*) FROM audit_log WHERE action = 'user.photo_changed'").await, 1);

    // The table and the panel show it; its address names its version.
    let (_, page) = ada.list(&[]).await;
    let row = page["rows"].as_array().unwrap().iter().find(|r| r["email"] == anna.to_lowercase()).unwrap().clone();
    let url = row["photo"].as_str().unwrap().to_owned();
    assert_eq!(url, format!("/photos/{anna_id}?v={version}"));
    let served = ada.client.get(ada.url(&url)).send().await.unwrap();
    assert_eq!(served.status(), StatusCode::OK);
    assert_eq!(served.headers()["content-type"], "image/jpeg");
    assert!(served.headers()["cache-control"].to_str().unwrap().contains("immutable"));
    assert_eq!(served.bytes().await.unwrap().to_vec(), stored);

    // Anna sees her own; Bea (Basic) not Anna's; another organization and
    // nobody signed in get nothing.
    let anna_browser = app.browser();
    anna_browser.sign_in(&anna, PASSWORD).await;
    assert_eq!(anna_browser.client.get(anna_browser.url(&url)).send().await.unwrap().status(), StatusCode::OK);
    let bea = app.add_user(org_id, "basic", "Bea", "Basic").await;
    let bea_browser = app.browser();
    bea_browser.sign_in(&bea, PASSWORD).await;
    assert_eq!(bea_browser.client.get(bea_browser.url(&url)).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(
        upload(&bea_browser, &anna_id, picture(10, 10, ImageFormat::Png), "x.png").await.status(),
        StatusCode::FORBIDDEN
    );
    let (other, _) = app.signed_up("Globex").await;
    assert_eq!(other.client.get(other.url(&url)).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(
        upload(&other, &anna_id, picture(10, 10, ImageFormat::Png), "x.png").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.browser().client.get(ada.url(&url)).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);

    // Refused, said beside the field, nothing changed: not an image, too
    // many pixels (a PNG header claiming 20000 × 20000), too many bytes.
    let mut bomb = picture(1, 1, ImageFormat::Png);
    bomb[16..20].copy_from_slice(&20_000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&20_000u32.to_be_bytes());
    // The header's checksum, so that only its size is wrong.
    let crc = crc32(&bomb[12..29]);
    bomb[29..33].copy_from_slice(&crc.to_be_bytes());
    for (bytes, name, message) in [
        (b"just text".to_vec(), "notes.txt", "The photo must be a JPEG, PNG or WebP image."),
        (bomb, "bomb.png", "The photo is too large in pixels (at most 8000 × 8000)."),
        (vec![0xFF; 2 * 1024 * 1024 + 1], "big.jpg", "The photo can be at most 2 MB. Choose a smaller one."),
    ] {
        let response = upload(&ada, &anna_id, bytes, name).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{name}");
        let back = location(&response);
        assert!(back.contains("&edit=1&photo_error="), "{back}");
        let html = ada.page_html(&back).await;
        assert!(html.contains(message), "{name}: {message}");
    }
    let (still, _): (Vec<u8>, String) =
        sqlx::query_as("SELECT image, version FROM user_photos").fetch_one(&app.pool).await.unwrap();
    assert_eq!(still, stored);
    // A body far past the route's own limit never reaches the handler.
    let huge = upload(&ada, &anna_id, vec![0; 3 * 1024 * 1024], "huge.jpg").await;
    assert_eq!(huge.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // Every other route keeps the 64 KiB limit.
    let big_form = ada.client.post(ada.url("/api/list_users")).body(vec![b'a'; 100 * 1024]).send().await.unwrap();
    assert_eq!(big_form.status(), StatusCode::PAYLOAD_TOO_LARGE);

    // Removing it: initials again.
    let form = Form::new().text("remove", "1");
    let response =
        ada.client.post(ada.url(&format!("/settings/users/{anna_id}/photo"))).multipart(form).send().await.unwrap();
    assert!(location(&response).contains("notice=photo_removed"));
    assert_eq!(app.count("SELECT count(*) FROM user_photos").await, 0);
    assert_eq!(ada.client.get(ada.url(&url)).send().await.unwrap().status(), StatusCode::NOT_FOUND);
}

/// CRC-32 (IEEE), as PNG chunks carry it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}
