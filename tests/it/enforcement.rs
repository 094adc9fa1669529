//! Enforcement, table-driven: every server function the server registers is
//! listed here with what it requires, and called as nobody, as a user
//! without the permission, as another organization's Superuser (for those
//! about a user: not found), and as a user who holds it. A server function
//! added without a line here fails `the_table_lists_every_registered_endpoint`.

use std::collections::BTreeSet;

use crate::common::*;
use reqwest::StatusCode;
use roster::features::users::types::Role;
use roster::server::db::Db;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Needs {
    /// Anyone: a form before signing in, a link's page (its token is the
    /// credential), the development mailbox (off unless configured).
    Public,
    /// Any signed-in user.
    SignedIn,
    /// "Serving user menu".
    UserMenu,
    Superuser,
}

/// Every server function, what it needs, whether its arguments name a user
/// (`{user}` is replaced by the target's id), and a form that passes the
/// guard's caller on to the function's own work.
const ENDPOINTS: &[(&str, Needs, &[(&str, &str)])] = &[
    ("sign_up", Needs::Public, &[]),
    ("sign_up_link", Needs::Public, &[]),
    ("confirm_sign_up", Needs::Public, &[]),
    ("sign_in", Needs::Public, &[]),
    ("sign_out", Needs::Public, &[]),
    ("current_user", Needs::Public, &[]),
    ("forgot_password", Needs::Public, &[]),
    ("recovery_link", Needs::Public, &[]),
    ("recover_password", Needs::Public, &[]),
    ("activation_link", Needs::Public, &[]),
    ("activate_account", Needs::Public, &[]),
    ("request_new_link", Needs::Public, &[]),
    ("email_change_link", Needs::Public, &[]),
    ("confirm_email_change", Needs::Public, &[]),
    ("dev_mailbox", Needs::Public, &[]),
    ("my_access", Needs::SignedIn, &[]),
    ("update_profile", Needs::SignedIn, &[("first_name", "Not"), ("last_name", "Admin"), ("time_zone", "UTC")]),
    (
        "change_password",
        Needs::SignedIn,
        &[("current_password", PASSWORD), ("password", "x"), ("password_confirmation", "y")],
    ),
    ("list_users", Needs::UserMenu, &[]),
    ("seat_usage", Needs::UserMenu, &[]),
    ("invite_options", Needs::UserMenu, &[]),
    ("invite_user", Needs::UserMenu, &[("invite[first_name]", "Grace")]),
    ("user_details", Needs::UserMenu, &[("id", "{user}")]),
    ("load_user_access", Needs::UserMenu, &[("id", "{user}")]),
    ("disable_access", Needs::UserMenu, &[("user", "{user}")]),
    ("enable_access", Needs::UserMenu, &[("user", "{user}")]),
    ("unlock_account", Needs::UserMenu, &[("user", "{user}")]),
    ("send_password_recovery", Needs::UserMenu, &[("user", "{user}")]),
    (
        "edit_user",
        Needs::UserMenu,
        &[
            ("user", "{user}"),
            ("edit[version]", "0"),
            ("edit[first_name]", "Anna"),
            ("edit[last_name]", "Smith"),
            ("edit[role]", "basic"),
            ("edit[time_zone]", "UTC"),
        ],
    ),
    ("resend_invite", Needs::UserMenu, &[("user", "{user}")]),
    ("cancel_invite", Needs::UserMenu, &[("user", "{user}")]),
    ("load_access_matrix", Needs::UserMenu, &[]),
    ("change_permission", Needs::Superuser, &[("user", "{user}"), ("change", "invoices:granted")]),
    ("list_audit", Needs::Superuser, &[]),
    ("load_security_settings", Needs::Superuser, &[]),
    ("save_security_settings", Needs::Superuser, &[("settings[lockout_threshold]", "1")]),
    ("load_role_defaults", Needs::Superuser, &[]),
    ("save_role_defaults", Needs::Superuser, &[("basic[fly]", "on")]),
    ("save_user_access", Needs::Superuser, &[("user", "{user}"), ("settings[invoices]", "granted")]),
    ("list_dashboards", Needs::Superuser, &[]),
    ("save_dashboard", Needs::Superuser, &[("name", "")]),
    ("my_dashboards", Needs::SignedIn, &[]),
    ("open_dashboard", Needs::SignedIn, &[("id", "{dashboard}")]),
    ("user_dashboards", Needs::UserMenu, &[("id", "{user}")]),
    ("save_user_dashboards", Needs::Superuser, &[("user", "{user}"), ("dashboard_access", "all")]),
    ("list_api_keys", Needs::Superuser, &[]),
    ("create_api_key", Needs::Superuser, &[("name", "")]),
    ("revoke_api_key", Needs::Superuser, &[("id", "{key}")]),
    ("active_sessions", Needs::Superuser, &[]),
    ("sign_out_everywhere", Needs::Superuser, &[("user", "{user}")]),
    ("end_session", Needs::Superuser, &[("session", "{session}")]),
    ("list_groups", Needs::UserMenu, &[]),
    ("list_custom_fields", Needs::Superuser, &[]),
    ("create_custom_field", Needs::Superuser, &[("label", "")]),
    ("org_chart", Needs::UserMenu, &[]),
    ("load_position", Needs::UserMenu, &[("id", "{position}")]),
    ("create_position", Needs::UserMenu, &[("parent", "{position}"), ("name", "")]),
    ("rename_position", Needs::UserMenu, &[("id", "{position}"), ("name", "")]),
    ("move_position", Needs::UserMenu, &[("id", "{position}"), ("parent", "{position}")]),
    ("position_candidates", Needs::UserMenu, &[("position", "{position}"), ("term", "anna")]),
    ("add_position_holder", Needs::UserMenu, &[("position", "{position}"), ("user", "{user}")]),
    ("remove_position_holder", Needs::UserMenu, &[("position", "{position}"), ("user", "{user}")]),
    ("load_group", Needs::UserMenu, &[("id", "{group}")]),
    ("save_group", Needs::UserMenu, &[("name", "")]),
    ("group_candidates", Needs::UserMenu, &[("group", "{group}"), ("term", "anna")]),
    ("add_group_member", Needs::UserMenu, &[("group", "{group}"), ("user", "{user}")]),
    ("remove_group_member", Needs::UserMenu, &[("group", "{group}"), ("user", "{user}")]),
    // Last, as they remove what the others act on and hand the role over;
    // the right password (a wrong one is refused before the user is looked up).
    ("delete_dashboard", Needs::Superuser, &[("id", "{dashboard}")]),
    ("delete_group", Needs::UserMenu, &[("id", "{group}")]),
    ("delete_custom_field", Needs::Superuser, &[("id", "{field}")]),
    ("delete_position", Needs::UserMenu, &[("id", "{position}")]),
    ("delete_user", Needs::Superuser, &[("user", "{victim}"), ("password", PASSWORD)]),
    ("transfer_superuser", Needs::Superuser, &[("user", "{user}"), ("password", PASSWORD)]),
];

