//! A user's own account: name and time zone, and changing the password
//! (the current one first; other sessions end; a mail tells them).

use crate::common::*;
use reqwest::StatusCode;
use roster::server::db::Db;

#[db_test]
async fn every_user_edits_their_own_name_and_time_zone_and_bad_input_changes_nothing(pool: Db) {
    let app = spawn_app(pool).await;
    let (_, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let anna = app.add_user(org_id, "basic", "Anna", "Smith").await;
    let browser = app.browser();
    browser.sign_in(&anna, PASSWORD).await;

    let (status, body) = browser
        .call_json(
            "update_profile",
            &[
                ("first_name", ""),
                ("last_name", "Smith"),
                ("time_zone", "Mars/Base"),
                ("mobile_phone", "079 123 45 67"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = body["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["first_name", "mobile_phone", "time_zone"]);
    assert_eq!(app.count("SELECT count(*) FROM audit_log WHERE action = 'account.profile_updated'").await, 0);

    let response = browser
        .call(
            "update_profile",
            &[
                ("first_name", "Annabel"),
                ("last_name", "Smith"),
                ("time_zone", "Asia/Tokyo"),
                ("mobile_phone", "+41 79 123 45 67"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["location"], "/account?notice=profile_saved");
    let (status, me) = browser.call_json("current_user", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((me["first_name"].as_str(), me["time_zone"].as_str()), (Some("Annabel"), Some("Asia/Tokyo")));
    assert_eq!(me["mobile_phone"], "+41791234567", "stored in E.164");
    let (changes, actor): (String, String) =
        sqlx::query_as("SELECT details::text, actor_name FROM audit_log WHERE action = 'account.profile_updated'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(
        changes.contains("Anna → Annabel")
            && changes.contains("UTC → Asia/Tokyo")
            && changes.contains(" → +41791234567")
            && !changes.contains("last_name"),
        "{changes}"
    );
    assert_eq!(actor, "Anna Smith", "named as they were when they acted");

    let (status, _) = app
        .browser()
        .call_json("update_profile", &[("first_name", "X"), ("last_name", "Y"), ("time_zone", "UTC")])
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "no session");
}

#[db_test]
async fn changing_the_password_needs_the_current_one_ends_the_other_sessions_and_mails_a_notice(pool: Db) {
    let app = spawn_app(pool).await;
    let (_, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let anna = app.add_user(org_id, "operator", "Anna", "Smith").await;
    let (here, elsewhere) = (app.browser(), app.browser());
    here.sign_in(&anna, PASSWORD).await;
    elsewhere.sign_in(&anna, PASSWORD).await;
    const NEW: &str = "Tulip-Quarry-Vessel-42";

    let change = |current: &'static str, password: &'static str, confirmation: &'static str| {
        let here = &here;
        async move {
            here.call_json(
                "change_password",
                &[("current_password", current), ("password", password), ("password_confirmation", confirmation)],
            )
            .await
        }
    };
    let (status, body) = change("Wrong-Password-1!", NEW, NEW).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"][0]["field"], "current_password");
    let (status, body) = change(PASSWORD, "weak", "weak").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"][0]["field"], "password");
    let (status, body) = change(PASSWORD, PASSWORD, PASSWORD).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["fields"][0]["message"].as_str().unwrap().contains("other than the current one"));
    assert_eq!(elsewhere.whoami().await.as_deref(), Some(anna.as_str()), "refusals change nothing");

    let (status, _) = change(PASSWORD, NEW, NEW).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(here.whoami().await.as_deref(), Some(anna.as_str()), "still signed in here");
    assert_eq!(elsewhere.whoami().await, None, "signed out everywhere else");
    assert_eq!(app.browser().sign_in(&anna, PASSWORD).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(app.browser().sign_in(&anna, NEW).await.0, StatusCode::OK);

    let (subject, text): (String, String) =
        sqlx::query_as("SELECT subject, body_text FROM outbox WHERE recipient = $1 AND kind = 'password_changed'")
            .bind(&anna)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(subject, "Your Roster password was changed");
    assert!(text.contains("at Acme") && !text.contains(NEW), "never the password: {text}");
    assert_eq!(app.count("SELECT count(*) FROM audit_log WHERE action = 'account.password_changed'").await, 1);
    let (status, _) = app
        .browser()
        .call_json(
            "change_password",
            &[("current_password", NEW), ("password", PASSWORD), ("password_confirmation", PASSWORD)],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "no session");
}
