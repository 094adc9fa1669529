//! Activation links: checked when opened (changing nothing), used once,
//! refused when expired, replaced, cancelled or unknown.

use crate::common::*;
use reqwest::StatusCode;
use roster::error::AppError;
use roster::features::auth::types::Password;
use roster::features::invites::server::activate::{Activation, ActivationLink, activate, inspect};
use roster::features::invites::server::create::{Inviter, create_invite};
use roster::features::invites::server::validate;
use roster::features::invites::types::InviteForm;
use roster::server::db::Db;

const NEW_PASSWORD: &str = "Tulip-Quarry-Vessel-42";

/// Invites `email` into the admin's organization; returns the link's token
/// as the email carries it.
async fn invite(app: &TestApp, admin: &str, email: &str) -> String {
    let org_id = app.org_id_of(admin).await;
    let admin_id = app.user_id_of(admin).await;
    let inviter = Inviter {
        org_id,
        user_id: admin_id,
        name: "Ada Lovelace".into(),
        organization: "Acme".into(),
        origin: Default::default(),
    };
    let form = InviteForm {
        first_name: "Grace".into(),
        last_name: "Hopper".into(),
        email: email.into(),
        role: "basic".into(),
        hire_date: "2026-01-05".into(),
        ..Default::default()
    };
    create_invite(&app.pool, &inviter, &validate::invite(&form, chrono_tz::Tz::UTC).unwrap(), "http://roster.test")
        .await
        .unwrap();
    latest_activation_token(&app.pool, email).await
}

fn activation(password: &str, confirmation: &str) -> Activation {
    Activation {
        first_name: "Grace B.".into(),
        last_name: "Hopper".into(),
        time_zone: "America/New_York".into(),
        password: Password::new(password),
        password_confirmation: Password::new(confirmation),
        origin: Default::default(),
    }
}