/// The plain axum routes (beside server functions and pages): the health
/// and readiness checks are public; `/api/v1` takes an API key (`tests/it/api_keys.rs`);
/// the photo routes take the session through the same guard
/// (`tests/it/photos.rs` tests each denial).
const PLAIN_ROUTES: &[&str] = &[
    "/healthz",
    "/readyz",
    "/api/v1/permissions/check",
    "/api/v1/users",
    "/settings/users/{id}/photo",
    "/photos/{id}",
];

/// Every page and the server function that loads its data (checked above):
/// a page shows nothing its data function would refuse.
const PAGES: &[(&str, Needs, &str)] = &[
    ("/", Needs::Public, "current_user"),
    ("/activate/:token", Needs::Public, "activation_link"),
    ("/dev/mailbox", Needs::Public, "dev_mailbox"),
    ("/account", Needs::SignedIn, "my_access"),
    ("/dashboards", Needs::SignedIn, "my_dashboards"),
    ("/dashboards/:id", Needs::SignedIn, "open_dashboard"),
    ("/settings/dashboards", Needs::Superuser, "list_dashboards"),
    ("/sign-up", Needs::Public, "sign_up"),
    ("/sign-up/sent", Needs::Public, "sign_up"),
    ("/sign-up/confirm/:token", Needs::Public, "sign_up_link"),
    ("/sign-in", Needs::Public, "sign_in"),
    ("/forgot-password", Needs::Public, "forgot_password"),
    ("/forgot-password/sent", Needs::Public, "forgot_password"),
    ("/recover/:token", Needs::Public, "recovery_link"),
    ("/confirm-email/:token", Needs::Public, "email_change_link"),
    ("/settings", Needs::UserMenu, "list_users"),
    ("/settings/users", Needs::UserMenu, "list_users"),
    ("/settings/external-users", Needs::UserMenu, "list_users"),
    ("/settings/groups", Needs::UserMenu, "list_groups"),
    ("/settings/groups/:id", Needs::UserMenu, "load_group"),
    ("/settings/org-chart", Needs::UserMenu, "org_chart"),
    ("/settings/additional-data", Needs::Superuser, "list_custom_fields"),
    ("/settings/audit", Needs::Superuser, "list_audit"),
    ("/settings/security", Needs::Superuser, "load_security_settings"),
    ("/settings/roles", Needs::Superuser, "load_role_defaults"),
    ("/settings/api-keys", Needs::Superuser, "list_api_keys"),
    ("/settings/active-users", Needs::Superuser, "active_sessions"),
    ("/settings/users/access", Needs::UserMenu, "load_access_matrix"),
    ("/settings/users/:id/access", Needs::UserMenu, "load_user_access"),
];

