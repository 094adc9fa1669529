//! Changing a user's email: only where the organization allows it; the new
//! address takes effect when its owner confirms it (single use, 24 hours),
//! the old one is told both times; pending shown on the profile; taken
//! addresses, invitations and dead links are refused and change nothing.

use crate::common::*;
use reqwest::StatusCode;
use roster::server::db::Db;

async fn version_of(app: &TestApp, email: &str) -> String {
    let v: i64 = sqlx::query_scalar("SELECT version FROM users WHERE lower(email) = lower($1)")
        .bind(email)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    v.to_string()
}

/// Anna's Edit form with `email` (the other fields as they are).
async fn save_email(app: &TestApp, admin: &Browser, anna: &str, email: &str) -> (StatusCode, serde_json::Value) {
    let id = app.user_id_of(anna).await.to_string();
    let version = version_of(app, anna).await;
    admin
        .call_json(
            "edit_user",
            &[
                ("user", id.as_str()),
                ("edit[version]", &version),
                ("edit[first_name]", "Anna"),
                ("edit[last_name]", "Smith"),
                ("edit[email]", email),
                ("edit[role]", "basic"),
                ("edit[time_zone]", "UTC"),
            ],
        )
        .await
}

async fn allow(app: &TestApp, org_id: uuid::Uuid) {
    sqlx::query("UPDATE organizations SET email_editable = true WHERE id = $1")
        .bind(org_id)
        .execute(&app.pool)
        .await
        .unwrap();
}

