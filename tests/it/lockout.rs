//! Automatic lockout: the threshold within the window locks the account,
//! failures while locked change nothing, the owner is mailed, a timed lock
//! ends by itself, "until unlocked" waits for an admin, the count is
//! atomic under concurrent guesses, and Unlock's denials.

use crate::common::*;
use reqwest::StatusCode;
use roster::server::config::Config;
use roster::server::db::Db;
use uuid::Uuid;

const WRONG: &str = "Wrong-Password-1!";

#[derive(sqlx::FromRow, Debug, PartialEq)]
struct LockState {
    failed_sign_ins: i32,
    locked: bool,
    minutes_left: Option<i64>,
}

async fn lock_state(app: &TestApp, email: &str) -> LockState {
    sqlx::query_as(
        "SELECT failed_sign_ins, locked_at IS NOT NULL AS locked, \
                round(extract(epoch FROM locked_until - now()) / 60)::bigint AS minutes_left \
         FROM users WHERE email = $1",
    )
    .bind(email)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

async fn audit_count(app: &TestApp, user: Uuid, action: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE subject_id = $1 AND action = $2")
        .bind(user)
        .bind(action)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[db_test]
async fn five_failures_lock_for_fifteen_minutes_the_owner_is_mailed_and_the_lock_ends_by_itself(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let anna = app.add_user(org_id, "basic", "Anna", "Smith").await;
    let anna_id = app.user_id_of(&anna).await;
    let browser = app.browser();
    let (_, refusal) = browser.sign_in(&anna, WRONG).await;
    for _ in 1..4 {
        assert_eq!(browser.sign_in(&anna, WRONG).await, (StatusCode::UNAUTHORIZED, refusal.clone()));
    }
    assert_eq!(lock_state(&app, &anna).await, LockState { failed_sign_ins: 4, locked: false, minutes_left: None });
    assert_eq!(browser.sign_in(&anna, WRONG).await, (StatusCode::UNAUTHORIZED, refusal.clone()), "the fifth");
    assert_eq!(lock_state(&app, &anna).await, LockState { failed_sign_ins: 5, locked: true, minutes_left: Some(15) });

    // Locked: the right password gets the same answer, and more failures
    // neither count nor extend the lock.
    let until: chrono::DateTime<chrono::Utc> = sqlx::query_scalar("SELECT locked_until FROM users WHERE id = $1")
        .bind(anna_id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(browser.sign_in(&anna, PASSWORD).await, (StatusCode::UNAUTHORIZED, refusal.clone()), "right password");
    assert_eq!(browser.sign_in(&anna, WRONG).await, (StatusCode::UNAUTHORIZED, refusal.clone()));
    let after: chrono::DateTime<chrono::Utc> = sqlx::query_scalar("SELECT locked_until FROM users WHERE id = $1")
        .bind(anna_id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(after, until, "not extended");
    assert_eq!(lock_state(&app, &anna).await.failed_sign_ins, 5);
    assert_eq!(audit_count(&app, anna_id, "account.locked").await, 1);
    assert_eq!(audit_count(&app, anna_id, "session.sign_in_failed").await, 7, "each failure is audited");

    // The owner learns of it, with the time it ends and a recovery link.
    let (subject, text): (String, String) = sqlx::query_as(
        "SELECT subject, body_text FROM outbox WHERE recipient = $1 AND kind = 'recovery' ORDER BY created_at DESC LIMIT 1",
    )
    .bind(&anna)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(subject, "Your Roster account is locked");
    assert!(text.contains("after 5 failed sign-ins") && text.contains("unlocks by itself on"), "{text}");
    assert!(text.contains(&format!("{}/recover/", app.url(""))), "{text}");

    // The table and the profile show the lock; the status stays Active.
    let (_, page) = admin.list(&[]).await;
    let row = page["rows"].as_array().unwrap().iter().find(|r| r["email"] == anna.as_str()).unwrap().clone();
    assert_eq!(row["status"], "active");
    assert!(row["lock"]["until"]["local"].as_str().is_some(), "{row}");
    let html = admin.page_html("/settings/users").await;
    assert!(html.contains("Account is locked until"), "the label without JavaScript");

    // A timed lock ends by itself; the next right password signs in and
    // starts the count afresh.
    sqlx::query("UPDATE users SET locked_until = now() - interval '1 second' WHERE id = $1")
        .bind(anna_id)
        .execute(&app.pool)
        .await
        .unwrap();
    let (_, page) = admin.list(&[]).await;
    let row = page["rows"].as_array().unwrap().iter().find(|r| r["email"] == anna.as_str()).unwrap().clone();
    assert!(row["lock"].is_null(), "no label once it has ended: {row}");
    assert_eq!(browser.sign_in(&anna, PASSWORD).await.0, StatusCode::OK);
    assert_eq!(lock_state(&app, &anna).await, LockState { failed_sign_ins: 0, locked: false, minutes_left: None });
}

#[db_test]
async fn failures_outside_the_window_start_a_new_count(pool: Db) {
    let app = spawn_app(pool).await;
    let (_, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let anna = app.add_user(org_id, "basic", "Anna", "Smith").await;
    let browser = app.browser();
    for _ in 0..4 {
        browser.sign_in(&anna, WRONG).await;
    }
    sqlx::query("UPDATE users SET first_failed_at = now() - interval '16 minutes' WHERE email = $1")
        .bind(&anna)
        .execute(&app.pool)
        .await
        .unwrap();
    browser.sign_in(&anna, WRONG).await;
    assert_eq!(lock_state(&app, &anna).await, LockState { failed_sign_ins: 1, locked: false, minutes_left: None });
    // A success resets the count too.
    browser.sign_in(&anna, PASSWORD).await;
    assert_eq!(lock_state(&app, &anna).await.failed_sign_ins, 0);
}

#[db_test]
async fn a_lock_until_unlocked_waits_for_an_admin_who_unlocks_it(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    sqlx::query("UPDATE organizations SET lockout_minutes = NULL, lockout_threshold = 3 WHERE id = $1")
        .bind(org_id)
        .execute(&app.pool)
        .await
        .unwrap();
    let anna = app.add_user(org_id, "basic", "Anna", "Smith").await;
    let anna_id = app.user_id_of(&anna).await;
    let browser = app.browser();
    for _ in 0..3 {
        browser.sign_in(&anna, WRONG).await;
    }
    assert_eq!(lock_state(&app, &anna).await, LockState { failed_sign_ins: 3, locked: true, minutes_left: None });
    let text: String = sqlx::query_scalar("SELECT body_text FROM outbox WHERE recipient = $1 AND kind = 'recovery'")
        .bind(&anna)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(text.contains("stays locked until an admin unlocks it"), "{text}");
    let (_, details) = admin.call_json("user_details", &[("id", &anna_id.to_string())]).await;
    assert_eq!(details["row"]["lock"], serde_json::json!({ "until": null }));

    let response = admin.call("unlock_account", &[("user", &anna_id.to_string()), ("view", "sort=email")]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let location = response.headers()["location"].to_str().unwrap();
    assert!(location.contains("notice=unlocked") && location.contains("sort=email"), "{location}");
    assert_eq!(lock_state(&app, &anna).await, LockState { failed_sign_ins: 0, locked: false, minutes_left: None });
    assert_eq!(audit_count(&app, anna_id, "user.unlocked").await, 1);
    assert_eq!(browser.sign_in(&anna, PASSWORD).await.0, StatusCode::OK);

    // Unlocking an account that is not locked says so and changes nothing.
    let before = app.count("SELECT count(*) FROM audit_log").await;
    let (status, body) = admin.call_json("unlock_account", &[("user", &anna_id.to_string())]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["message"], "Anna Smith's account is not locked.");
    assert_eq!(app.count("SELECT count(*) FROM audit_log").await, before);
}

/// 50 wrong guesses at once (the per-client limit raised so that it does
/// not hide a race): exactly the threshold is counted, one lock, one mail.
#[db_test]
async fn fifty_parallel_guesses_cannot_slip_past_the_threshold(pool: Db) {
    let config = Config { password_requests_per_minute: 10_000, ..Config::for_database("postgres://unused") };
    let app = &spawn_app_with(pool, config).await;
    let (_, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let anna = &app.add_user(org_id, "basic", "Anna", "Smith").await;
    let anna_id = app.user_id_of(anna).await;
    let guesses = (0..50).map(|i| async move { app.browser().sign_in(anna, &format!("Wrong-Guess-{i}!")).await.0 });
    let answers = futures::future::join_all(guesses).await;
    assert!(answers.iter().all(|s| *s == StatusCode::UNAUTHORIZED), "{answers:?}");
    assert_eq!(lock_state(app, anna).await, LockState { failed_sign_ins: 5, locked: true, minutes_left: Some(15) });
    assert_eq!(audit_count(app, anna_id, "account.locked").await, 1);
    let reasons: Vec<(String, i64)> = sqlx::query_as(
        "SELECT details->>'reason', count(*) FROM audit_log WHERE subject_id = $1 AND action = 'session.sign_in_failed' \
         GROUP BY 1 ORDER BY 1",
    )
    .bind(anna_id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(reasons, vec![("account locked".to_owned(), 45), ("wrong password".to_owned(), 5)]);
    assert_eq!(app.count("SELECT count(*) FROM outbox WHERE kind = 'recovery'").await, 1, "one lock mail");
    // And now the right password is refused too.
    assert_eq!(app.browser().sign_in(anna, PASSWORD).await.0, StatusCode::UNAUTHORIZED);
}

#[db_test]
async fn only_a_superuser_of_the_same_organization_may_unlock(pool: Db) {
    let app = spawn_app(pool).await;
    let (_, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let anna = app.add_user(org_id, "basic", "Anna", "Smith").await;
    let anna_id = app.user_id_of(&anna).await.to_string();
    sqlx::query("UPDATE users SET locked_at = now(), locked_until = now() + interval '15 minutes' WHERE email = $1")
        .bind(&anna)
        .execute(&app.pool)
        .await
        .unwrap();
    for function in ["unlock_account", "send_password_recovery"] {
        app.assert_each_denial(org_id, function, &[("user", &anna_id)]).await;
    }
    assert!(lock_state(&app, &anna).await.locked, "still locked");
    assert_eq!(app.count("SELECT count(*) FROM outbox WHERE kind = 'recovery'").await, 0, "nothing sent");
}
