//! Dashboards: a Superuser creates, renames and deletes them (audited, bad
//! input named); a user's dashboard permissions (none, selected, all
//! including later ones) decide what `/dashboards` lists and what opens,
//! another's is a 404; "See Dashboard & Sensor analysis" is needed for any;
//! the API answers the same with the same explanation.

use crate::common::*;
use reqwest::StatusCode;
use roster::server::db::Db;
use serde_json::Value;

fn names(list: &Value) -> Vec<String> {
    list.as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap().to_owned()).collect()
}

#[db_test]
async fn dashboard_permissions_decide_what_a_user_sees_and_opens(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    for (name, description) in [("Cold chain", "Fridges and freezers"), ("Warehouse", "Halls 1–3")] {
        let response = admin.call("save_dashboard", &[("name", name), ("description", description)]).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    let (_, all) = admin.call_json("list_dashboards", &[]).await;
    assert_eq!(names(&all), ["Cold chain", "Warehouse"]);
    let cold = all[0]["id"].as_str().unwrap().to_owned();
    let warehouse = all[1]["id"].as_str().unwrap().to_owned();

    let anna = app.add_user(org_id, "basic", "Anna", "Smith").await;
    let anna_id = app.user_id_of(&anna).await.to_string();
    let anna_browser = app.browser();
    anna_browser.sign_in(&anna, PASSWORD).await;
    // None by default.
    assert_eq!(names(&anna_browser.call_json("my_dashboards", &[]).await.1), Vec::<String>::new());
    assert_eq!(anna_browser.call_json("open_dashboard", &[("id", &cold)]).await.0, StatusCode::NOT_FOUND);

    // Selected: only those.
    let field = format!("dashboards[id-{cold}]");
    let (status, body) = admin
        .call_json("save_user_dashboards", &[("user", &anna_id), ("dashboard_access", "selected"), (&field, "on")])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(names(&anna_browser.call_json("my_dashboards", &[]).await.1), ["Cold chain"]);
    assert_eq!(anna_browser.call_json("open_dashboard", &[("id", &cold)]).await.0, StatusCode::OK);
    assert_eq!(anna_browser.call_json("open_dashboard", &[("id", &warehouse)]).await.0, StatusCode::NOT_FOUND);
    let html = anna_browser.page_html(&format!("/dashboards/{warehouse}")).await;
    assert!(!html.contains("Halls 1–3"), "another's dashboard shows nothing of it");

    // All, including one created later: this time from her details panel
    // without JavaScript, which returns to the panel in the table's view.
    let response = admin
        .post_form(
            "save_user_dashboards",
            &[("user", &anna_id), ("dashboard_access", "all"), ("panel", "true"), ("view", "q=Anna")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let back = format!("/settings/users?q=Anna&user={anna_id}&notice=dashboards_saved");
    assert_eq!(response.headers()["location"], back.as_str());
    // The panel there: what she may do and why, and her dashboards, saved.
    let html = admin.page_html(&back).await;
    assert!(html.contains("Anna can Download reports: the role Basic grants it"), "{html}");
    assert!(html.contains("The dashboard permissions are saved."), "{html}");
    assert!(html.contains(r#"name="dashboard_access" value="all" checked"#), "{html}");
    admin.call("save_dashboard", &[("name", "Pharmacy")]).await;
    assert_eq!(names(&anna_browser.call_json("my_dashboards", &[]).await.1), ["Cold chain", "Pharmacy", "Warehouse"]);

    // Without "See Dashboard & Sensor analysis", none at all; the API says why.
    admin.call("save_user_access", &[("user", &anna_id), ("settings[dashboard]", "denied")]).await;
    assert_eq!(names(&anna_browser.call_json("my_dashboards", &[]).await.1), Vec::<String>::new());
    let (_, created) = admin.call_json("create_api_key", &[("name", "Sensors")]).await;
    let key = created["key"].as_str().unwrap();
    let ask = |dashboard: String| {
        let request = reqwest::Client::new()
            .get(app.url("/api/v1/permissions/check"))
            .query(&[("user", anna.as_str()), ("dashboard", dashboard.as_str())])
            .bearer_auth(key);
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let answer = ask(cold.clone()).await;
    assert_eq!(answer["allowed"], false);
    assert_eq!(
        answer["explanation"],
        "Anna cannot open the dashboard \u{201c}Cold chain\u{201d}: dashboards need See Dashboard & Sensor analysis, which they do not hold"
    );
    admin.call("save_user_access", &[("user", &anna_id), ("settings[dashboard]", "default")]).await;
    let answer = ask(cold.clone()).await;
    assert_eq!(answer["allowed"], true);
    assert_eq!(
        answer["explanation"],
        "Anna can open the dashboard \u{201c}Cold chain\u{201d}: every dashboard is theirs"
    );

    // Rename, and delete: gone from everyone's list; all audited.
    admin.call("save_dashboard", &[("id", &warehouse), ("name", "Warehouse A"), ("description", "Hall 1")]).await;
    admin.call("delete_dashboard", &[("id", &cold)]).await;
    assert_eq!(names(&anna_browser.call_json("my_dashboards", &[]).await.1), ["Pharmacy", "Warehouse A"]);
    for action in ["dashboard.created", "dashboard.changed", "dashboard.deleted"] {
        let n = app.count(&format!("SELECT count(*) FROM audit_log WHERE action = '{action}'")).await;
        assert!(n >= 1, "{action}");
    }
    let details: Value = sqlx::query_scalar(
        "SELECT details FROM audit_log WHERE action = 'user.access_changed' AND details ? 'dashboards' ORDER BY at LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(details["dashboards"], "none → selected: Cold chain");
}

#[db_test]
async fn bad_dashboard_input_is_named_and_changes_nothing(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    admin.call("save_dashboard", &[("name", "Cold chain")]).await;
    let (status, body) = admin.call_json("save_dashboard", &[("name", "cold CHAIN")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["fields"][0]["field"], "name");
    let (status, body) = admin.call_json("save_dashboard", &[("name", " ")]).await;
    assert_eq!((status, &body["fields"][0]["field"]), (StatusCode::UNPROCESSABLE_ENTITY, &Value::from("name")));
    let long = "x".repeat(501);
    let (_, body) = admin.call_json("save_dashboard", &[("name", "Long"), ("description", &long)]).await;
    assert_eq!(body["fields"][0]["field"], "description");
    assert_eq!(app.count("SELECT count(*) FROM dashboards").await, 1);

    let anna = app.add_user(org_id, "basic", "Anna", "Smith").await;
    let anna_id = app.user_id_of(&anna).await.to_string();
    let (status, body) =
        admin.call_json("save_user_dashboards", &[("user", &anna_id), ("dashboard_access", "some")]).await;
    assert_eq!(
        (status, &body["fields"][0]["field"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &Value::from("dashboard_access"))
    );
    // Another organization's dashboard cannot be chosen.
    let (other, _) = app.signed_up("Globex").await;
    other.call("save_dashboard", &[("name", "Theirs")]).await;
    let theirs: String =
        sqlx::query_scalar("SELECT id::text FROM dashboards WHERE name = 'Theirs'").fetch_one(&app.pool).await.unwrap();
    let field = format!("dashboards[id-{theirs}]");
    let (status, body) = admin
        .call_json("save_user_dashboards", &[("user", &anna_id), ("dashboard_access", "selected"), (&field, "on")])
        .await;
    assert_eq!((status, &body["fields"][0]["field"]), (StatusCode::UNPROCESSABLE_ENTITY, &Value::from("dashboards")));
    assert_eq!(app.count("SELECT count(*) FROM user_dashboards").await, 0);
    assert_eq!(other.call_json("delete_dashboard", &[("id", &theirs)]).await.0, StatusCode::OK);
}

#[db_test]
async fn an_invite_carries_dashboard_permissions_a_superuser_chose(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    admin.call("save_dashboard", &[("name", "Cold chain")]).await;
    admin.call("save_dashboard", &[("name", "Warehouse")]).await;
    let (_, options) = admin.call_json("invite_options", &[]).await;
    assert_eq!(names(&options["dashboards"]), ["Cold chain", "Warehouse"]);
    let cold = options["dashboards"][0]["id"].as_str().unwrap().to_owned();
    let field = format!("invite[dashboards][id-{cold}]");
    let email = unique_email("grace");
    let mut form = invite_form(&email, "basic");
    form.extend([("invite[dashboard_access]", "selected"), (field.as_str(), "on")]);
    let (status, body) = admin.call_json("invite_user", &form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let user_id = app.user_id_of(&email).await;
    let (access, chosen): (String, i64) = sqlx::query_as(
        "SELECT u.dashboard_access, (SELECT count(*) FROM user_dashboards d WHERE d.user_id = u.id) FROM users u WHERE u.id = $1",
    )
    .bind(user_id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((access.as_str(), chosen), ("selected", 1));

    // A holder of the user menu invites, but dashboard permissions are the
    // Superuser's: refused next to the field, nothing created.
    let olga = app.add_user(org_id, "operator", "Olga", "Menu").await;
    let olga_id = app.user_id_of(&olga).await.to_string();
    admin.call("save_user_access", &[("user", &olga_id), ("settings[user_menu]", "granted")]).await;
    roster::features::orgs::server::set_quota(&app.pool, org_id, roster::features::users::types::Role::Basic, 10)
        .await
        .unwrap();
    let menu = app.browser();
    menu.sign_in(&olga, PASSWORD).await;
    assert_eq!(menu.call_json("invite_options", &[]).await.1["dashboards"], serde_json::json!([]));
    let other = unique_email("alan");
    let mut form = invite_form(&other, "basic");
    form.push(("invite[dashboard_access]", "all"));
    let (status, body) = menu.call_json("invite_user", &form).await;
    assert_eq!(
        (status, &body["fields"][0]["field"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &Value::from("dashboard_access"))
    );
    assert_eq!(app.count(&format!("SELECT count(*) FROM users WHERE email = '{other}'")).await, 0);
    let mut form = invite_form(&other, "basic");
    form.push(("invite[dashboard_access]", "none"));
    assert_eq!(menu.call_json("invite_user", &form).await.0, StatusCode::OK);
}
