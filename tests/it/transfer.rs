//! Transfer Superuser: the role moves in one transaction, the old
//! Superuser takes an Operator seat (or a Basic one), seats stay within
//! their quotas, both keep working with their new rights, and the denials.
//! (The old Superuser can always step down: the new one leaves a Basic or
//! an Operator seat free, so the "free a seat first" refusal stays a guard.)

use crate::common::*;
use reqwest::StatusCode;
use roster::features::orgs::server::set_quota;
use roster::features::users::types::Role;
use roster::server::db::Db;

async fn role_of(app: &TestApp, email: &str) -> String {
    sqlx::query_scalar("SELECT role::text FROM users WHERE email = $1").bind(email).fetch_one(&app.pool).await.unwrap()
}

#[db_test]
async fn the_superuser_hands_over_and_becomes_an_operator_or_a_basic_user(pool: Db) {
    let app = spawn_app(pool).await;
    let (ada, ada_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&ada_email).await;
    // Every Operator seat is taken, Anna among them: the one she leaves is Ada's.
    set_quota(&app.pool, org_id, Role::Operator, 0).await.unwrap();
    let anna = app.add_user(org_id, "operator", "Anna", "Smith").await;
    let anna_browser = app.browser();
    anna_browser.sign_in(&anna, PASSWORD).await;
    let anna_id = app.user_id_of(&anna).await.to_string();

    let (status, body) = ada.call_json("transfer_superuser", &[("user", &anna_id), ("password", "Wrong-1!")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"][0]["message"], "The password is incorrect.");
    assert_eq!(role_of(&app, &anna).await, "operator");

    let response = ada.call("transfer_superuser", &[("user", &anna_id), ("password", PASSWORD)]).await;
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
    assert_eq!((role_of(&app, &anna).await, role_of(&app, &ada_email).await), ("superuser".into(), "operator".into()));
    let seats: Vec<(String, i32, i32)> =
        sqlx::query_as("SELECT role::text, used, quota FROM seats WHERE org_id = $1 ORDER BY role")
            .bind(org_id)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert!(seats.contains(&("superuser".into(), 1, 1)) && seats.contains(&("operator".into(), 1, 1)), "{seats:?}");
    // Both sessions keep working, with their new rights.
    assert_eq!(anna_browser.list(&[]).await.0, StatusCode::OK);
    assert_eq!(ada.list(&[]).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE action = 'organization.superuser_transferred'").await,
        1
    );

    // Back again, with no Operator seat left for Anna: she becomes Basic.
    let ada_id = app.user_id_of(&ada_email).await.to_string();
    let (status, _) = anna_browser.call_json("transfer_superuser", &[("user", &ada_id), ("password", PASSWORD)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (role_of(&app, &ada_email).await, role_of(&app, &anna).await),
        ("superuser".into(), "operator".into()),
        "Ada's Operator seat was freed for Anna"
    );
}

#[db_test]
async fn an_inactive_target_changes_nothing_and_only_the_organizations_superuser_may_hand_over(pool: Db) {
    let app = spawn_app(pool).await;
    let (ada, ada_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&ada_email).await;
    let anna = app.add_user(org_id, "basic", "Anna", "Smith").await;
    set_quota(&app.pool, org_id, Role::Operator, 0).await.unwrap();
    set_quota(&app.pool, org_id, Role::Basic, 1).await.unwrap();
    let anna_id = app.user_id_of(&anna).await.to_string();
    let grace = unique_email("grace");
    set_quota(&app.pool, org_id, Role::Basic, 2).await.unwrap();
    assert_eq!(ada.call_json("invite_user", &invite_form(&grace, "basic")).await.0, StatusCode::OK);
    let grace_id = app.user_id_of(&grace).await.to_string();
    let (status, body) = ada.call_json("transfer_superuser", &[("user", &grace_id), ("password", PASSWORD)]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "an invited user: {body}");
    assert!(body["message"].as_str().unwrap().contains("Only an active Basic or Operator user"));

    for (who, expected) in
        [("nobody", StatusCode::UNAUTHORIZED), ("basic", StatusCode::FORBIDDEN), ("other", StatusCode::NOT_FOUND)]
    {
        let browser = match who {
            "nobody" => app.browser(),
            "other" => app.signed_up("Globex").await.0,
            _ => {
                let b = app.browser();
                b.sign_in(&anna, PASSWORD).await;
                b
            }
        };
        let (status, _) = browser.call_json("transfer_superuser", &[("user", &anna_id), ("password", PASSWORD)]).await;
        assert_eq!(status, expected, "{who}");
    }
    assert_eq!(role_of(&app, &ada_email).await, "superuser");
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE action = 'organization.superuser_transferred'").await,
        0
    );
}
