//! Disable and enable access: every session ends at once, the seat stays,
//! the guards (oneself, the last Superuser, only active users), the audit
//! entries, and each denial.

use crate::common::*;
use reqwest::StatusCode;
use roster::server::db::Db;

#[db_test]
async fn disabling_ends_every_session_at_once_keeps_the_seat_and_enabling_lets_them_sign_in_anew(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let anna = app.add_user(org_id, "operator", "Anna", "Smith").await;
    let anna_id = app.user_id_of(&anna).await.to_string();
    // Anna is signed in twice (laptop and phone).
    let (laptop, phone) = (app.browser(), app.browser());
    for browser in [&laptop, &phone] {
        assert_eq!(browser.sign_in(&anna, PASSWORD).await.0, StatusCode::OK);
        assert_eq!(browser.whoami().await.as_deref(), Some(anna.as_str()));
    }
    let seats = app.count("SELECT used::bigint FROM seats WHERE role = 'operator'").await;

    let response = admin.call("disable_access", &[("user", &anna_id), ("view", "sort=email")]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.contains("sort=email")
            && location.contains(&format!("user={anna_id}"))
            && location.contains("notice=access_disabled"),
        "{location}"
    );
    for browser in [&laptop, &phone] {
        assert_eq!(browser.whoami().await, None, "signed out on the next request");
    }
    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions WHERE user_id = $1")
        .bind(app.user_id_of(&anna).await)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(sessions, 0, "their session rows are gone");
    assert_eq!(
        laptop.sign_in(&anna, PASSWORD).await.0,
        StatusCode::UNAUTHORIZED,
        "the same answer as a wrong password"
    );
    assert_eq!(app.count("SELECT used::bigint FROM seats WHERE role = 'operator'").await, seats, "the seat is kept");
    let (status, page) = admin.list(&[]).await;
    assert_eq!(status, StatusCode::OK);
    let row = page["rows"].as_array().unwrap().iter().find(|r| r["email"] == anna.as_str()).unwrap().clone();
    assert_eq!(row["status"], "disabled", "listed by default, as Disabled");

    let (status, _) = admin.call_json("enable_access", &[("user", &anna_id)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(phone.whoami().await, None, "an old session never comes back");
    assert_eq!(phone.sign_in(&anna, PASSWORD).await.0, StatusCode::OK);
    assert_eq!(phone.whoami().await.as_deref(), Some(anna.as_str()));

    let log: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT action, subject_name FROM audit_log WHERE org_id = $1 AND action LIKE 'user.access%' ORDER BY id",
    )
    .bind(org_id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        log,
        vec![
            ("user.access_disabled".to_owned(), Some("Anna Smith".to_owned())),
            ("user.access_enabled".to_owned(), Some("Anna Smith".to_owned()))
        ]
    );
}

#[db_test]
async fn oneself_the_last_superuser_and_users_who_are_not_active_cannot_be_disabled(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let admin_id = app.user_id_of(&admin_email).await.to_string();
    let (status, body) = admin.call_json("disable_access", &[("user", &admin_id)]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["message"], "You cannot disable your own access.");

    // A second Superuser may not disable the last active one either... once
    // the first has been disabled, the second is the last.
    let second = app.add_user(org_id, "superuser", "Sam", "Second").await;
    let sam = app.browser();
    assert_eq!(sam.sign_in(&second, PASSWORD).await.0, StatusCode::OK);
    assert_eq!(sam.call_json("disable_access", &[("user", &admin_id)]).await.0, StatusCode::OK);
    let second_id = app.user_id_of(&second).await;
    let mut conn = app.pool.acquire().await.unwrap();
    let last = roster::features::users::server::access::disable(&mut conn, org_id, second_id).await.unwrap_err();
    assert!(last.to_string().contains("last active Superuser"), "{last}");
    drop(conn);

    // An invited user has no access to take away.
    let grace = unique_email("grace");
    assert_eq!(sam.call_json("invite_user", &invite_form(&grace, "basic")).await.0, StatusCode::OK);
    let grace_id = app.user_id_of(&grace).await.to_string();
    let before = app.count("SELECT count(*) FROM audit_log").await;
    let (status, body) = sam.call_json("disable_access", &[("user", &grace_id)]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["message"].as_str().unwrap().contains("Only active users can be disabled"));
    let (status, _) = sam.call_json("enable_access", &[("user", &grace_id)]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(app.count("SELECT count(*) FROM audit_log").await, before, "refusals change nothing");
    let status: String = sqlx::query_scalar("SELECT status::text FROM users WHERE email = $1")
        .bind(&grace)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(status, "invited");
}

#[db_test]
async fn only_a_superuser_of_the_same_organization_may_disable_or_enable(pool: Db) {
    let app = spawn_app(pool).await;
    let (_, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let anna = app.add_user(org_id, "basic", "Anna", "Smith").await;
    let anna_id = app.user_id_of(&anna).await.to_string();
    for function in ["disable_access", "enable_access"] {
        app.assert_each_denial(org_id, function, &[("user", &anna_id)]).await;
        let (other, _) = app.signed_up("Globex").await;
        let (status, _) = other.call_json(function, &[("user", "not-a-uuid")]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
    let status: String = sqlx::query_scalar("SELECT status::text FROM users WHERE email = $1")
        .bind(&anna)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(status, "active");
}

#[db_test]
async fn the_panel_lists_the_invites_a_user_sent_that_would_lose_their_owner(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let sam = app.add_user(org_id, "superuser", "Sam", "Second").await;
    let sam_browser = app.browser();
    sam_browser.sign_in(&sam, PASSWORD).await;
    let grace = unique_email("grace");
    assert_eq!(sam_browser.call_json("invite_user", &invite_form(&grace, "basic")).await.0, StatusCode::OK);
    let sam_id = app.user_id_of(&sam).await;
    let (status, details) = admin.call_json("user_details", &[("id", &sam_id.to_string())]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(details["pending_invites_sent"], serde_json::json!([format!("Grace Hopper ({grace})")]));
    // Without JavaScript: the confirmation, rendered on the server.
    let html = admin.page_html(&format!("/settings/users?user={sam_id}&confirm=access")).await;
    assert!(
        html.contains("Disable access for Sam Second?") && html.contains("Disable anyway") && html.contains(&grace),
        "{html}"
    );
}
