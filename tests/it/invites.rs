//! Inviting users: the invite, its seat, its link and its queued email in
//! one transaction; permissions; bad input; the seat-quota race.

use crate::common::*;
use reqwest::StatusCode;
use roster::features::orgs::server::set_quota;
use roster::features::users::types::Role;
use roster::server::db::Db;
use roster::server::token;
use serde_json::Value;

#[db_test]
async fn an_invite_creates_the_user_its_link_and_its_email_in_one_go(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, _) = app.signed_up("Acme").await;
    let email = unique_email("grace");
    let mut form = invite_form(&email, "operator");
    form.extend([
        ("invite[mobile_country]", "CH"),
        ("invite[mobile_number]", "079 123 45 67"),
        ("invite[department]", "Quality"),
    ]);
    let (status, body) = admin.call_json("invite_user", &form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["email"], email.as_str());

    let (status_text, role, zone, mobile): (String, String, String, Option<String>) =
        sqlx::query_as("SELECT status::text, role::text, time_zone, mobile_phone FROM users WHERE email = $1")
            .bind(&email)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        (status_text.as_str(), role.as_str(), zone.as_str(), mobile.as_deref()),
        ("invited", "operator", "Europe/Zurich", Some("+41791234567")),
        "invited, with the organization's time zone and the phone in E.164"
    );
    assert_eq!(app.count("SELECT used::bigint FROM seats WHERE role = 'operator'").await, 1, "the seat is held");

    let (recipient, text, html, state): (String, String, String, String) =
        sqlx::query_as("SELECT recipient, body_text, body_html, state::text FROM outbox")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((recipient.as_str(), state.as_str()), (email.as_str(), "queued"));
    assert!(text.contains("Ada Lovelace invited you to Acme"));
    assert!(html.contains("Activate your account"));
    // The link's token is stored only as its hash, expiring in 24 hours.
    let link = text.lines().find(|l| l.contains("/activate/")).unwrap().trim();
    let token_in_link = link.rsplit('/').next().unwrap();
    assert!(link.starts_with(&format!("http://{}/activate/", app.addr)), "{link}");
    let (hash, hours): (Vec<u8>, f64) =
        sqlx::query_as("SELECT token_hash, extract(epoch FROM expires_at - created_at)::float8 / 3600 FROM invites")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(hash, token::hash(token_in_link));
    assert!((hours - 24.0).abs() < 0.01, "{hours}");
    assert!(!text.contains(&hex(&hash)));
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[db_test]
async fn only_a_superuser_may_invite_or_see_the_dialogs_choices(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let email = unique_email("grace");

    let (status, _) = app.browser().call_json("invite_user", &invite_form(&email, "basic")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "no session");
    let (status, _) = app.browser().call_json("invite_options", &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "no session");
    for role in ["operator", "basic"] {
        let login = app.add_user(org_id, role, "Other", "User").await;
        let browser = app.browser();
        browser.sign_in(&login, PASSWORD).await;
        let (status, _) = browser.call_json("invite_user", &invite_form(&email, "basic")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role}");
        let (status, _) = browser.call_json("invite_options", &[]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role}");
    }
    assert_eq!(app.count("SELECT count(*) FROM users WHERE status = 'invited'").await, 0);
    assert_eq!(app.count("SELECT count(*) FROM outbox").await, 0);

    // Another organization's Superuser invites into their own organization
    // only, and sees only their own seats.
    let (stranger, _) = app.signed_up("Globex").await;
    let (status, body) = stranger.call_json("invite_user", &invite_form(&email, "basic")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let invited_org: uuid::Uuid = sqlx::query_scalar("SELECT org_id FROM users WHERE email = $1")
        .bind(&email)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_ne!(invited_org, org_id);
    let basic_used = |options: &Value| {
        options["seats"].as_array().unwrap().iter().find(|s| s["role"] == "basic").unwrap()["used"].as_i64().unwrap()
    };
    let (_, theirs) = stranger.call_json("invite_options", &[]).await;
    let (_, ours) = admin.call_json("invite_options", &[]).await;
    assert_eq!((basic_used(&theirs), basic_used(&ours)), (1, 1), "Acme's Basic seat is its own added user");
}

#[db_test]
async fn bad_invites_get_field_errors_and_create_nothing(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let email = unique_email("grace");
    let long = "x".repeat(101);
    let future = (chrono::Utc::now().date_naive() + chrono::Days::new(3)).to_string();
    let cases: Vec<(&str, &str, &str)> = vec![
        ("invite[email]", "not-an-email", "email"),
        ("invite[email]", admin_email.as_str(), "email"),
        ("invite[first_name]", long.as_str(), "first_name"),
        ("invite[role]", "superuser", "role"),
        ("invite[role]", "", "role"),
        ("invite[time_zone]", "Atlantis/Capital", "time_zone"),
        ("invite[date_of_birth]", future.as_str(), "date_of_birth"),
        ("invite[hire_date]", "2999-01-01", "hire_date"),
    ];
    for (name, value, field) in cases {
        let mut form = invite_form(&email, "basic");
        match form.iter_mut().find(|(n, _)| *n == name) {
            Some(entry) => entry.1 = value,
            None => form.push((name, value)),
        }
        let (status, body) = admin.call_json("invite_user", &form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{name}={value}: {body}");
        assert!(body["fields"].as_array().unwrap().iter().any(|f| f["field"] == field), "{name}: {body}");
    }
    // An invalid phone for its country.
    let mut form = invite_form(&email, "basic");
    form.extend([("invite[mobile_country]", "DE"), ("invite[mobile_number]", "12")]);
    let (status, body) = admin.call_json("invite_user", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"][0]["field"], "mobile_number");
    // The existing email in another case.
    let (status, body) = admin.call_json("invite_user", &invite_form(&admin_email.to_uppercase(), "basic")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"][0]["message"], "A user with this email already exists.");

    assert_eq!(app.count("SELECT count(*) FROM users").await, 1);
    assert_eq!(app.count("SELECT count(*) FROM invites").await, 0);
    assert_eq!(app.count("SELECT count(*) FROM outbox").await, 0);
    assert_eq!(app.count("SELECT sum(used)::bigint FROM seats").await, 1);
}

#[db_test]
async fn twenty_concurrent_invites_for_the_last_seat_create_exactly_one(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    // Four of five Operator seats taken; the operator's tool sets the plan.
    for i in 0..4 {
        app.add_user(org_id, "operator", "Op", &format!("Erator{i}")).await;
    }
    set_quota(&app.pool, org_id, Role::Operator, 5).await.unwrap();
    let admin = std::sync::Arc::new(admin);
    let calls: Vec<_> = (0..20)
        .map(|i| {
            let admin = admin.clone();
            tokio::spawn(async move {
                let email = unique_email(&format!("racer{i}"));
                admin.call_json("invite_user", &invite_form(&email, "operator")).await
            })
        })
        .collect();
    let mut created = 0;
    let mut refused = 0;
    for call in calls {
        let (status, body): (StatusCode, Value) = call.await.unwrap();
        match status {
            StatusCode::OK => created += 1,
            StatusCode::UNPROCESSABLE_ENTITY => {
                assert_eq!(body["fields"][0]["field"], "role", "{body}");
                assert!(body["fields"][0]["message"].as_str().unwrap().contains("All Operator seats are taken"));
                refused += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!((created, refused), (1, 19));
    assert_eq!(app.count("SELECT count(*) FROM users WHERE role = 'operator'").await, 5);
    assert_eq!(app.count("SELECT used::bigint FROM seats WHERE role = 'operator'").await, 5);
    assert_eq!(app.count("SELECT count(*) FROM outbox").await, 1, "one mail, for the one invite");
}

#[db_test]
async fn the_operator_tool_sets_quotas_but_never_below_use(pool: Db) {
    let app = spawn_app(pool).await;
    let (_, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let usage = set_quota(&app.pool, org_id, Role::Basic, 250).await.unwrap();
    assert_eq!((usage.used, usage.quota), (0, 250));
    let refused = set_quota(&app.pool, org_id, Role::Superuser, 0).await.unwrap_err();
    assert!(refused.contains("1 seats of this role are in use"), "{refused}");
    assert!(set_quota(&app.pool, uuid::Uuid::new_v4(), Role::Basic, 3).await.unwrap_err().contains("no organization"));
}

#[db_test]
async fn the_operator_tool_sets_how_long_activation_links_stay_valid(pool: Db) {
    use roster::features::orgs::server::set_invite_ttl;
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    assert_eq!(set_invite_ttl(&app.pool, org_id, 48).await.unwrap(), 48);
    for hours in [0, 721] {
        assert!(set_invite_ttl(&app.pool, org_id, hours).await.unwrap_err().contains("between 1 and 720"));
    }
    assert!(set_invite_ttl(&app.pool, uuid::Uuid::new_v4(), 24).await.unwrap_err().contains("no organization"));

    let email = unique_email("grace");
    let (status, body) = admin.call_json("invite_user", &invite_form(&email, "basic")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let hours_left: f64 =
        sqlx::query_scalar("SELECT extract(epoch FROM expires_at - now())::float8 / 3600 FROM invites")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!((47.9..=48.0).contains(&hours_left), "the organization's lifetime: {hours_left}");
    let text: String = sqlx::query_scalar("SELECT body_text FROM outbox").fetch_one(&app.pool).await.unwrap();
    assert!(text.contains("expires on"), "{text}");
}

#[db_test]
async fn inviting_addresses_that_have_accounts_is_audited_and_soon_paused(pool: Db) {
    use roster::features::invites::server::create::INVITE_REFUSALS_PER_HOUR;
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    // Addresses with accounts elsewhere in the installation.
    let mut taken = Vec::new();
    for i in 0..INVITE_REFUSALS_PER_HOUR {
        let (_, email) = app.signed_up(&format!("Other {i}")).await;
        taken.push(email);
    }
    for email in &taken {
        let (status, body) = admin.call_json("invite_user", &invite_form(email, "basic")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["fields"][0]["message"], "A user with this email already exists.");
    }
    // Each refusal is in the organization's audit log: who, which address, which request.
    let entries: Vec<(String, Option<uuid::Uuid>, String, Option<String>)> = sqlx::query_as(
        "SELECT action, actor_id, details->>'email', request_id FROM audit_log \
         WHERE org_id = $1 AND action = 'invite.refused_existing_account' ORDER BY id",
    )
    .bind(org_id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(entries.len() as i64, INVITE_REFUSALS_PER_HOUR);
    let admin_id = app.user_id_of(&admin_email).await;
    for ((action, actor, email, request_id), expected) in entries.iter().zip(&taken) {
        assert_eq!(action, "invite.refused_existing_account");
        assert_eq!(*actor, Some(admin_id));
        assert_eq!(email, expected);
        assert!(request_id.as_deref().is_some_and(|r| r.len() >= 32), "{request_id:?}");
    }
    // Beyond the hourly allowance every invite waits, even to a new address,
    // so the dialog cannot be used to test addresses one after another.
    let fresh = unique_email("grace");
    let (status, body) = admin.call_json("invite_user", &invite_form(&fresh, "basic")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(body["message"].as_str().unwrap().contains("already have a Roster account"), "{body}");
    assert_eq!(app.count("SELECT count(*) FROM invites").await, 0);
    // Another organization is not affected.
    let (other, _) = app.signed_up("Globex").await;
    let (status, _) = other.call_json("invite_user", &invite_form(&fresh, "basic")).await;
    assert_eq!(status, StatusCode::OK);
}
