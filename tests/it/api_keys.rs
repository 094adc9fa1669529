//! API keys and `/api/v1`: a key is shown once and stored as a hash; the
//! permission check answers with the same explanation as the pages; the
//! list of holders agrees with the check; a key sees only its organization;
//! missing, unknown and revoked keys are 401; bad parameters are named;
//! each key is rate limited; every change is audited.

use crate::common::*;
use reqwest::StatusCode;
use roster::features::access::types::AccessPermission;
use roster::server::config::Config;
use roster::server::db::Db;
use serde_json::{Value, json};

async fn api(app: &TestApp, key: Option<&str>, path: &str, query: &[(&str, &str)]) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new().get(app.url(path)).query(query);
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

const CHECK: &str = "/api/v1/permissions/check";
const USERS: &str = "/api/v1/users";

async fn new_key(admin: &Browser, name: &str) -> String {
    let (status, created) = admin.call_json("create_api_key", &[("name", name)]).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    created["key"].as_str().unwrap().to_owned()
}

#[db_test]
async fn a_key_checks_permissions_with_the_explanation_and_lists_their_holders(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let key = new_key(&admin, "Sensor alerts").await;
    assert!(key.starts_with("roster_") && key.len() > 40, "{key}");
    // Only its hash is kept.
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM api_keys WHERE token_hash = sha256($1::bytea)")
        .bind(key.as_bytes())
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored, 1);
    let (_, page) = admin.call_json("list_api_keys", &[]).await;
    assert_eq!(page["keys"][0]["name"], "Sensor alerts");
    assert_eq!(page["keys"][0]["last_used"], Value::Null);
    assert_eq!(page["created"], Value::Null);
    assert!(!page.to_string().contains(&key), "the key is not shown again");

    let anna = app.add_user(org_id, "basic", "Anna", "Smith").await;
    let anna_id = app.user_id_of(&anna).await.to_string();
    let bob = app.add_user(org_id, "basic", "Bob", "Jones").await;
    let (status, body) = api(&app, Some(&key), CHECK, &[("user", &anna), ("permission", "download_reports")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({ "user": anna_id, "permission": "download_reports", "allowed": true,
                "explanation": "Anna can Download reports: the role Basic grants it" })
    );
    let (_, body) = api(&app, Some(&key), CHECK, &[("user", &anna_id), ("permission", "user_menu")]).await;
    assert_eq!(body["allowed"], false);
    assert_eq!(body["explanation"], "Anna cannot Serving user menu: the role Basic does not grant it");

    // A grant is in force at the next request, and named.
    admin.call("save_user_access", &[("user", &anna_id), ("settings[user_menu]", "granted")]).await;
    let (_, body) = api(&app, Some(&key), CHECK, &[("user", &anna_id), ("permission", "user_menu")]).await;
    assert_eq!(body["allowed"], true);
    let explanation = body["explanation"].as_str().unwrap();
    assert!(
        explanation.starts_with("Anna can Serving user menu: a per-user grant by Ada Lovelace on 20"),
        "{explanation}"
    );
    assert!(explanation.ends_with("overrides the role Basic"), "{explanation}");

    // Who holds it, by email, a page at a time.
    let (status, body) = api(&app, Some(&key), USERS, &[("permission", "user_menu"), ("limit", "1")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut emails = vec![body["users"][0]["email"].as_str().unwrap().to_owned()];
    let next = body["next"].as_str().unwrap().to_owned();
    let (_, body) =
        api(&app, Some(&key), USERS, &[("permission", "user_menu"), ("limit", "1"), ("after", &next)]).await;
    emails.push(body["users"][0]["email"].as_str().unwrap().to_owned());
    assert_eq!(body["next"], Value::Null);
    let mut expected = vec![admin_email.to_lowercase(), anna.to_lowercase()];
    expected.sort();
    assert_eq!(emails, expected, "the Superuser and Anna, not Bob ({bob})");
    assert_eq!(body["users"][0].as_object().unwrap().len(), 5, "id, email, names, role: {body}");

    // The list shows when the key was last used.
    let (_, page) = admin.call_json("list_api_keys", &[]).await;
    assert_ne!(page["keys"][0]["last_used"], Value::Null);
    assert_eq!(app.count("SELECT count(*) FROM audit_log WHERE action = 'api_key.created'").await, 1);
}

#[db_test]
async fn the_holders_list_and_the_check_agree_on_every_user_and_permission(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let key = new_key(&admin, "Reports").await;
    let mut users = vec![admin_email.clone()];
    for (role, first, settings) in [
        ("basic", "Anna", vec![("settings[invoices]", "granted"), ("settings[dashboard]", "denied")]),
        ("operator", "Olga", vec![("settings[edit_alarm_profiles]", "denied"), ("settings[user_menu]", "granted")]),
        ("basic", "Bea", vec![]),
        ("operator", "Otto", vec![("settings[delete_sensors]", "granted")]),
    ] {
        let email = app.add_user(org_id, role, first, "Test").await;
        let id = app.user_id_of(&email).await.to_string();
        let mut form = vec![("user", id.as_str())];
        form.extend(settings);
        admin.call("save_user_access", &form).await;
        users.push(email);
    }
    // A disabled user holds nothing.
    let dora = app.add_user(org_id, "operator", "Dora", "Disabled").await;
    sqlx::query("UPDATE users SET status = 'disabled' WHERE email = $1").bind(&dora).execute(&app.pool).await.unwrap();
    users.push(dora);
    // An external Operator never serves the user menu, though Operators do.
    let erin = app.add_user(org_id, "operator", "Erin", "External").await;
    app.make_external(&erin).await;
    users.push(erin);
    admin
        .call(
            "save_role_defaults",
            &[
                ("basic[show_deviation]", "on"),
                ("operator[dashboard]", "on"),
                ("operator[edit_alarm_profiles]", "on"),
                ("operator[user_menu]", "on"),
            ],
        )
        .await;

    for permission in AccessPermission::ALL {
        let (_, body) = api(&app, Some(&key), USERS, &[("permission", permission.key()), ("limit", "1000")]).await;
        let listed: Vec<String> =
            body["users"].as_array().unwrap().iter().map(|u| u["email"].as_str().unwrap().to_owned()).collect();
        for email in &users {
            let (_, check) = api(&app, Some(&key), CHECK, &[("user", email), ("permission", permission.key())]).await;
            let allowed = check["allowed"].as_bool().unwrap();
            assert_eq!(listed.contains(&email.to_lowercase()), allowed, "{permission:?} {email}: {check}");
        }
    }
}

#[db_test]
async fn keys_see_only_their_organization_and_bad_requests_are_named(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let key = new_key(&admin, "Invoicing").await;
    let (other, other_email) = app.signed_up("Globex").await;
    let other_key = new_key(&other, "Theirs").await;
    let other_id = app.user_id_of(&other_email).await.to_string();
    let admin_id = app.user_id_of(&admin_email).await.to_string();

    let (status, body) = api(&app, Some(&key), CHECK, &[("user", &other_id), ("permission", "invoices")]).await;
    assert_eq!((status, &body["parameter"]), (StatusCode::NOT_FOUND, &json!("user")), "{body}");
    let (status, _) = api(&app, Some(&key), CHECK, &[("user", &other_email), ("permission", "invoices")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, body) = api(&app, Some(&other_key), USERS, &[("permission", "invoices")]).await;
    assert_eq!(body["users"].as_array().unwrap().len(), 1, "only Globex's Superuser: {body}");

    // Missing, unknown: 401 with a JSON error.
    let response = reqwest::Client::new().get(app.url(CHECK)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    let (status, body) = api(&app, Some("roster_not-a-key"), CHECK, &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body["error"].as_str().unwrap().contains("unknown or was revoked"));

    for (path, query, parameter) in [
        (CHECK, vec![("user", admin_id.as_str())], "permission"),
        (CHECK, vec![("user", admin_id.as_str()), ("permission", "fly")], "permission"),
        (CHECK, vec![("user", "nobody"), ("permission", "invoices")], "user"),
        (CHECK, vec![("permission", "invoices")], "user"),
        (USERS, vec![("permission", "invoices"), ("limit", "0")], "limit"),
        (USERS, vec![("permission", "invoices"), ("limit", "1001")], "limit"),
        (USERS, vec![("permission", "invoices"), ("after", "garbage")], "after"),
        (USERS, vec![], "permission"),
    ] {
        let (status, body) = api(&app, Some(&key), path, &query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path} {query:?}: {body}");
        assert_eq!(body["parameter"], parameter, "{path} {query:?}: {body}");
        assert!(!body["error"].as_str().unwrap().is_empty());
    }
    let (status, body) = api(&app, Some(&key), USERS, &[("permission", "invoices"), ("dashbord", "1")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"].as_str().unwrap().contains("dashbord"), "{body}");

    // Revoked: refused at once; audited; revoking again changes nothing.
    let (_, page) = admin.call_json("list_api_keys", &[]).await;
    let key_id = page["keys"][0]["id"].as_str().unwrap().to_owned();
    // Another organization's Superuser does not find it.
    assert_eq!(other.call_json("revoke_api_key", &[("id", &key_id)]).await.0, StatusCode::NOT_FOUND);
    assert_eq!(admin.call_json("revoke_api_key", &[("id", &key_id)]).await.0, StatusCode::OK);
    let (status, _) = api(&app, Some(&key), CHECK, &[("user", &admin_id), ("permission", "invoices")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    admin.call_json("revoke_api_key", &[("id", &key_id)]).await;
    assert_eq!(app.count("SELECT count(*) FROM audit_log WHERE action = 'api_key.revoked'").await, 1);
    let (_, page) = admin.call_json("list_api_keys", &[]).await;
    assert_ne!(page["keys"][0]["revoked"], Value::Null);
}

#[db_test]
async fn without_javascript_a_new_key_is_shown_once_on_the_page(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, _) = app.signed_up("Acme").await;
    let response = admin.post_form("create_api_key", &[("name", "Alerting")]).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["location"], "/settings/api-keys");
    let html = admin.page_html("/settings/api-keys").await;
    assert!(html.contains("is ready. Copy it now"), "{html}");
    assert!(html.contains("value=\"roster_"), "{html}");
    let html = admin.page_html("/settings/api-keys").await;
    assert!(!html.contains("value=\"roster_"), "shown once");
    assert!(html.contains("Alerting"));
    // A name is required, and said next to the field.
    let (status, body) = admin.call_json("create_api_key", &[("name", "  ")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"][0]["field"], "name");
    assert_eq!(app.count("SELECT count(*) FROM api_keys").await, 1);
}

#[db_test]
async fn each_key_is_rate_limited_on_its_own(pool: Db) {
    let config = Config { api_requests_per_minute: 3, ..Config::for_database("postgres://unused") };
    let app = spawn_app_with(pool, config).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let first = new_key(&admin, "First").await;
    let second = new_key(&admin, "Second").await;
    let query = [("user", admin_email.as_str()), ("permission", "invoices")];
    for _ in 0..3 {
        assert_eq!(api(&app, Some(&first), CHECK, &query).await.0, StatusCode::OK);
    }
    assert_eq!(api(&app, Some(&first), CHECK, &query).await.0, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(api(&app, Some(&second), CHECK, &query).await.0, StatusCode::OK);
}

#[db_test]
async fn each_denial_of_the_key_functions(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    new_key(&admin, "Sensors").await;
    let (_, page) = admin.call_json("list_api_keys", &[]).await;
    let key_id = page["keys"][0]["id"].as_str().unwrap().to_owned();
    app.assert_each_denial(org_id, "revoke_api_key", &[("id", &key_id)]).await;
    for (function, form) in [("list_api_keys", vec![]), ("create_api_key", vec![("name", "Mine")])] {
        assert_eq!(app.browser().call_json(function, &form).await.0, StatusCode::UNAUTHORIZED, "{function}");
        for role in ["basic", "operator"] {
            let browser = app.browser();
            browser.sign_in(&app.add_user(org_id, role, "Not", "Admin").await, PASSWORD).await;
            assert_eq!(browser.call_json(function, &form).await.0, StatusCode::FORBIDDEN, "{function}: {role}");
        }
    }
    assert_eq!(app.count("SELECT count(*) FROM api_keys WHERE revoked_at IS NULL").await, 1);
}