#[tokio::test]
async fn every_page_is_listed_with_the_function_that_loads_it() {
    let pages: BTreeSet<String> = leptos_axum::generate_route_list(roster::app::App)
        .iter()
        .map(|route| route.path().replace('{', ":").replace('}', ""))
        .collect();
    let listed: BTreeSet<String> = PAGES.iter().map(|(path, _, _)| (*path).to_owned()).collect();
    assert_eq!(pages, listed, "every page needs a line in PAGES");
    for (path, needs, function) in PAGES {
        let endpoint = ENDPOINTS.iter().find(|(name, _, _)| name == function);
        let (_, function_needs, _) = endpoint.unwrap_or_else(|| panic!("{path}: no endpoint {function}"));
        assert_eq!(needs, function_needs, "{path} needs what {function} needs");
    }
}

#[test]
fn the_table_lists_every_registered_endpoint() {
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/").to_owned())
        .collect();
    let listed: BTreeSet<String> = ENDPOINTS.iter().map(|(name, _, _)| (*name).to_owned()).collect();
    assert_eq!(registered, listed, "every server function needs a line in ENDPOINTS");
    assert_eq!(PLAIN_ROUTES, roster::server::router::PLAIN_ROUTES);
}

/// The form with `{user}`, `{victim}`, `{key}`, `{dashboard}`, `{group}` and `{session}` replaced by the ids of
/// the organization's things the function acts on.
fn form(fields: &[(&str, &str)], ids: &[(&str, &str)]) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(k, v)| ((*k).to_owned(), ids.iter().fold(v.to_string(), |v, (name, id)| v.replace(name, id))))
        .collect()
}

async fn call(browser: &Browser, function: &str, form: &[(String, String)]) -> StatusCode {
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    browser.call_json(function, &fields).await.0
}

async fn signed_in(app: &TestApp, email: &str) -> Browser {
    let browser = app.browser();
    assert_eq!(browser.sign_in(email, PASSWORD).await.0, StatusCode::OK);
    browser
}

