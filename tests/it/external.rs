//! Internal and external users: chosen when inviting, listed apart, and an
//! external user never serves the user menu nor becomes the Superuser,
//! whatever the role's defaults or a per-user grant say.

use crate::common::*;
use reqwest::StatusCode;
use roster::server::db::Db;

fn emails(body: &serde_json::Value) -> Vec<String> {
    body["rows"].as_array().unwrap().iter().map(|r| r["email"].as_str().unwrap().to_owned()).collect()
}

#[db_test]
async fn an_invite_makes_an_employee_or_an_external_user_and_each_has_its_list(pool: Db) {
    let app = spawn_app(pool).await;
    let (ada, ada_email) = app.signed_up("Acme").await;

    // An employee needs a hire date; nothing is created without one.
    let grace = unique_email("grace");
    let form: Vec<(&str, &str)> =
        invite_form(&grace, "basic").into_iter().filter(|(k, _)| *k != "invite[hire_date]").collect();
    let (status, body) = ada.call_json("invite_user", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["fields"][0]["field"], "hire_date");
    assert_eq!(body["fields"][0]["message"], "Enter the hire date: it is required for employees.");
    assert_eq!(app.count("SELECT count(*) FROM users WHERE kind = 'internal' AND status = 'invited'").await, 0);

    // An external user does not; without JavaScript the browser lands on
    // their list, which says so.
    let carol = unique_email("carol");
    let mut form: Vec<(&str, &str)> =
        invite_form(&carol, "operator").into_iter().filter(|(k, _)| *k != "invite[hire_date]").collect();
    form.push(("invite[kind]", "external"));
    let response = ada.post_form("invite_user", &form).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let back = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(back.starts_with("/settings/external-users?invited="), "{back}");
    let html = ada.page_html(&back).await;
    assert!(html.contains(&format!("Invitation sent to {carol}")), "the notice");
    assert!(html.contains(&carol), "the new row");
    let kind: String = sqlx::query_scalar("SELECT kind::text FROM users WHERE email = $1")
        .bind(&carol)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(kind, "external");
    let entry: serde_json::Value =
        sqlx::query_scalar("SELECT details FROM audit_log WHERE action = 'invite.created' ORDER BY at DESC LIMIT 1")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(entry["type"], "External user");

    // Each list holds its own; no kind filter lists both.
    let ok = ada.call_json("invite_user", &invite_form(&grace, "basic")).await;
    assert_eq!(ok.0, StatusCode::OK, "{}", ok.1);
    let (_, internal) = ada.list(&[("kind", "internal")]).await;
    assert_eq!(emails(&internal).len(), 2);
    assert!(emails(&internal).contains(&grace) && emails(&internal).contains(&ada_email));
    let (_, external) = ada.list(&[("kind", "external")]).await;
    assert_eq!(emails(&external), [carol.clone()]);
    assert_eq!(external["rows"][0]["kind"], "external");
    let (_, both) = ada.list(&[]).await;
    assert_eq!(emails(&both).len(), 3);

    // The pages: User Management shows employees, External users the others.
    let users = ada.page_html("/settings/users").await;
    assert!(users.contains(&grace) && !users.contains(&carol));
    let external = ada.page_html("/settings/external-users").await;
    assert!(external.contains(&carol) && !external.contains(&grace));
    assert!(external.contains("Add external user"));
    // Its invite dialog starts at "External user", and closes back to it.
    let dialog = ada.page_html("/settings/external-users?invite").await;
    assert!(dialog.contains(r#"id="kind-external" name="invite[kind]" value="external" checked"#), "preselected");
    assert!(dialog.contains(r#"href="/settings/external-users" class="button">Cancel"#));

    // An unknown type is refused next to its field.
    let mut form = invite_form("x@example.com", "basic");
    form.push(("invite[kind]", "robot"));
    let (status, body) = ada.call_json("invite_user", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"][0]["field"], "kind");
}

#[db_test]
async fn an_external_user_never_serves_the_user_menu_or_becomes_the_superuser(pool: Db) {
    let app = spawn_app(pool).await;
    let (ada, ada_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&ada_email).await;
    let carol = app.add_user(org_id, "operator", "Carol", "Partner").await;
    app.make_external(&carol).await;
    let carol_id = app.user_id_of(&carol).await.to_string();

    // The organization lets every Operator serve the user menu…
    let (status, body) =
        ada.call_json("save_role_defaults", &[("operator[user_menu]", "on"), ("operator[dashboard]", "on")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // …but not Carol: her session is refused User Management.
    let carol_browser = app.browser();
    carol_browser.sign_in(&carol, PASSWORD).await;
    assert_eq!(carol_browser.list(&[]).await.0, StatusCode::FORBIDDEN);
    assert_eq!(carol_browser.whoami().await.as_deref(), Some(carol.as_str()), "still signed in");

    // Her access says why, in the same words as every check.
    let (status, body) = ada.call_json("load_user_access", &[("id", &carol_id)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let user_menu = body["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["permission"] == "user_menu")
        .unwrap_or_else(|| panic!("{body}"))
        .clone();
    assert_eq!(user_menu["allowed"], false);
    assert_eq!(
        user_menu["explanation"],
        "Carol cannot Serving user menu: external users never hold it, whatever their role or settings"
    );

    // A per-user grant is refused by the server, from the form and the
    // matrix alike, and by the database for any other path.
    let (status, body) =
        ada.call_json("save_user_access", &[("user", &carol_id), ("settings[user_menu]", "granted")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["fields"][0]["field"], "user_menu");
    assert!(body["fields"][0]["message"].as_str().unwrap().contains("external users cannot hold Serving user menu"));
    let (status, _) = ada.call_json("change_permission", &[("user", &carol_id), ("change", "user_menu:granted")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("SELECT count(*) FROM user_permissions").await, 0);
    let direct = sqlx::query(
        "INSERT INTO user_permissions (org_id, user_id, permission, granted, set_by_name) VALUES ($1, $2, 'user_menu', true, 'x')",
    )
    .bind(org_id)
    .bind(app.user_id_of(&carol).await)
    .execute(&app.pool)
    .await;
    assert!(direct.unwrap_err().to_string().contains("external users cannot serve the user menu"));
    // Other permissions can still be granted to her.
    let (status, _) =
        ada.call_json("save_user_access", &[("user", &carol_id), ("settings[invoices]", "granted")]).await;
    assert_eq!(status, StatusCode::OK);

    // She can never be handed the Superuser role, and the database agrees.
    let (status, body) = ada.call_json("transfer_superuser", &[("user", &carol_id), ("password", PASSWORD)]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["message"].as_str().unwrap().contains("external users can never be the Superuser"), "{body}");
    let direct =
        sqlx::query("UPDATE users SET role = 'superuser' WHERE email = $1").bind(&carol).execute(&app.pool).await;
    assert!(direct.unwrap_err().to_string().contains("users_external_not_superuser"));
    let role: String = sqlx::query_scalar("SELECT role::text FROM users WHERE email = $1")
        .bind(&ada_email)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(role, "superuser");
}
