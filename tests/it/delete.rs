//! Deleting a user: the Superuser's own password first, then the user, their
//! sessions, links and mail go and the seat is freed, in one transaction
//! with its audit entry; the guards and each denial.

use crate::common::*;
use reqwest::StatusCode;
use roster::server::db::Db;

#[db_test]
async fn deleting_asks_for_the_admins_password_then_removes_everything_of_the_user_and_frees_the_seat(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let anna = app.add_user(org_id, "operator", "Anna", "Smith").await;
    let anna_id = app.user_id_of(&anna).await;
    let anna_browser = app.browser();
    assert_eq!(anna_browser.sign_in(&anna, PASSWORD).await.0, StatusCode::OK);
    let seats = app.count("SELECT used::bigint FROM seats WHERE role = 'operator'").await;
    let audit_before = app.count("SELECT count(*) FROM audit_log").await;

    let id = anna_id.to_string();
    let (status, body) = admin.call_json("delete_user", &[("user", &id), ("password", "Wrong-Password-1!")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"][0]["field"], "password");
    assert_eq!(body["fields"][0]["message"], "The password is incorrect.");
    assert_eq!(anna_browser.whoami().await.as_deref(), Some(anna.as_str()), "a wrong password changes nothing");
    assert_eq!(app.count("SELECT count(*) FROM audit_log").await, audit_before);

    let response = admin.call("delete_user", &[("user", &id), ("password", PASSWORD), ("view", "sort=email")]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.contains("sort=email") && location.contains("deleted=Anna+Smith") && !location.contains("user="),
        "{location}"
    );
    assert_eq!(anna_browser.whoami().await, None, "signed out at once");
    let left: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM users WHERE id = $1) + (SELECT count(*) FROM sessions WHERE user_id = $1) \
              + (SELECT count(*) FROM outbox WHERE user_id = $1) + (SELECT count(*) FROM invites WHERE user_id = $1)",
    )
    .bind(anna_id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(left, 0);
    assert_eq!(
        app.count("SELECT used::bigint FROM seats WHERE role = 'operator'").await,
        seats - 1,
        "the seat is free"
    );
    // The log still reads: who deleted whom.
    let (actor, subject, email): (String, String, String) = sqlx::query_as(
        "SELECT actor_name, subject_name, details->>'email' FROM audit_log WHERE action = 'user.deleted'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((actor.as_str(), subject.as_str(), email.as_str()), ("Ada Lovelace", "Anna Smith", anna.as_str()));
    let (status, page) = admin.call_json("list_audit", &[("query[subject]", id.as_str())]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["subject_name"], "Anna Smith", "the name survives the user");
}

#[db_test]
async fn nobody_deletes_themself_or_the_last_superuser_and_only_superusers_of_the_organization_may_delete(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let admin_id = app.user_id_of(&admin_email).await.to_string();
    let (status, body) = admin.call_json("delete_user", &[("user", &admin_id), ("password", PASSWORD)]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["message"], "You cannot delete yourself.");

    // A second Superuser, disabled: Ada is then the last active one.
    let sam = app.add_user(org_id, "superuser", "Sam", "Second").await;
    let sam_browser = app.browser();
    sam_browser.sign_in(&sam, PASSWORD).await;
    let sam_id = app.user_id_of(&sam).await.to_string();
    assert_eq!(admin.call_json("disable_access", &[("user", &sam_id)]).await.0, StatusCode::OK);
    assert_eq!(admin.call_json("enable_access", &[("user", &sam_id)]).await.0, StatusCode::OK);
    assert_eq!(sam_browser.sign_in(&sam, PASSWORD).await.0, StatusCode::OK);
    assert_eq!(admin.call_json("disable_access", &[("user", &sam_id)]).await.0, StatusCode::OK);
    // Sam (disabled) cannot act; Ada deleting Sam is fine, but not the other way round.
    let anna = app.add_user(org_id, "basic", "Anna", "Smith").await;
    let anna_id = app.user_id_of(&anna).await.to_string();
    let (status, _) = app.browser().call_json("delete_user", &[("user", &anna_id), ("password", PASSWORD)]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "no session");
    for role in ["basic", "operator"] {
        let email = app.add_user(org_id, role, "Not", "Admin").await;
        let browser = app.browser();
        browser.sign_in(&email, PASSWORD).await;
        let (status, _) = browser.call_json("delete_user", &[("user", &anna_id), ("password", PASSWORD)]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role}");
    }
    let (other, _) = app.signed_up("Globex").await;
    let (status, _) = other.call_json("delete_user", &[("user", &anna_id), ("password", PASSWORD)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another organization's user does not exist for them");
    assert_eq!(app.count("SELECT count(*) FROM users WHERE org_id IS NOT NULL AND first_name = 'Anna'").await, 1);

    // Wrong passwords count against the sign-in limit.
    let config = roster::server::config::Config {
        password_requests_per_minute: 2,
        ..roster::server::config::Config::for_database("postgres://unused")
    };
    let limited = spawn_app_with(app.pool.clone(), config).await;
    // The limits are the database's, shared by both instances: the sign-ins
    // above count too. From a fresh minute:
    sqlx::query("DELETE FROM rate_limits").execute(&app.pool).await.unwrap();
    let ada = limited.browser();
    assert_eq!(ada.sign_in(&admin_email, PASSWORD).await.0, StatusCode::OK);
    let (status, _) = ada.call_json("delete_user", &[("user", &anna_id), ("password", "Wrong-1!")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = ada.call_json("delete_user", &[("user", &anna_id), ("password", PASSWORD)]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}
