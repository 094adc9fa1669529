//! Active users: the sessions used in the last five minutes with their
//! browser and address, activity written at most once a minute, and
//! "Sign out" / "Sign out everywhere" taking effect at the next request,
//! audited. (Who may call each function: `enforcement.rs`.)

use std::time::Duration;

use crate::common::*;
use reqwest::StatusCode;
use roster::server::db::Db;
use serde_json::Value;

const FIREFOX: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0";
const CHROME: &str =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

fn sessions_of<'a>(list: &'a Value, email: &str) -> Vec<&'a Value> {
    list.as_array().unwrap().iter().filter(|s| s["email"] == email).collect()
}

async fn signed_in_as(app: &TestApp, email: &str, user_agent: &str) -> Browser {
    let browser = app.browser_named(user_agent);
    assert_eq!(browser.sign_in(email, PASSWORD).await.0, StatusCode::OK);
    // The first request after signing in notes the browser and address.
    assert_eq!(browser.call("current_user", &[]).await.status(), StatusCode::OK);
    browser
}

async fn last_seen(app: &TestApp, email: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT s.last_seen_at::text FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE u.email = $1 ORDER BY s.created_at",
    )
    .bind(email)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

#[db_test]
async fn active_sessions_show_who_from_where_and_go_quiet_after_five_minutes(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let anna = app.add_user(org_id, "basic", "Anna", "Smith").await;
    let _firefox = signed_in_as(&app, &anna, FIREFOX).await;
    let chrome = signed_in_as(&app, &anna, CHROME).await;

    let (status, list) = admin.call_json("active_sessions", &[]).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let annas = sessions_of(&list, &anna);
    assert_eq!(annas.len(), 2, "{list}");
    let browsers: Vec<&str> = annas.iter().map(|s| s["browser"].as_str().unwrap()).collect();
    assert!(browsers.contains(&"Firefox 121 on Windows 10"), "{browsers:?}");
    assert!(browsers.contains(&"Chrome 120 on Linux"), "{browsers:?}");
    assert!(annas.iter().all(|s| s["address"] == "127.0.0.1" && s["last_seen_ago"] == "just now"));
    assert!(annas.iter().all(|s| s["name"] == "Anna Smith" && s["current"] == false));
    // The admin's own session is marked, and no session id is ever sent.
    assert_eq!(sessions_of(&list, &admin_email)[0]["current"], true);
    assert!(!list.to_string().contains("\"id\""));

    // Activity is written at most once a minute per session.
    let before = last_seen(&app, &anna).await;
    app.state.clock.advance(Duration::from_secs(30));
    chrome.call("current_user", &[]).await;
    assert_eq!(last_seen(&app, &anna).await, before, "within the minute: no write");
    app.state.clock.advance(Duration::from_secs(31));
    chrome.call("current_user", &[]).await;
    let after = last_seen(&app, &anna).await;
    assert_eq!(after[0], before[0], "the Firefox session was not used");
    assert_ne!(after[1], before[1], "a minute later: written");

    // Six minutes on, only the sessions used since count.
    app.state.clock.advance(Duration::from_secs(6 * 60));
    chrome.call("current_user", &[]).await;
    let (_, list) = admin.call_json("active_sessions", &[]).await;
    let annas = sessions_of(&list, &anna);
    assert_eq!(annas.len(), 1, "{list}");
    assert_eq!(annas[0]["browser"], "Chrome 120 on Linux");
    // Another organization sees none of them.
    let (stranger, _) = app.signed_up("Globex").await;
    let (_, theirs) = stranger.call_json("active_sessions", &[]).await;
    assert!(sessions_of(&theirs, &anna).is_empty());
}

#[db_test]
async fn sign_out_ends_one_session_and_everywhere_ends_them_all_audited(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let anna = app.add_user(org_id, "basic", "Anna", "Smith").await;
    let firefox = signed_in_as(&app, &anna, FIREFOX).await;
    let chrome = signed_in_as(&app, &anna, CHROME).await;

    // "Sign out" on the Firefox session: that browser is signed out at its
    // next request, the other is not.
    let (_, list) = admin.call_json("active_sessions", &[]).await;
    let handle =
        sessions_of(&list, &anna).into_iter().find(|s| s["browser"].as_str().unwrap().starts_with("Firefox")).unwrap()
            ["handle"]
            .as_str()
            .unwrap()
            .to_owned();
    let (status, name) = admin.call_json("end_session", &[("session", &handle)]).await;
    assert_eq!((status, name.as_str()), (StatusCode::OK, Some("Anna Smith")));
    assert_eq!(firefox.call("my_access", &[]).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(chrome.call("my_access", &[]).await.status(), StatusCode::OK);
    // Ended is ended: again, it is not found.
    assert_eq!(admin.call("end_session", &[("session", &handle)]).await.status(), StatusCode::NOT_FOUND);

    // Without JavaScript the form returns to the page, which says so.
    let anna_id = app.user_id_of(&anna).await.to_string();
    let response = admin.post_form("sign_out_everywhere", &[("user", &anna_id)]).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let back = response.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(back, "/settings/active-users?signed_out_everywhere=Anna%20Smith");
    assert_eq!(chrome.call("my_access", &[]).await.status(), StatusCode::UNAUTHORIZED);
    let html = admin.page_html(&back).await;
    assert!(html.contains("Anna Smith is signed out everywhere"), "{html}");

    let actions: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT action, details->>'sessions' FROM audit_log WHERE org_id = $1 \
         AND action IN ('session.ended_by_admin', 'user.signed_out_everywhere') ORDER BY at",
    )
    .bind(org_id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        actions,
        [("session.ended_by_admin".to_owned(), None), ("user.signed_out_everywhere".to_owned(), Some("1".to_owned()))]
    );
}
