//! Security settings: the defaults, a save (audited old → new) that the
//! lockout then follows, bad input that changes nothing, and each denial.

use crate::common::*;
use reqwest::StatusCode;
use roster::server::db::Db;
use serde_json::json;

fn form<'a>(
    threshold: &'a str,
    window: &'a str,
    ends: &'a str,
    minutes: &'a str,
    retention: &'a str,
) -> Vec<(&'static str, &'a str)> {
    vec![
        ("settings[password_policy]", "composition"),
        ("settings[lockout_threshold]", threshold),
        ("settings[lockout_window_minutes]", window),
        ("settings[lockout_ends]", ends),
        ("settings[lockout_minutes]", minutes),
        ("settings[audit_retention_days]", retention),
    ]
}

#[db_test]
async fn a_superuser_changes_the_lockout_and_retention_and_the_change_is_audited(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let (status, settings) = admin.call_json("load_security_settings", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        settings,
        json!({ "lockout_threshold": 5, "lockout_window_minutes": 15, "lockout_minutes": 15, "password_policy": "composition", "email_editable": false, "audit_retention_days": 365 })
    );

    let response = admin.call("save_security_settings", &form("3", "60", "until_unlocked", "15", "90")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["location"], "/settings/security?notice=saved");
    let (_, settings) = admin.call_json("load_security_settings", &[]).await;
    assert_eq!(
        settings,
        json!({ "lockout_threshold": 3, "lockout_window_minutes": 60, "lockout_minutes": null, "password_policy": "composition", "email_editable": false, "audit_retention_days": 90 })
    );
    let details: serde_json::Value = sqlx::query_scalar(
        "SELECT details FROM audit_log WHERE org_id = $1 AND action = 'organization.security_changed'",
    )
    .bind(org_id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        details,
        json!({
            "lockout_threshold": "5 → 3",
            "lockout_window": "15 min → 60 min",
            "lockout_duration": "15 min → until an admin unlocks",
            "audit_retention": "365 days → 90 days",
        })
    );
    // Saving the same values again writes nothing.
    admin.call("save_security_settings", &form("3", "60", "until_unlocked", "15", "90")).await;
    assert_eq!(app.count("SELECT count(*) FROM audit_log WHERE action = 'organization.security_changed'").await, 1);

    // The lockout follows: three failures lock, until an admin unlocks.
    let anna = app.add_user(org_id, "basic", "Anna", "Smith").await;
    for _ in 0..3 {
        app.browser().sign_in(&anna, "Wrong-Password-1!").await;
    }
    let (locked, until): (bool, Option<chrono::DateTime<chrono::Utc>>) =
        sqlx::query_as("SELECT locked_at IS NOT NULL, locked_until FROM users WHERE email = $1")
            .bind(&anna)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((locked, until), (true, None));

    // Without JavaScript the page is rendered by the server.
    let html = admin.page_html("/settings/security").await;
    assert!(html.contains("Automatic lockout") && html.contains("Failed sign-ins before the lock"), "{html}");
}

#[db_test]
async fn bad_settings_get_a_message_per_field_and_change_nothing(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, _) = app.signed_up("Acme").await;
    let before = app.count("SELECT count(*) FROM audit_log").await;
    let (status, body) = admin.call_json("save_security_settings", &form("1", "abc", "sometimes", "0", "5")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<&str> = body["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["lockout_threshold", "lockout_window_minutes", "lockout_ends", "audit_retention_days"]);
    assert_eq!(body["fields"][0]["message"], "Failed sign-ins must be a whole number from 3 to 100.");
    let (status, body) = admin
        .call_json(
            "save_security_settings",
            &[("settings[password_policy]", "none"), ("settings[lockout_threshold]", "5")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["fields"].as_array().unwrap().iter().any(|f| f["field"] == "password_policy"), "{body}");
    let (status, body) = admin.call_json("save_security_settings", &form("5", "15", "timed", "99999", "365")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"][0]["field"], "lockout_minutes");
    let (_, settings) = admin.call_json("load_security_settings", &[]).await;
    assert_eq!(settings["lockout_threshold"], 5);
    assert_eq!(app.count("SELECT count(*) FROM audit_log").await, before);
}

#[db_test]
async fn only_a_superuser_reads_or_changes_their_own_organizations_settings(pool: Db) {
    let app = spawn_app(pool).await;
    let (_, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let change = form("3", "15", "timed", "15", "365");
    for (function, body) in [("load_security_settings", vec![]), ("save_security_settings", change.clone())] {
        let (status, _) = app.browser().call_json(function, &body).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{function}: no session");
        for role in ["basic", "operator"] {
            let email = app.add_user(org_id, role, "Not", "Admin").await;
            let browser = app.browser();
            browser.sign_in(&email, PASSWORD).await;
            let (status, _) = browser.call_json(function, &body).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{function}: {role}");
        }
    }
    // Another organization's Superuser changes only their own.
    let (other, _) = app.signed_up("Globex").await;
    assert_eq!(other.call_json("save_security_settings", &change).await.0, StatusCode::OK);
    let threshold: i32 = sqlx::query_scalar("SELECT lockout_threshold FROM organizations WHERE id = $1")
        .bind(org_id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(threshold, 5, "Acme's settings are untouched");
}

/// The policy the Superuser picks applies to the next password anyone
/// chooses (activation, recovery, change), with its checklist on the page;
/// the most common passwords are refused under either policy.
#[db_test]
async fn the_chosen_password_policy_applies_to_activation_and_common_passwords_are_refused(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, _) = app.signed_up("Acme").await;
    let email = unique_email("grace");
    assert_eq!(admin.call_json("invite_user", &invite_form(&email, "basic")).await.0, StatusCode::OK);
    let token = latest_activation_token(&app.pool, &email).await;
    let visitor = app.browser();
    let activate = |password: &'static str| {
        let (visitor, token) = (&visitor, token.clone());
        async move {
            visitor
                .call_json(
                    "activate_account",
                    &[
                        ("token", token.as_str()),
                        ("first_name", "Grace"),
                        ("last_name", "Hopper"),
                        ("time_zone", "UTC"),
                        ("password", password),
                        ("password_confirmation", password),
                    ],
                )
                .await
        }
    };
    // The default policy: a common password that meets the rules is refused.
    let (status, body) = activate("P@ssw0rd").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"][0]["message"], "This is one of the most common passwords. Choose another one.");

    let mut change = form("5", "15", "timed", "15", "365");
    change[0] = ("settings[password_policy]", "length");
    assert_eq!(admin.call_json("save_security_settings", &change).await.0, StatusCode::OK);
    let (_, link) = visitor.call_json("activation_link", &[("token", &token)]).await;
    assert_eq!(link["password_policy"], "length", "the page's checklist follows the policy");
    let html = visitor.page_html(&format!("/activate/{token}")).await;
    assert!(html.contains("At least 15 characters") && !html.contains("An upper-case letter"), "{html}");
    let (status, body) = activate("Tr0ub4dor&3!").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "12 characters are too few now");
    assert!(body["fields"][0]["message"].as_str().unwrap().contains("15 characters"), "{body}");
    let (status, body) = activate("tulip quarry vessel harbour").await;
    assert_eq!(status, StatusCode::OK, "a long passphrase without composition rules: {body}");
}
