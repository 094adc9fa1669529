//! Edit → Save: the profile fields and the role within the seat quotas,
//! optimistic concurrency on the row's version, the guards, the audit
//! entry and each denial.

use crate::common::*;
use reqwest::StatusCode;
use roster::server::db::Db;

fn form<'a>(version: &'a str, role: &'a str, department: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("edit[version]", version),
        ("edit[first_name]", "Anna"),
        ("edit[last_name]", "Smith-Jones"),
        ("edit[role]", role),
        ("edit[mobile_phone]", "+41 79 123 45 67"),
        ("edit[department]", department),
        ("edit[time_zone]", "Europe/Berlin"),
    ]
}

async fn version_of(app: &TestApp, email: &str) -> String {
    let v: i64 = sqlx::query_scalar("SELECT version FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    v.to_string()
}

#[db_test]
async fn save_changes_the_profile_and_role_and_a_stale_form_changes_nothing(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let anna = app.add_user(org_id, "basic", "Anna", "Smith").await;
    let id = app.user_id_of(&anna).await.to_string();
    let opened = version_of(&app, &anna).await;

    let mut fields = form(&opened, "operator", "Sales");
    fields.push(("user", &id));
    let response = admin.call("edit_user", &fields).await;
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
    let (last, role, phone, department, zone): (String, String, String, String, String) =
        sqlx::query_as("SELECT last_name, role::text, mobile_phone, department, time_zone FROM users WHERE email = $1")
            .bind(&anna)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        (last.as_str(), role.as_str(), phone.as_str(), department.as_str(), zone.as_str()),
        ("Smith-Jones", "operator", "+41791234567", "Sales", "Europe/Berlin")
    );
    let changes: String = sqlx::query_scalar("SELECT details::text FROM audit_log WHERE action = 'user.edited'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(changes.contains("Basic → Operator") && changes.contains("Smith → Smith-Jones"), "{changes}");

    // Someone else saved in between: the form opened before is refused.
    let mut stale = form(&opened, "basic", "Marketing");
    stale.push(("user", &id));
    let (status, body) = admin.call_json("edit_user", &stale).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("nothing was changed") && message.contains("department: Sales (yours: Marketing)"),
        "{message}"
    );
    let department: String = sqlx::query_scalar("SELECT department FROM users WHERE email = $1")
        .bind(&anna)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(department, "Sales");

    // Bad input: field errors, nothing changed.
    let current = version_of(&app, &anna).await;
    let long = "x".repeat(101);
    let mut bad = form(&current, "operator", &long);
    bad.retain(|(k, _)| *k != "edit[mobile_phone]");
    bad.push(("edit[mobile_phone]", "079 123"));
    bad.push(("user", &id));
    let (status, body) = admin.call_json("edit_user", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<&str> = body["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"mobile_phone") && fields.contains(&"department"), "{body}");
    assert_eq!(version_of(&app, &anna).await, current);
}

#[db_test]
async fn roles_stay_within_quotas_nobody_changes_their_own_and_only_superusers_of_the_organization_edit(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    roster::features::orgs::server::set_quota(&app.pool, org_id, roster::features::users::types::Role::Operator, 0)
        .await
        .unwrap();
    let anna = app.add_user(org_id, "basic", "Anna", "Smith").await;
    let id = app.user_id_of(&anna).await.to_string();
    let v = version_of(&app, &anna).await;
    let mut full = form(&v, "operator", "");
    full.push(("user", &id));
    let (status, body) = admin.call_json("edit_user", &full).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"][0]["field"], "role");
    assert!(body["fields"][0]["message"].as_str().unwrap().contains("All Operator seats are taken"));
    let mut superuser = form(&v, "superuser", "");
    superuser.push(("user", &id));
    let (status, _) = admin.call_json("edit_user", &superuser).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("SELECT count(*) FROM audit_log WHERE action = 'user.edited'").await, 0);

    for (who, expected) in [
        ("nobody", StatusCode::UNAUTHORIZED),
        ("basic", StatusCode::FORBIDDEN),
        ("operator", StatusCode::FORBIDDEN),
        ("other", StatusCode::NOT_FOUND),
    ] {
        let browser = match who {
            "nobody" => app.browser(),
            "other" => app.signed_up("Globex").await.0,
            role => {
                if role == "operator" {
                    roster::features::orgs::server::set_quota(
                        &app.pool,
                        org_id,
                        roster::features::users::types::Role::Operator,
                        1,
                    )
                    .await
                    .unwrap();
                }
                let email = app.add_user(org_id, role, "Not", "Admin").await;
                let b = app.browser();
                b.sign_in(&email, PASSWORD).await;
                b
            }
        };
        let mut fields = form(&v, "basic", "Hacked");
        fields.push(("user", &id));
        let (status, _) = browser.call_json("edit_user", &fields).await;
        assert_eq!(status, expected, "{who}");
    }
    let department: Option<String> = sqlx::query_scalar("SELECT department FROM users WHERE email = $1")
        .bind(&anna)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(department, None);
}
