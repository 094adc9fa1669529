//! The invite lifecycle: resend, cancel, "Send me a new link", the status
//! filter, delivery shown in the list and the details panel, and the rate
//! limit on link endpoints. Everything over HTTP, as the browser calls it.

use crate::common::*;
use reqwest::StatusCode;
use roster::features::invites::server::activate::{ActivationLink, inspect};
use roster::features::invites::server::lifecycle::SELF_SERVICE_LINKS_PER_DAY;
use roster::features::mail::worker::{Delivery, deliver_due};
use roster::features::orgs::server::set_quota;
use roster::features::users::types::Role;
use roster::server::config::Config;
use roster::server::db::Db;
use serde_json::Value;
use uuid::Uuid;

/// Invites `email` as `role` through the endpoint; returns the user's id.
async fn invite(admin: &Browser, email: &str, role: &str) -> Uuid {
    let (status, body) = admin.call_json("invite_user", &invite_form(email, role)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["id"].as_str().unwrap().parse().unwrap()
}

async fn status_of(app: &TestApp, id: Uuid) -> String {
    sqlx::query_scalar("SELECT status::text FROM users WHERE id = $1").bind(id).fetch_one(&app.pool).await.unwrap()
}

async fn seats_used(app: &TestApp, role: &str) -> i64 {
    app.count(&format!("SELECT used::bigint FROM seats WHERE role = '{role}'")).await
}

/// The emails the table lists for a status filter (None: the default view).
async fn listed(admin: &Browser, status: Option<&str>) -> Vec<Value> {
    let query: Vec<(&str, &str)> = status.map(|s| vec![("status", s)]).unwrap_or_default();
    let (code, page) = admin.list(&query).await;
    assert_eq!(code, StatusCode::OK, "{page}");
    page["rows"].as_array().unwrap().clone()
}

fn emails(rows: &[Value]) -> Vec<String> {
    rows.iter().map(|r| r["email"].as_str().unwrap().to_owned()).collect()
}

async fn expire_links_of(app: &TestApp, id: Uuid) {
    sqlx::query("UPDATE invites SET expires_at = now() - interval '1 minute' WHERE user_id = $1")
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
}

#[db_test]
async fn resend_issues_a_new_link_kills_the_old_one_and_resets_the_expiry(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, _) = app.signed_up("Acme").await;
    let email = unique_email("grace");
    let id = invite(&admin, &email, "basic").await;
    let first = latest_activation_token(&app.pool, &email).await;
    expire_links_of(&app, id).await;
    assert_eq!(emails(&listed(&admin, Some("invite_expired")).await), vec![email.clone()]);

    let id_text = id.to_string();
    let response =
        admin.call("resend_invite", &[("user", id_text.as_str()), ("view", "sort=email&dir=desc&status=all")]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["location"],
        format!("/settings/users?status=all&sort=email&dir=desc&user={id}&notice=invite_resent").as_str(),
        "back to the same view with the panel open"
    );

    let second = latest_activation_token(&app.pool, &email).await;
    assert_ne!(first, second);
    assert!(
        matches!(inspect(&app.pool, &first).await.unwrap(), ActivationLink::Replaced { .. }),
        "the old link is dead"
    );
    assert!(matches!(inspect(&app.pool, &second).await.unwrap(), ActivationLink::Valid { .. }));
    let hours_left: f64 = sqlx::query_scalar(
        "SELECT extract(epoch FROM expires_at - now())::float8 / 3600 FROM invites WHERE user_id = $1 AND revoked_at IS NULL",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!((23.9..=24.0).contains(&hours_left), "a fresh 24 hours: {hours_left}");
    // The first mail had not left yet: it is withdrawn rather than sent with a dead link.
    assert_eq!(app.mail_states(&email).await, vec!["canceled", "queued"]);
    let subject: String =
        sqlx::query_scalar("SELECT subject FROM outbox WHERE state = 'queued'").fetch_one(&app.pool).await.unwrap();
    assert_eq!(subject, "Your new link to join Acme on Roster");
    assert_eq!(emails(&listed(&admin, Some("invited")).await), vec![email.clone()], "Invited again, not expired");
    assert_eq!(seats_used(&app, "basic").await, 1, "still one seat");
}

#[db_test]
async fn cancel_frees_the_seat_and_kills_the_link_and_a_resend_brings_it_back(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let (grace, alan) = (unique_email("grace"), unique_email("alan"));
    let grace_id = invite(&admin, &grace, "operator").await;
    let token = latest_activation_token(&app.pool, &grace).await;
    assert_eq!(seats_used(&app, "operator").await, 1);

    let grace_text = grace_id.to_string();
    let response = admin.call("cancel_invite", &[("user", grace_text.as_str()), ("view", "")]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["location"],
        format!("/settings/users?user={grace_id}&notice=invite_canceled").as_str()
    );
    assert_eq!(status_of(&app, grace_id).await, "invite_canceled");
    assert_eq!(seats_used(&app, "operator").await, 0, "the seat is free");
    assert_eq!(
        inspect(&app.pool, &token).await.unwrap(),
        ActivationLink::Canceled { organization: "Acme".into(), admin: Some("Ada Lovelace".into()) }
    );
    assert_eq!(app.mail_states(&grace).await, vec!["canceled"], "the unsent mail is withdrawn");

    // The default list hides cancelled invites; the filter shows them.
    assert!(!emails(&listed(&admin, None).await).contains(&grace));
    let cancelled = listed(&admin, Some("invite_canceled")).await;
    assert_eq!(emails(&cancelled), vec![grace.clone()]);
    assert_eq!(cancelled[0]["status"], "invite_canceled");
    assert!(emails(&listed(&admin, Some("all")).await).contains(&grace));

    // Cancelling twice is a clear error that changes nothing.
    let (status, body) = admin.call_json("cancel_invite", &[("user", grace_text.as_str())]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().contains("already cancelled"), "{body}");

    // With the only Operator seat taken by someone else, it cannot come back.
    set_quota(&app.pool, org_id, Role::Operator, 1).await.unwrap();
    invite(&admin, &alan, "operator").await;
    let (status, body) = admin.call_json("resend_invite", &[("user", grace_text.as_str())]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().contains("All Operator seats are taken"), "{body}");
    assert_eq!(status_of(&app, grace_id).await, "invite_canceled");
    assert_eq!(app.mail_states(&grace).await.len(), 1, "no mail queued");

    // A free seat again: the resend makes it Invited with a working link.
    set_quota(&app.pool, org_id, Role::Operator, 2).await.unwrap();
    let (status, body) = admin.call_json("resend_invite", &[("user", grace_text.as_str())]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(status_of(&app, grace_id).await, "invited");
    assert_eq!(seats_used(&app, "operator").await, 2);
    assert!(matches!(
        inspect(&app.pool, &latest_activation_token(&app.pool, &grace).await).await.unwrap(),
        ActivationLink::Valid { .. }
    ));
    assert!(
        matches!(inspect(&app.pool, &token).await.unwrap(), ActivationLink::Replaced { .. }),
        "the first link stays dead"
    );
}

#[db_test]
async fn an_active_user_has_no_invite_to_resend_or_cancel(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let active = app.add_user(org_id, "basic", "Alan", "Turing").await;
    let id: Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = $1").bind(&active).fetch_one(&app.pool).await.unwrap();
    let id_text = id.to_string();
    for function in ["resend_invite", "cancel_invite"] {
        let (status, body) = admin.call_json(function, &[("user", id_text.as_str())]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{function}");
        assert!(body["message"].as_str().unwrap().contains("already activated"), "{body}");
    }
    assert_eq!(app.count("SELECT count(*) FROM outbox").await, 0);
    assert_eq!(status_of(&app, id).await, "active");
}

#[db_test]
async fn only_a_superuser_of_the_same_organization_may_resend_cancel_or_see_details(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let email = unique_email("grace");
    let id = invite(&admin, &email, "basic").await;
    let id_text = id.to_string();
    let calls = [("resend_invite", "user"), ("cancel_invite", "user"), ("user_details", "id")];
    async fn call(browser: &Browser, (function, arg): (&str, &str), id: &str) -> (StatusCode, Value) {
        browser.call_json(function, &[(arg, id)]).await
    }

    for function in calls {
        let (status, body) = call(&app.browser(), function, &id_text).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{function:?} without a session: {body}");
    }
    for role in ["operator", "basic"] {
        let login = app.add_user(org_id, role, "Other", "User").await;
        let browser = app.browser();
        browser.sign_in(&login, PASSWORD).await;
        for function in calls {
            let (status, _) = call(&browser, function, &id_text).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{function:?} as {role}");
        }
    }
    let (stranger, _) = app.signed_up("Globex").await;
    for function in calls {
        let (status, body) = call(&stranger, function, &id_text).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{function:?} from another organization: {body}");
    }
    assert_eq!(status_of(&app, id).await, "invited");
    assert_eq!(app.mail_states(&email).await, vec!["queued"], "nothing was resent or withdrawn");
}

#[db_test]
async fn an_expired_link_asks_for_a_new_one_which_is_rate_limited(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, _) = app.signed_up("Acme").await;
    let email = unique_email("grace");
    let id = invite(&admin, &email, "basic").await;
    let visitor = app.browser();

    // A link that still works cannot be traded for another.
    let token = latest_activation_token(&app.pool, &email).await;
    let (status, _) = visitor.call_json("request_new_link", &[("token", &token)]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let mut previous = token;
    for round in 0..SELF_SERVICE_LINKS_PER_DAY {
        expire_links_of(&app, id).await;
        let response = visitor.call("request_new_link", &[("token", &previous)]).await;
        assert_eq!(response.status(), StatusCode::OK, "round {round}");
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.starts_with(&format!("/activate/{previous}?sent=")), "{location}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["email"], email.as_str());
        let fresh = latest_activation_token(&app.pool, &email).await;
        assert!(matches!(inspect(&app.pool, &fresh).await.unwrap(), ActivationLink::Valid { .. }));
        assert!(
            matches!(inspect(&app.pool, &previous).await.unwrap(), ActivationLink::Replaced { .. }),
            "the old link stays dead"
        );
        // The same expired link cannot ask twice.
        let (status, _) = visitor.call_json("request_new_link", &[("token", &previous)]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        previous = fresh;
    }
    expire_links_of(&app, id).await;
    let (status, body) = visitor.call_json("request_new_link", &[("token", &previous)]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(body["message"].as_str().unwrap().contains("Ask your organization's admin"), "{body}");
    assert_eq!(
        app.mail_states(&email).await.len() as i64,
        1 + SELF_SERVICE_LINKS_PER_DAY,
        "one mail per granted request"
    );
    let (_, unknown) = visitor.call_json("request_new_link", &[("token", "forged")]).await;
    assert_eq!(unknown["kind"], "bad_request");

    // The expired page offers the button; after it, the page says where the link went.
    expire_links_of(&app, id).await;
    let html = app.browser().page_html(&format!("/activate/{previous}")).await;
    assert!(html.contains("This link has expired") && html.contains("Send me a new link"), "{html}");
}

#[db_test]
async fn link_endpoints_are_rate_limited_per_client(pool: Db) {
    let config = Config { token_requests_per_minute: 3, ..Config::for_database("postgres://unused") };
    let app = spawn_app_with(pool, config).await;
    let visitor = app.browser();
    for _ in 0..3 {
        let (status, _) = visitor.call_json("activation_link", &[("token", "guess")]).await;
        assert_eq!(status, StatusCode::OK);
    }
    for function in ["activation_link", "request_new_link"] {
        let (status, body) = visitor.call_json(function, &[("token", "guess")]).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{function}: {body}");
        assert_eq!(body["kind"], "rate_limited");
    }
    let html = visitor.page_html("/activate/guess").await;
    assert!(html.contains("Too many attempts"), "the page says so too");
}

/// Two instances on one database are one installation: a client gets the
/// configured quota across both, not once from each, and it refills.
#[db_test]
async fn rate_limits_hold_across_instances_and_refill(pool: Db) {
    let config = || Config { token_requests_per_minute: 3, ..Config::for_database("postgres://unused") };
    let first = spawn_app_with(pool.clone(), config()).await;
    let second = spawn_app_with(pool.clone(), config()).await;
    let (one, two) = (first.browser(), second.browser());
    for (i, visitor) in [&one, &two, &one].into_iter().enumerate() {
        let (status, _) = visitor.call_json("activation_link", &[("token", "guess")]).await;
        assert_eq!(status, StatusCode::OK, "request {i}");
    }
    for visitor in [&two, &one] {
        let (status, body) = visitor.call_json("activation_link", &[("token", "guess")]).await;
        assert_eq!((status, body["kind"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited")));
    }
    // 20 s later (a third of a minute's quota of 3), one more gets in.
    sqlx::query("UPDATE rate_limits SET tat = tat - interval '20 seconds'").execute(&pool).await.unwrap();
    let (status, _) = two.call_json("activation_link", &[("token", "guess")]).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = one.call_json("activation_link", &[("token", "guess")]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // Housekeeping forgets a key once its quota is whole again.
    sqlx::query("UPDATE rate_limits SET tat = now() - interval '1 second'").execute(&pool).await.unwrap();
    assert_eq!(roster::server::rate_limit::forget_idle(&pool).await.unwrap(), 1);
}

#[db_test]
async fn the_list_and_the_details_show_expiry_and_each_mails_delivery(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, _) = app.signed_up("Acme").await;
    let email = unique_email("grace");
    let id = invite(&admin, &email, "basic").await;
    let row_of = |rows: Vec<Value>| rows.into_iter().find(|r| r["email"] == email.as_str()).unwrap();

    let row = row_of(listed(&admin, None).await);
    assert_eq!(row["status"], "invited");
    assert!(row["invite"]["expires"]["local"].as_str().is_some());
    assert_eq!(row["invite"]["mail"]["state"], "queued");

    // SMTP is down: the attempt fails and the admin sees why.
    let dead_port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let down =
        Delivery::from_config(Some(&format!("smtp://127.0.0.1:{dead_port}")), "Roster <roster@example.com>").unwrap();
    assert_eq!(deliver_due(&app.pool, &down).await.unwrap(), 0);
    let row = row_of(listed(&admin, None).await);
    assert_eq!(row["invite"]["mail"]["state"], "retrying");
    assert_eq!(row["invite"]["mail"]["attempts"], 1);
    assert!(!row["invite"]["mail"]["last_error"].as_str().unwrap().is_empty(), "{row}");

    let id_text = id.to_string();
    let (status, details) = admin.call_json("user_details", &[("id", id_text.as_str())]).await;
    assert_eq!(status, StatusCode::OK, "{details}");
    assert_eq!(details["row"]["invite"]["mail"]["state"], "retrying");
    assert_eq!(details["invited_by"], "Ada Lovelace");
    assert_eq!(details["time_zone"], "Europe/Zurich");
    assert_eq!(details["mails"].as_array().unwrap().len(), 1);

    // Delivered once it is due again.
    sqlx::query("UPDATE outbox SET next_attempt_at = now()").execute(&app.pool).await.unwrap();
    assert_eq!(deliver_due(&app.pool, &Delivery::DevMailbox).await.unwrap(), 1);
    let row = row_of(listed(&admin, None).await);
    assert_eq!(row["invite"]["mail"]["state"], "sent");
    assert!(row["invite"]["mail"]["sent"]["local"].as_str().is_some());
    assert!(row["invite"]["mail"]["last_error"].is_null());

    // A resend shows the new mail; the details list both.
    admin.call_json("resend_invite", &[("user", id_text.as_str())]).await;
    let (_, details) = admin.call_json("user_details", &[("id", id_text.as_str())]).await;
    assert_eq!(details["row"]["invite"]["mail"]["state"], "queued");
    let states: Vec<&str> = details["mails"].as_array().unwrap().iter().map(|m| m["state"].as_str().unwrap()).collect();
    assert_eq!(states, vec!["queued", "sent"], "newest first");

    // The panel renders on the server too (no JavaScript needed).
    let html = admin.page_html(&format!("/settings/users?user={id}")).await;
    assert!(
        html.contains("User details") && html.contains("Resend invite") && html.contains("Cancel invite"),
        "{html}"
    );
}