#[db_test]
async fn every_endpoint_denies_whom_it_must_and_lets_in_whom_it_should(pool: Db) {
    let app = spawn_app(pool).await;
    let (superuser, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    roster::features::orgs::server::set_quota(&app.pool, org_id, Role::Basic, 20).await.unwrap();
    let target = app.add_user(org_id, "basic", "Anna", "Smith").await;
    let target_id = app.user_id_of(&target).await.to_string();
    let victim = app.add_user(org_id, "basic", "Vic", "Tim").await;
    let victim_id = app.user_id_of(&victim).await.to_string();
    // A Basic user (no permission beyond the role's) and one who holds the
    // user menu.
    let bea = app.add_user(org_id, "basic", "Bea", "Basic").await;
    let bea_id = app.user_id_of(&bea).await.to_string();
    let basic = signed_in(&app, &bea).await;
    let menu_email = app.add_user(org_id, "operator", "Olga", "Menu").await;
    let menu_id = app.user_id_of(&menu_email).await.to_string();
    let granted = superuser.call("save_user_access", &[("user", &menu_id), ("settings[user_menu]", "granted")]).await;
    assert_eq!(granted.status(), StatusCode::OK);
    let menu = signed_in(&app, &menu_email).await;
    let (stranger, _) = app.signed_up("Globex").await;
    let (_, key) = superuser.call_json("create_api_key", &[("name", "Sensors")]).await;
    let key_id = key["id"].as_str().unwrap().to_owned();
    superuser.call("save_dashboard", &[("name", "Cold chain")]).await;
    // Bea (signed in, no more) may open every dashboard.
    let (status, body) =
        superuser.call_json("save_user_dashboards", &[("user", &bea_id), ("dashboard_access", "all")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let dashboard_id: String = sqlx::query_scalar("SELECT id::text FROM dashboards WHERE org_id = $1")
        .bind(org_id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    superuser.call("save_group", &[("name", "Berlin office")]).await;
    let group_id: String = sqlx::query_scalar("SELECT id::text FROM groups WHERE org_id = $1")
        .bind(org_id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    superuser.call("create_position", &[("name", "Head of Quality")]).await;
    let position_id: String = sqlx::query_scalar("SELECT id::text FROM positions WHERE org_id = $1")
        .bind(org_id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    superuser.call("create_custom_field", &[("label", "Badge"), ("kind", "text")]).await;
    let field_id: String = sqlx::query_scalar("SELECT id::text FROM custom_fields WHERE org_id = $1")
        .bind(org_id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    // A session to end: Vic's (he is deleted last anyway).
    signed_in(&app, &victim).await;
    let session_handle: String = sqlx::query_scalar("SELECT handle::text FROM sessions WHERE user_id = $1::uuid")
        .bind(&victim_id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let ids = [
        ("{session}", session_handle.as_str()),
        ("{user}", target_id.as_str()),
        ("{victim}", victim_id.as_str()),
        ("{key}", key_id.as_str()),
        ("{dashboard}", dashboard_id.as_str()),
        ("{group}", group_id.as_str()),
        ("{position}", position_id.as_str()),
        ("{field}", field_id.as_str()),
    ];

    for (function, needs, fields) in ENDPOINTS {
        let fields = form(fields, &ids);
        if *needs == Needs::Public {
            continue;
        }
        assert_eq!(call(&app.browser(), function, &fields).await, StatusCode::UNAUTHORIZED, "{function}: nobody");
        let (denied, allowed): (Vec<&Browser>, &Browser) = match needs {
            Needs::SignedIn => (vec![], &basic),
            Needs::UserMenu => (vec![&basic], &menu),
            Needs::Superuser => (vec![&basic, &menu], &superuser),
            Needs::Public => unreachable!(),
        };
        for browser in denied {
            assert_eq!(call(browser, function, &fields).await, StatusCode::FORBIDDEN, "{function}: without it");
        }
        if fields.iter().any(|(_, v)| ids.iter().any(|(_, id)| v == id)) {
            assert_eq!(call(&stranger, function, &fields).await, StatusCode::NOT_FOUND, "{function}: another org");
        }
        let status = call(allowed, function, &fields).await;
        assert!(
            ![StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN, StatusCode::NOT_FOUND].contains(&status),
            "{function}: with it, {status}"
        );
    }
    // The allowed calls did their work: the last two deleted Vic and made
    // Anna the Superuser.
    assert_eq!(app.count(&format!("SELECT count(*) FROM users WHERE id = '{victim_id}'")).await, 0);
    assert_eq!(
        app.count(&format!("SELECT count(*) FROM users WHERE id = '{target_id}' AND role = 'superuser'")).await,
        1
    );
}