async fn status_of(app: &TestApp, email: &str) -> (String, bool) {
    sqlx::query_as("SELECT status::text, activated_at IS NOT NULL FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[db_test]
async fn opening_a_link_changes_nothing_and_activating_signs_in_once(pool: Db) {
    let app = spawn_app(pool).await;
    let (_, admin) = app.signed_up("Acme").await;
    let email = unique_email("grace");
    let token = invite(&app, &admin, &email).await;

    for _ in 0..3 {
        let state = inspect(&app.pool, &token).await.unwrap();
        assert!(matches!(&state, ActivationLink::Valid { first_name, .. } if first_name == "Grace"), "{state:?}");
    }
    assert_eq!(status_of(&app, &email).await, ("invited".into(), false));

    let auth = activate(&app.pool, &app.state.hasher, &token, activation(NEW_PASSWORD, NEW_PASSWORD)).await.unwrap();
    assert_eq!(status_of(&app, &email).await, ("active".into(), true));
    let (first_name, zone): (String, String) = sqlx::query_as("SELECT first_name, time_zone FROM users WHERE id = $1")
        .bind(auth.user_id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!((first_name.as_str(), zone.as_str()), ("Grace B.", "America/New_York"));
    assert_eq!(
        app.count("SELECT count(*) FROM users WHERE last_sign_in_at IS NOT NULL AND status = 'active'").await,
        2
    );

    // The new password signs in; the link is spent.
    let (status, _) = app.browser().sign_in(&email, NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    assert!(matches!(inspect(&app.pool, &token).await.unwrap(), ActivationLink::Used { .. }));
    let again = activate(&app.pool, &app.state.hasher, &token, activation(NEW_PASSWORD, NEW_PASSWORD)).await;
    assert!(
        matches!(again, Err(AppError::BadRequest { ref message }) if message.contains("already been used")),
        "{again:?}"
    );
}

#[db_test]
async fn expired_replaced_cancelled_and_unknown_links_are_refused(pool: Db) {
    let app = spawn_app(pool).await;
    let (_, admin) = app.signed_up("Acme").await;

    let expired = unique_email("expired");
    let token = invite(&app, &admin, &expired).await;
    sqlx::query("UPDATE invites SET expires_at = now() - interval '1 minute'").execute(&app.pool).await.unwrap();
    assert!(matches!(inspect(&app.pool, &token).await.unwrap(), ActivationLink::Expired { .. }));
    let refused = activate(&app.pool, &app.state.hasher, &token, activation(NEW_PASSWORD, NEW_PASSWORD)).await;
    assert!(matches!(refused, Err(AppError::BadRequest { ref message }) if message.contains("expired")));
    assert_eq!(status_of(&app, &expired).await, ("invited".into(), false));

    let cancelled = unique_email("cancelled");
    let token = invite(&app, &admin, &cancelled).await;
    sqlx::query("UPDATE users SET status = 'invite_canceled' WHERE email = $1")
        .bind(&cancelled)
        .execute(&app.pool)
        .await
        .unwrap();
    let state = inspect(&app.pool, &token).await.unwrap();
    assert_eq!(state, ActivationLink::Canceled { organization: "Acme".into(), admin: Some("Ada Lovelace".into()) });
    assert!(activate(&app.pool, &app.state.hasher, &token, activation(NEW_PASSWORD, NEW_PASSWORD)).await.is_err());

    let replaced = unique_email("replaced");
    let token = invite(&app, &admin, &replaced).await;
    sqlx::query("UPDATE invites SET revoked_at = now() WHERE user_id = (SELECT id FROM users WHERE email = $1)")
        .bind(&replaced)
        .execute(&app.pool)
        .await
        .unwrap();
    assert!(matches!(inspect(&app.pool, &token).await.unwrap(), ActivationLink::Replaced { .. }));

    for garbage in ["", "nope", &"x".repeat(5000), "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"] {
        assert_eq!(inspect(&app.pool, garbage).await.unwrap(), ActivationLink::Unknown);
    }
}

#[db_test]
async fn weak_or_mismatched_passwords_change_nothing(pool: Db) {
    let app = spawn_app(pool).await;
    let (_, admin) = app.signed_up("Acme").await;
    let email = unique_email("grace");
    let token = invite(&app, &admin, &email).await;
    for (password, confirmation, field) in [
        ("Password1!", "Password1!", "password"),
        ("Grace2026!", "Grace2026!", "password"),
        ("nocapitals-42!", "nocapitals-42!", "password"),
        (NEW_PASSWORD, "Tulip-Quarry-Vessel-43", "password_confirmation"),
    ] {
        let error =
            activate(&app.pool, &app.state.hasher, &token, activation(password, confirmation)).await.unwrap_err();
        assert!(error.field_message(field).is_some(), "{password}: {error:?}");
    }
    assert_eq!(status_of(&app, &email).await, ("invited".into(), false));
    assert!(matches!(inspect(&app.pool, &token).await.unwrap(), ActivationLink::Valid { .. }));
}

#[db_test]
async fn a_link_activates_only_its_own_user_and_only_once_under_concurrency(pool: Db) {
    let app = spawn_app(pool).await;
    let (_, admin) = app.signed_up("Acme").await;
    let (grace, alan) = (unique_email("grace"), unique_email("alan"));
    let token = invite(&app, &admin, &grace).await;
    invite(&app, &admin, &alan).await;

    let (a, b) = tokio::join!(
        activate(&app.pool, &app.state.hasher, &token, activation(NEW_PASSWORD, NEW_PASSWORD)),
        activate(&app.pool, &app.state.hasher, &token, activation(NEW_PASSWORD, NEW_PASSWORD)),
    );
    assert_eq!([a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(), 1, "one of two submissions wins");
    assert_eq!(status_of(&app, &grace).await.0, "active");
    assert_eq!(status_of(&app, &alan).await, ("invited".into(), false), "another user's invite is untouched");
}

#[db_test]
async fn the_activation_endpoints_show_the_link_and_sign_the_user_in(pool: Db) {
    let app = spawn_app(pool).await;
    let (_, admin) = app.signed_up("Acme").await;
    let email = unique_email("grace");
    let token = invite(&app, &admin, &email).await;

    let visitor = app.browser();
    let (status, link) = visitor.call_json("activation_link", &[("token", &token)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(link["state"], "valid");
    assert_eq!(link["email"], email.as_str());
    let (_, unknown) = visitor.call_json("activation_link", &[("token", "forged")]).await;
    assert_eq!(unknown["state"], "unknown");

    // The page itself renders the form on the server.
    let html = visitor.page_html(&format!("/activate/{token}")).await;
    assert!(html.contains("Activate your account") && html.contains("Confirm password"));

    let response = visitor
        .call(
            "activate_account",
            &[
                ("token", token.as_str()),
                ("first_name", "Grace"),
                ("last_name", "Hopper"),
                ("time_zone", "Europe/Zurich"),
                ("password", NEW_PASSWORD),
                ("password_confirmation", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["location"], "/");
    assert_eq!(visitor.whoami().await.as_deref(), Some(email.as_str()), "signed in by activating");
    // A Basic user lands on their account, not on User Management.
    let home = visitor.client.get(app.url("/")).header("accept", "text/html").send().await.unwrap();
    assert_eq!(home.headers()["location"], "/account");
    let (status, _) = visitor.list(&[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let html = app.browser().page_html(&format!("/activate/{token}")).await;
    assert!(html.contains("This link has already been used"));
}
