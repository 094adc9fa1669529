//! Password recovery: "Forgot password?" answers alike for every address
//! and mails at most 3 links an hour; an admin's "Recover password"; the
//! link (single use, one hour, replaced by the next) sets a password that
//! ends every session and clears a lockout; and bad input changes nothing.

use std::time::Duration;

use crate::common::*;
use reqwest::StatusCode;
use roster::server::db::Db;

const NEW_PASSWORD: &str = "Quarry-Tulip-Vessel-93";

/// Waits for the recovery mail the spawned request queues (the answer
/// comes before the work, so that its timing tells nothing).
async fn recovery_mails(app: &TestApp, email: &str, expected: i64) -> i64 {
    for _ in 0..100 {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE recipient = $1 AND kind = 'recovery'")
            .bind(email)
            .fetch_one(&app.pool)
            .await
            .unwrap();
        if n >= expected {
            return n;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no {expected} recovery mails to {email}");
}

#[db_test]
async fn forgot_password_answers_alike_and_its_link_sets_a_password_that_signs_out_everywhere(pool: Db) {
    let app = spawn_app(pool).await;
    let (_, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let anna = app.add_user(org_id, "basic", "Anna", "Smith").await;
    let anna_id = app.user_id_of(&anna).await;
    let laptop = app.browser();
    assert_eq!(laptop.sign_in(&anna, PASSWORD).await.0, StatusCode::OK);
    // Locked as well: the recovery clears it.
    sqlx::query("UPDATE users SET failed_sign_ins = 5, locked_at = now(), locked_until = now() + interval '15 minutes' WHERE id = $1")
        .bind(anna_id)
        .execute(&app.pool)
        .await
        .unwrap();

    let visitor = app.browser();
    let answer = |email: String| {
        let visitor = &visitor;
        async move {
            let response = visitor.call("forgot_password", &[("email", &email)]).await;
            (response.status(), response.headers().get("location").cloned(), response.text().await.unwrap())
        }
    };
    let known = answer(anna.clone()).await;
    let unknown = answer(unique_email("nobody")).await;
    assert_eq!(known, unknown, "the same answer whether or not the address has an account");
    assert_eq!(known.1.unwrap(), "/forgot-password/sent");
    recovery_mails(&app, &anna, 1).await;
    let (subject, text): (String, String) =
        sqlx::query_as("SELECT subject, body_text FROM outbox WHERE recipient = $1 AND kind = 'recovery'")
            .bind(&anna)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(subject, "Reset your Roster password");
    assert!(text.contains("expires on") && !text.contains(PASSWORD), "{text}");
    let token = latest_link_token(&app.pool, &anna, "/recover/").await;

    // Opening the link changes nothing and shows whose it is.
    let (status, link) = visitor.call_json("recovery_link", &[("token", &token)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((link["state"].as_str(), link["email"].as_str()), (Some("valid"), Some(anna.as_str())));

    // Bad input: a field error, nothing changed.
    let (status, body) = visitor
        .call_json("recover_password", &[("token", &token), ("password", "short"), ("password_confirmation", "short")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["fields"][0]["field"] == "password", "{body}");
    let (status, body) = visitor
        .call_json(
            "recover_password",
            &[("token", &token), ("password", NEW_PASSWORD), ("password_confirmation", "Quarry-Tulip-Vessel-94")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"][0]["message"], "The two passwords do not match.", "{body}");
    assert_eq!(laptop.whoami().await.as_deref(), Some(anna.as_str()), "still signed in");

    let response = visitor
        .call(
            "recover_password",
            &[("token", &token), ("password", NEW_PASSWORD), ("password_confirmation", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let expected: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("email", &anna)
        .append_pair("notice", "password_reset")
        .finish();
    assert_eq!(location, format!("/sign-in?{expected}"), "the sign-in page with the email filled in");
    assert_eq!(laptop.whoami().await, None, "every session ended");
    let (failed, locked): (i32, bool) =
        sqlx::query_as("SELECT failed_sign_ins, locked_at IS NOT NULL FROM users WHERE id = $1")
            .bind(anna_id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((failed, locked), (0, false), "the lockout is cleared");
    assert_eq!(app.browser().sign_in(&anna, PASSWORD).await.0, StatusCode::UNAUTHORIZED, "the old password is gone");
    assert_eq!(app.browser().sign_in(&anna, NEW_PASSWORD).await.0, StatusCode::OK);
    let notice: String = sqlx::query_scalar(
        "SELECT body_text FROM outbox WHERE recipient = $1 AND kind = 'password_changed' ORDER BY created_at DESC LIMIT 1",
    )
    .bind(&anna)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(notice.contains("was changed") && !notice.contains(NEW_PASSWORD));

    // Single use.
    let (status, body) = visitor
        .call_json(
            "recover_password",
            &[("token", &token), ("password", NEW_PASSWORD), ("password_confirmation", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().contains("already been used"), "{body}");
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE subject_id = $1 AND action LIKE 'recovery.%' ORDER BY id",
    )
    .bind(anna_id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(actions, ["recovery.requested", "recovery.used"]);
}

#[db_test]
async fn at_most_three_recovery_mails_an_hour_and_none_for_accounts_that_cannot_sign_in(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let anna = app.add_user(org_id, "basic", "Anna", "Smith").await;
    let dora = app.add_user(org_id, "basic", "Dora", "Disabled").await;
    let dora_id = app.user_id_of(&dora).await.to_string();
    assert_eq!(admin.call_json("disable_access", &[("user", &dora_id)]).await.0, StatusCode::OK);
    for _ in 0..5 {
        let response = app.browser().call("forgot_password", &[("email", &anna.to_uppercase())]).await;
        assert_eq!(response.headers()["location"], "/forgot-password/sent");
    }
    app.browser().call("forgot_password", &[("email", &dora)]).await;
    recovery_mails(&app, &anna, 3).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(recovery_mails(&app, &anna, 3).await, 3, "no more than three");
    assert_eq!(
        app.count("SELECT count(*) FROM outbox WHERE kind = 'recovery' AND state <> 'canceled'").await,
        1,
        "each new link withdraws the unsent mail of the one before"
    );
    let disabled: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE recipient = $1")
        .bind(&dora)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(disabled, 0, "a disabled account gets nothing");
}

#[db_test]
async fn an_admin_sends_a_recovery_link_and_the_next_one_replaces_it(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let anna = app.add_user(org_id, "basic", "Anna", "Smith").await;
    let anna_id = app.user_id_of(&anna).await.to_string();
    let response = admin.call("send_password_recovery", &[("user", &anna_id), ("view", "sort=email")]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let location = response.headers()["location"].to_str().unwrap();
    assert!(location.contains("notice=recovery_sent") && location.contains(&anna_id), "{location}");
    let text: String = sqlx::query_scalar("SELECT body_text FROM outbox WHERE recipient = $1 AND kind = 'recovery'")
        .bind(&anna)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(text.contains("Ada Lovelace, an admin of Acme"), "{text}");
    let first = latest_link_token(&app.pool, &anna, "/recover/").await;
    let (_, details) = admin.call_json("user_details", &[("id", &anna_id)]).await;
    assert_eq!(details["recovery_mails"][0]["state"], "queued", "its delivery is shown as for invites");

    assert_eq!(admin.call_json("send_password_recovery", &[("user", &anna_id)]).await.0, StatusCode::OK);
    let second = latest_link_token(&app.pool, &anna, "/recover/").await;
    let visitor = app.browser();
    let (_, link) = visitor.call_json("recovery_link", &[("token", &first)]).await;
    assert_eq!(link["state"], "replaced");
    assert_eq!(link["email"], "", "a dead link shows nobody's address");
    let (_, link) = visitor.call_json("recovery_link", &[("token", &second)]).await;
    assert_eq!(link["state"], "valid");
    // After an hour it has expired.
    sqlx::query(
        "UPDATE invites SET expires_at = now() - interval '1 second' WHERE purpose = 'recovery' AND revoked_at IS NULL",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let (status, body) = visitor
        .call_json(
            "recover_password",
            &[("token", &second), ("password", NEW_PASSWORD), ("password_confirmation", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().contains("expired"), "{body}");
    assert_eq!(app.browser().sign_in(&anna, PASSWORD).await.0, StatusCode::OK, "the password is unchanged");

    // Only an active user can be sent one.
    let grace = unique_email("grace");
    // (Anna took the last Basic seat.)
    assert_eq!(admin.call_json("invite_user", &invite_form(&grace, "operator")).await.0, StatusCode::OK);
    let grace_id = app.user_id_of(&grace).await.to_string();
    let before = app.count("SELECT count(*) FROM audit_log").await;
    let (status, body) = admin.call_json("send_password_recovery", &[("user", &grace_id)]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().contains("Only active users"), "{body}");
    assert_eq!(app.count("SELECT count(*) FROM audit_log").await, before);
    let sent: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'recovery.sent'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(sent, 2);
}

#[db_test]
async fn the_lock_mail_link_takes_the_account_back(pool: Db) {
    let app = spawn_app(pool).await;
    let (_, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let anna = app.add_user(org_id, "basic", "Anna", "Smith").await;
    for _ in 0..5 {
        app.browser().sign_in(&anna, "Wrong-Password-1!").await;
    }
    let token = latest_link_token(&app.pool, &anna, "/recover/").await;
    let response = app
        .browser()
        .call(
            "recover_password",
            &[("token", &token), ("password", NEW_PASSWORD), ("password_confirmation", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(app.browser().sign_in(&anna, NEW_PASSWORD).await.0, StatusCode::OK, "unlocked at once");
    // Without JavaScript: the link's page is rendered by the server.
    let html = app.browser().page_html(&format!("/recover/{token}")).await;
    assert!(html.contains("This link has been used"), "{html}");
}
