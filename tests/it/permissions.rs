//! Access permissions: role defaults (seeded, edited on the Roles page),
//! per-user grants and denials with their explanations, "Serving user
//! menu" opening User Management for Basic and Operator users only, every
//! change audited and in force at the user's next request, and each denial.

use crate::common::*;
use reqwest::StatusCode;
use roster::features::access::types::default_role_permissions;
use roster::features::users::types::Role;
use roster::server::db::Db;
use serde_json::{Value, json};
use uuid::Uuid;

async fn signed_in(app: &TestApp, email: &str) -> Browser {
    let browser = app.browser();
    let (status, body) = browser.sign_in(email, PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    browser
}

async fn audit_details(app: &TestApp, org_id: Uuid, action: &str) -> Vec<Value> {
    sqlx::query_scalar("SELECT details FROM audit_log WHERE org_id = $1 AND action = $2 ORDER BY at")
        .bind(org_id)
        .bind(action)
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

fn line<'a>(access: &'a Value, key: &str) -> &'a Value {
    access["permissions"].as_array().unwrap().iter().find(|p| p["permission"] == key).unwrap()
}

#[db_test]
async fn role_defaults_are_seeded_and_a_change_is_audited_and_in_force_at_the_next_request(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let (status, defaults) = admin.call_json("load_role_defaults", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        defaults,
        json!({ "basic": default_role_permissions(Role::Basic), "operator": default_role_permissions(Role::Operator) })
    );

    // A Basic user signed in before the change: no User Management yet.
    let anna = app.add_user(org_id, "basic", "Anna", "Smith").await;
    let anna_browser = signed_in(&app, &anna).await;
    assert_eq!(anna_browser.list(&[]).await.0, StatusCode::FORBIDDEN);

    let form = [
        ("basic[dashboard]", "on"),
        ("basic[download_reports]", "on"),
        ("basic[user_menu]", "on"),
        ("operator[dashboard]", "on"),
    ];
    let response = admin.call("save_role_defaults", &form).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["location"], "/settings/roles?notice=saved");
    assert_eq!(
        audit_details(&app, org_id, "organization.role_defaults_changed").await,
        vec![json!({
            "Basic": "See Dashboard & Sensor analysis, Download reports, Show Deviation → See Dashboard & Sensor analysis, Download reports, Serving user menu",
            "Operator": "See Dashboard & Sensor analysis, Download reports, Add & start sensors, Show Deviation, Acknowledge deviation, Edit alarm profiles, Edit issue profiles → See Dashboard & Sensor analysis",
        })]
    );
    // The very next request of the already signed-in user follows it.
    let (status, page) = anna_browser.list(&[]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let (_, mine) = anna_browser.call_json("my_access", &[]).await;
    assert_eq!(line(&mine, "user_menu")["explanation"], "You can Serving user menu: the role Basic grants it");
    assert_eq!(line(&mine, "show_deviation")["allowed"], false);

    // The same form again writes nothing.
    admin.call("save_role_defaults", &form).await;
    assert_eq!(audit_details(&app, org_id, "organization.role_defaults_changed").await.len(), 1);

    // An unknown permission is refused next to it and changes nothing.
    let (status, body) = admin.call_json("save_role_defaults", &[("basic[fly]", "on")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["fields"][0]["field"], "basic[fly]");
    let (_, after) = admin.call_json("load_role_defaults", &[]).await;
    assert_eq!(after["operator"], json!(1), "only See Dashboard & Sensor analysis");
}

#[db_test]
async fn per_user_grants_and_denials_override_the_role_and_say_who_set_them(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let anna = app.add_user(org_id, "basic", "Anna", "Smith").await;
    let anna_id = app.user_id_of(&anna).await.to_string();
    let anna_browser = signed_in(&app, &anna).await;

    let response = admin
        .call(
            "save_user_access",
            &[
                ("user", &anna_id),
                ("settings[user_menu]", "granted"),
                ("settings[download_reports]", "denied"),
                // Equal to the role's default: not stored.
                ("settings[dashboard]", "granted"),
                ("settings[invoices]", "denied"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["location"], format!("/settings/users/{anna_id}/access?notice=saved"));
    let stored: Vec<(String, bool)> =
        sqlx::query_as("SELECT permission, granted FROM user_permissions WHERE user_id = $1::uuid ORDER BY permission")
            .bind(&anna_id)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(stored, vec![("download_reports".to_owned(), false), ("user_menu".to_owned(), true)]);
    assert_eq!(
        audit_details(&app, org_id, "user.access_changed").await,
        vec![json!({
            "Download reports": "role default (granted) → denied",
            "Serving user menu": "role default (not granted) → granted",
        })]
    );

    // In force at Anna's next request, and explained.
    assert_eq!(anna_browser.list(&[]).await.0, StatusCode::OK);
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let (_, access) = admin.call_json("load_user_access", &[("id", &anna_id)]).await;
    assert_eq!(access["summary"], "Basic defaults − 1 + 1");
    assert_eq!(access["editable"], true);
    // The Superuser's zone is Europe/Zurich: the date is theirs.
    let day = line(&access, "user_menu")["explanation"].as_str().unwrap().to_owned();
    assert!(day.starts_with("Anna can Serving user menu: a per-user grant by Ada Lovelace on 20"), "{day}");
    assert!(day.ends_with(" overrides the role Basic"), "{day}");
    let date = &day.split(" on ").nth(1).unwrap()[..10];
    assert!(date.starts_with(&today[..4]), "{date}");
    assert_eq!(
        line(&access, "download_reports")["explanation"],
        format!("Anna cannot Download reports: a per-user denial by Ada Lovelace on {date} overrides the role Basic")
    );
    assert_eq!(
        line(&access, "dashboard")["explanation"],
        "Anna can See Dashboard & Sensor analysis: the role Basic grants it"
    );
    assert_eq!(line(&access, "invoices")["setting"], "default");
    let (_, page) = admin.list(&[("q", "Anna")]).await;
    assert_eq!(page["rows"][0]["access_settings"], "Basic defaults − 1 + 1");

    // Back to the role's default: the row goes, Anna loses the menu at once.
    admin.call("save_user_access", &[("user", &anna_id), ("settings[user_menu]", "default")]).await;
    assert_eq!(anna_browser.list(&[]).await.0, StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT count(*) FROM user_permissions WHERE permission = 'user_menu'").await, 0);

    // The Superuser holds everything; there is nothing to set.
    let admin_id = app.user_id_of(&admin_email).await.to_string();
    let (status, body) =
        admin.call_json("save_user_access", &[("user", &admin_id), ("settings[invoices]", "denied")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (_, mine) = admin.call_json("my_access", &[]).await;
    assert_eq!(line(&mine, "invoices")["explanation"], "You can do everything: Superuser");

    // Bad input names the field and changes nothing.
    let before = app.count("SELECT count(*) FROM audit_log WHERE action = 'user.access_changed'").await;
    let (status, body) = admin
        .call_json(
            "save_user_access",
            &[("user", &anna_id), ("settings[fly]", "granted"), ("settings[invoices]", "granted")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["fields"][0]["field"], "fly");
    let (status, body) =
        admin.call_json("save_user_access", &[("user", &anna_id), ("settings[invoices]", "maybe")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["fields"][0]["field"], "invoices");
    assert_eq!(app.count("SELECT count(*) FROM audit_log WHERE action = 'user.access_changed'").await, before);
    assert_eq!(app.count("SELECT count(*) FROM user_permissions WHERE permission = 'invoices'").await, 0);

    // The pages render on the server (without JavaScript).
    let html = admin.page_html(&format!("/settings/users/{anna_id}/access")).await;
    assert!(html.contains("Access settings: Anna Smith"), "{html}");
    assert!(html.contains("Anna cannot Download reports: a per-user denial by Ada Lovelace"));
    let html = anna_browser.page_html("/account").await;
    assert!(html.contains("My access"));
    let html = admin.page_html("/settings/roles").await;
    assert!(html.contains("Serving user menu") && html.contains("name=\"operator[user_menu]\""), "{html}");
}

#[db_test]
async fn the_user_menu_opens_user_management_for_basic_and_operator_users_only(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let admin_id = app.user_id_of(&admin_email).await.to_string();
    let olga = app.add_user(org_id, "operator", "Olga", "Petrova").await;
    let olga_id = app.user_id_of(&olga).await.to_string();
    let anna = app.add_user(org_id, "basic", "Anna", "Smith").await;
    let anna_id = app.user_id_of(&anna).await.to_string();
    let olga_browser = signed_in(&app, &olga).await;
    assert_eq!(olga_browser.list(&[]).await.0, StatusCode::FORBIDDEN);
    admin.call("save_user_access", &[("user", &olga_id), ("settings[user_menu]", "granted")]).await;

    // The table, the seat counters, invites, disable and enable, recovery.
    assert_eq!(olga_browser.list(&[]).await.0, StatusCode::OK);
    assert_eq!(olga_browser.call_json("seat_usage", &[]).await.0, StatusCode::OK);
    roster::features::orgs::server::set_quota(&app.pool, org_id, Role::Basic, 10).await.unwrap();
    let grace = unique_email("grace");
    let (status, body) = olga_browser.call_json("invite_user", &invite_form(&grace, "basic")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for function in ["disable_access", "enable_access", "send_password_recovery"] {
        let (status, body) = olga_browser.call_json(function, &[("user", &anna_id)]).await;
        assert_eq!(status, StatusCode::OK, "{function}: {body}");
    }
    assert_eq!(olga_browser.call_json("load_user_access", &[("id", &anna_id)]).await.1["editable"], false);

    // Not on the Superuser, and none of the Superuser's own work.
    for function in ["disable_access", "send_password_recovery", "unlock_account"] {
        let (status, _) = olga_browser.call_json(function, &[("user", &admin_id)]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{function} on the Superuser");
    }
    let version: i64 = sqlx::query_scalar("SELECT version FROM users WHERE id = $1::uuid")
        .bind(&admin_id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let version = version.to_string();
    let edit = [
        ("user", admin_id.as_str()),
        ("edit[version]", version.as_str()),
        ("edit[first_name]", "Ada"),
        ("edit[last_name]", "Byron"),
        ("edit[role]", "superuser"),
        ("edit[time_zone]", "Europe/Zurich"),
    ];
    assert_eq!(olga_browser.call_json("edit_user", &edit).await.0, StatusCode::FORBIDDEN, "edit the Superuser");
    let denied: [(&str, Vec<(&str, &str)>); 7] = [
        ("delete_user", vec![("user", anna_id.as_str()), ("password", PASSWORD)]),
        ("transfer_superuser", vec![("user", anna_id.as_str()), ("password", PASSWORD)]),
        ("save_user_access", vec![("user", anna_id.as_str()), ("settings[invoices]", "granted")]),
        ("load_role_defaults", vec![]),
        ("save_role_defaults", vec![("basic[invoices]", "on")]),
        ("load_security_settings", vec![]),
        ("list_audit", vec![]),
    ];
    for (function, form) in denied {
        let (status, _) = olga_browser.call_json(function, &form).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{function}");
    }
    assert_eq!(app.count("SELECT count(*) FROM users WHERE status <> 'invite_canceled'").await, 4);
    assert_eq!(app.count("SELECT count(*) FROM user_permissions WHERE permission = 'invoices'").await, 0);
}

#[db_test]
async fn each_denial_of_the_access_functions(pool: Db) {
    let app = spawn_app(pool).await;
    let (_, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let anna = app.add_user(org_id, "basic", "Anna", "Smith").await;
    let anna_id = app.user_id_of(&anna).await.to_string();
    app.assert_each_denial(org_id, "load_user_access", &[("id", &anna_id)]).await;
    app.assert_each_denial(org_id, "save_user_access", &[("user", &anna_id), ("settings[invoices]", "granted")]).await;
    // Organization-wide: no user of another organization to find; denied.
    for function in ["load_role_defaults", "save_role_defaults"] {
        assert_eq!(app.browser().call_json(function, &[]).await.0, StatusCode::UNAUTHORIZED, "{function}");
        for role in ["basic", "operator"] {
            let browser = signed_in(&app, &app.add_user(org_id, role, "Not", "Admin").await).await;
            assert_eq!(browser.call_json(function, &[]).await.0, StatusCode::FORBIDDEN, "{function}: {role}");
        }
    }
    assert_eq!(app.browser().call_json("my_access", &[]).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("SELECT count(*) FROM user_permissions").await, 0);
}

#[db_test]
async fn the_matrix_shows_a_page_of_users_and_a_cell_change_saves_at_once(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let anna = app.add_user(org_id, "basic", "Anna", "Smith").await;
    let anna_id = app.user_id_of(&anna).await.to_string();
    app.add_user(org_id, "operator", "Olga", "Petrova").await;

    let (status, matrix) =
        admin.call_json("load_access_matrix", &[("query[sort]", "email"), ("query[size]", "25")]).await;
    assert_eq!(status, StatusCode::OK, "{matrix}");
    assert_eq!(matrix["editable"], true);
    let rows = matrix["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    let emails: Vec<&str> = rows.iter().map(|r| r["email"].as_str().unwrap()).collect();
    let mut sorted = emails.clone();
    sorted.sort_by_key(|e| e.to_lowercase());
    assert_eq!(emails, sorted, "the table's sort");
    // The same search as the table.
    let (_, found) = admin.call_json("load_access_matrix", &[("query[q]", "Anna")]).await;
    assert_eq!(found["rows"].as_array().unwrap().len(), 1);

    // A cell: saved at once, the row answered as stored.
    let (status, row) =
        admin.call_json("change_permission", &[("user", &anna_id), ("change", "invoices:granted")]).await;
    assert_eq!(status, StatusCode::OK, "{row}");
    assert_eq!(row["user_id"], anna_id);
    assert_eq!(row["set_by"][0][0], "invoices");
    assert_eq!(row["set_by"][0][1]["name"], "Ada Lovelace");
    // Undo: back to the role's default, and the row says so.
    let (_, row) = admin.call_json("change_permission", &[("user", &anna_id), ("change", "invoices:default")]).await;
    assert_eq!(row["set_by"], json!([]));
    assert_eq!(app.count("SELECT count(*) FROM audit_log WHERE action = 'user.access_changed'").await, 2);

    // Without JavaScript a cell is a submit button: back to the same view.
    let response = admin
        .post_form("change_permission", &[("user", &anna_id), ("change", "dashboard:denied"), ("view", "q=Anna")])
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["location"], format!("/settings/users/access?q=Anna&changed={anna_id}"));
    let html = admin.page_html("/settings/users/access?q=Anna").await;
    assert!(
        html.contains("Anna cannot See Dashboard &amp; Sensor analysis: a per-user denial by Ada Lovelace"),
        "{html}"
    );
    assert!(html.contains("role=\"grid\""));

    // A bad change is named and changes nothing.
    let (status, body) = admin.call_json("change_permission", &[("user", &anna_id), ("change", "fly:granted")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["fields"][0]["field"], "change");
    assert_eq!(app.count("SELECT count(*) FROM audit_log WHERE action = 'user.access_changed'").await, 3);
}