async fn mail_to(app: &TestApp, recipient: &str, kind: &str) -> (String, String) {
    sqlx::query_as(
        "SELECT subject, body_text FROM outbox WHERE recipient = $1 AND kind = $2 ORDER BY created_at DESC LIMIT 1",
    )
    .bind(recipient)
    .bind(kind)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

#[db_test]
async fn a_new_address_takes_effect_only_when_its_owner_confirms_it(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let anna = app.add_user(org_id, "basic", "Anna", "Smith").await;
    let anna_id = app.user_id_of(&anna).await;
    let new = unique_email("anna.new");

    // Off by default: refused next to the field, nothing changed.
    let before = app.count("SELECT count(*) FROM audit_log").await;
    let (status, body) = save_email(&app, &admin, &anna, &new).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"][0]["field"], "email");
    assert!(body["fields"][0]["message"].as_str().unwrap().contains("Security settings"), "{body}");
    assert_eq!(app.count("SELECT count(*) FROM audit_log").await, before);
    assert_eq!(app.count("SELECT count(*) FROM invites WHERE purpose = 'email_change'").await, 0);

    allow(&app, org_id).await;
    let (status, body) = save_email(&app, &admin, &anna, &new).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, details) = admin.call_json("user_details", &[("id", &anna_id.to_string())]).await;
    assert_eq!(details["row"]["email"], anna.as_str(), "not changed yet");
    assert_eq!(details["pending_email"], new.as_str(), "shown as pending");
    let (subject, text) = mail_to(&app, &new, "email_change").await;
    assert!(subject.starts_with("Confirm your new email address"), "{subject}");
    assert!(text.contains("Ada Lovelace, an admin of Acme") && text.contains("/confirm-email/"), "{text}");
    let (_, notice) = mail_to(&app, &anna, "email_change_notice").await;
    assert!(notice.contains(&format!("asked to change the email address of your Roster account to {new}")), "{notice}");
    assert_eq!(app.browser().sign_in(&anna, PASSWORD).await.0, StatusCode::OK, "the old address still signs in");

    let token = latest_link_token(&app.pool, &new, "/confirm-email/").await;
    let visitor = app.browser();
    let (_, link) = visitor.call_json("email_change_link", &[("token", &token)]).await;
    assert_eq!((link["state"].as_str(), link["new_email"].as_str()), (Some("valid"), Some(new.as_str())));
    let html = visitor.page_html(&format!("/confirm-email/{token}")).await;
    assert!(html.contains("Confirm new address"), "opening the page changes nothing and offers the button");

    let response = visitor.call("confirm_email_change", &[("token", &token)]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let expected: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("email", &new)
        .append_pair("notice", "email_changed")
        .finish();
    assert_eq!(response.headers()["location"].to_str().unwrap(), format!("/sign-in?{expected}"));
    assert_eq!(app.browser().sign_in(&new, PASSWORD).await.0, StatusCode::OK, "the new address signs in");
    assert_eq!(app.browser().sign_in(&anna, PASSWORD).await.0, StatusCode::UNAUTHORIZED, "the old one no longer");
    let (subject, _) = mail_to(&app, &anna, "email_change_notice").await;
    assert_eq!(subject, "Your Roster email address was changed", "the old address is told it is done");
    let (status, body) = visitor.call_json("confirm_email_change", &[("token", &token)]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "single use");
    assert!(body["message"].as_str().unwrap().contains("already confirmed"));
    let (_, details) = admin.call_json("user_details", &[("id", &anna_id.to_string())]).await;
    assert!(details["pending_email"].is_null());
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE subject_id = $1 AND action LIKE 'account.email%' ORDER BY id",
    )
    .bind(anna_id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(actions, ["account.email_change_requested", "account.email_changed"]);
}

#[db_test]
async fn taken_addresses_invitations_and_dead_links_are_refused(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    allow(&app, org_id).await;
    let anna = app.add_user(org_id, "basic", "Anna", "Smith").await;
    let (_, other_email) = app.signed_up("Globex").await;

    let before = app.count("SELECT count(*) FROM audit_log").await;
    let (status, body) = save_email(&app, &admin, &anna, &other_email.to_uppercase()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"][0]["message"], "Another Roster account already uses this address.");
    let (status, body) = save_email(&app, &admin, &anna, "not an address").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"][0]["field"], "email");
    assert_eq!(app.count("SELECT count(*) FROM audit_log").await, before, "nothing changed");

    // An invitation's address is not changed.
    let grace = unique_email("grace");
    assert_eq!(admin.call_json("invite_user", &invite_form(&grace, "operator")).await.0, StatusCode::OK);
    let grace_id = app.user_id_of(&grace).await.to_string();
    let version = version_of(&app, &grace).await;
    let (status, body) = admin
        .call_json(
            "edit_user",
            &[
                ("user", grace_id.as_str()),
                ("edit[version]", &version),
                ("edit[first_name]", "Grace"),
                ("edit[last_name]", "Hopper"),
                ("edit[email]", "grace.other@example.com"),
                ("edit[role]", "operator"),
                ("edit[time_zone]", "UTC"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["fields"][0]["message"].as_str().unwrap().contains("cancel the invite"), "{body}");

    // A second change replaces the first; an expired link is refused.
    let (first, second) = (unique_email("first"), unique_email("second"));
    assert_eq!(save_email(&app, &admin, &anna, &first).await.0, StatusCode::OK);
    let first_token = latest_link_token(&app.pool, &first, "/confirm-email/").await;
    assert_eq!(save_email(&app, &admin, &anna, &second).await.0, StatusCode::OK);
    let visitor = app.browser();
    let (_, link) = visitor.call_json("email_change_link", &[("token", &first_token)]).await;
    assert_eq!(link["state"], "replaced");
    assert_eq!(visitor.call_json("confirm_email_change", &[("token", &first_token)]).await.0, StatusCode::BAD_REQUEST);
    sqlx::query("UPDATE invites SET expires_at = now() - interval '1 second' WHERE purpose = 'email_change'")
        .execute(&app.pool)
        .await
        .unwrap();
    let second_token = latest_link_token(&app.pool, &second, "/confirm-email/").await;
    let (status, body) = visitor.call_json("confirm_email_change", &[("token", &second_token)]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().contains("expired"), "{body}");
    let email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(app.user_id_of(&anna).await)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(email, anna, "unchanged");
}
