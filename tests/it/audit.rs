//! The audit log: entries written with the change they record (and rolled
//! back with it), carrying who, what, about whom, from where; the audit
//! page's access, filters and keyset pages.

use crate::common::*;
use reqwest::StatusCode;
use roster::server::db::Db;
use serde_json::Value;
use uuid::Uuid;

/// (action, actor name, subject name, details) of an organization's entries, oldest first.
async fn entries(app: &TestApp, org_id: Uuid) -> Vec<(String, Option<String>, Option<String>, Value)> {
    let rows: Vec<(String, Option<String>, Option<String>, String)> = sqlx::query_as(
        "SELECT action, actor_name, subject_name, details::text FROM audit_log WHERE org_id = $1 ORDER BY id",
    )
    .bind(org_id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    rows.into_iter().map(|(a, b, c, d)| (a, b, c, serde_json::from_str(&d).unwrap())).collect()
}

fn actions(entries: &[(String, Option<String>, Option<String>, Value)]) -> Vec<&str> {
    entries.iter().map(|e| e.0.as_str()).collect()
}

/// A browser that says who it is, as real ones do.
fn browser_with_agent(app: &TestApp) -> Browser {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("user-agent", "Mozilla/5.0 (Roster tests)".parse().unwrap());
    Browser {
        client: reqwest::Client::builder()
            .cookie_store(true)
            .default_headers(headers)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        base: format!("http://{}", app.addr),
    }
}

#[db_test]
async fn sign_up_sessions_and_every_invite_step_are_audited_with_who_what_and_where(pool: Db) {
    let app = spawn_app(pool).await;
    let ada = browser_with_agent(&app);
    let email = unique_email("ada");
    assert_eq!(ada.sign_up("Acme", &email).await.status(), StatusCode::OK);
    let token = latest_link_token(&app.pool, &email, "/sign-up/confirm/").await;
    assert_eq!(ada.confirm_sign_up(&token, PASSWORD).await.status(), StatusCode::OK);
    let org_id = app.org_id_of(&email).await;
    let ada_id = app.user_id_of(&email).await;

    let grace = unique_email("grace");
    let (status, body) = ada.call_json("invite_user", &invite_form(&grace, "operator")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let grace_id = app.user_id_of(&grace).await.to_string();
    assert_eq!(ada.call_json("resend_invite", &[("user", &grace_id)]).await.0, StatusCode::OK);
    assert_eq!(ada.call_json("cancel_invite", &[("user", &grace_id)]).await.0, StatusCode::OK);
    let (status, _) = ada.sign_in(&email, "Wrong-Password-1!").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = ada.sign_in(&unique_email("nobody"), PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(ada.call("sign_out", &[]).await.status(), StatusCode::OK);
    let (status, _) = ada.sign_in(&email, PASSWORD).await;
    assert_eq!(status, StatusCode::OK);

    // The failed sign-in is written just after its answer.
    let mut log = entries(&app, org_id).await;
    for _ in 0..50 {
        if log.len() == 7 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        log = entries(&app, org_id).await;
    }
    let mut seen = actions(&log);
    // The failure may land before or after the sign-out.
    seen.sort();
    let mut expected = vec![
        "organization.signed_up",
        "invite.created",
        "invite.resent",
        "invite.canceled",
        "session.sign_in_failed",
        "session.signed_out",
        "session.signed_in",
    ];
    expected.sort();
    assert_eq!(seen, expected, "{log:?}");
    assert_eq!(app.count("SELECT count(*) FROM audit_log").await, 7, "the unknown email is logged, not audited");

    let find = |action: &str| log.iter().find(|e| e.0 == action).unwrap().clone();
    let signed_up = find("organization.signed_up");
    assert_eq!((signed_up.1.as_deref(), signed_up.2.as_deref()), (Some("Ada Lovelace"), Some("Ada Lovelace")));
    assert_eq!(signed_up.3["organization"], "Acme");
    let invited = find("invite.created");
    assert_eq!((invited.1.as_deref(), invited.2.as_deref()), (Some("Ada Lovelace"), Some("Grace Hopper")));
    assert_eq!(invited.3["email"], grace.as_str());
    assert_eq!(invited.3["role"], "Operator");
    let failed = find("session.sign_in_failed");
    assert_eq!((failed.1.as_deref(), failed.2.as_deref()), (None, Some("Ada Lovelace")), "a visitor, about Ada");
    assert_eq!(failed.3["reason"], "wrong password");

    // Every entry: the organization, the actor's id, where from, which request.
    let meta: Vec<(Option<Uuid>, Option<String>, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT actor_id, host(client_ip), user_agent, request_id FROM audit_log WHERE org_id = $1 AND action <> 'session.sign_in_failed'",
    )
    .bind(org_id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    for (actor, ip, agent, request) in meta {
        assert_eq!(actor, Some(ada_id));
        assert_eq!(ip.as_deref(), Some("127.0.0.1"));
        assert_eq!(agent.as_deref(), Some("Mozilla/5.0 (Roster tests)"));
        assert_eq!(request.map(|r| r.len()), Some(36));
    }
    let details: Vec<String> =
        sqlx::query_scalar("SELECT details::text FROM audit_log").fetch_all(&app.pool).await.unwrap();
    assert!(details.iter().all(|d| !d.contains(PASSWORD) && !d.contains(&token)), "never a password or a token");
}

#[db_test]
async fn an_entry_exists_only_with_its_change_and_can_never_be_changed(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    roster::features::orgs::server::set_quota(&app.pool, org_id, roster::features::users::types::Role::Operator, 0)
        .await
        .unwrap();
    let before = app.count("SELECT count(*) FROM audit_log").await;
    // Refused by the seat quota inside the transaction: no user, no entry.
    let (status, _) = admin.call_json("invite_user", &invite_form(&unique_email("grace"), "operator")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("SELECT count(*) FROM audit_log").await, before);
    assert_eq!(app.count("SELECT count(*) FROM users").await, 1);

    let changed = sqlx::query("UPDATE audit_log SET actor_name = 'Mallory'").execute(&app.pool).await;
    assert!(changed.unwrap_err().to_string().contains("audit entries cannot be changed"));
}

#[db_test]
async fn the_audit_log_is_the_superusers_and_shows_only_their_organization(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let ada_id = app.user_id_of(&admin_email).await.to_string();
    let (status, page) = admin.call_json("list_audit", &[]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["rows"][0]["action"], "session.signed_in");
    assert_eq!(page["rows"][0]["action_label"], "Signed in");
    assert_eq!(page["time_zone"], "Europe/Zurich");

    let (status, _) = app.browser().call_json("list_audit", &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "no session");
    for role in ["basic", "operator"] {
        let email = app.add_user(org_id, role, "Some", "One").await;
        let browser = app.browser();
        assert_eq!(browser.sign_in(&email, PASSWORD).await.0, StatusCode::OK);
        let (status, _) = browser.call_json("list_audit", &[]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role}");
    }
    // Another organization's Superuser sees their own log only, even when
    // asking for Acme's people.
    let (other, _) = app.signed_up("Globex").await;
    let (status, page) = other.call_json("list_audit", &[("query[subject]", ada_id.as_str())]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["rows"].as_array().unwrap().len(), 0, "{page}");
    let (_, page) = other.call_json("list_audit", &[]).await;
    assert!(
        page["rows"].as_array().unwrap().iter().all(|r| r["actor"] == "Ada Lovelace" && r["subject"] == "Ada Lovelace")
    );
    assert_eq!(page["rows"].as_array().unwrap().len(), 1, "Globex's own sign-in");
}

#[db_test]
async fn the_audit_page_pages_newest_first_filters_and_refuses_bad_filters(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let someone = Uuid::new_v4();
    // 60 invites over three days (Zurich time), most recent first to come back.
    sqlx::query(
        "INSERT INTO audit_log (org_id, at, actor_id, actor_name, action, subject_id, subject_name) \
         SELECT $1, timestamptz '2026-11-20 12:00 Europe/Zurich' + (n || ' hours')::interval, $2, 'Ada Lovelace', \
                'invite.created', $2, 'Person ' || n FROM generate_series(1, 60) n",
    )
    .bind(org_id)
    .bind(someone)
    .execute(&app.pool)
    .await
    .unwrap();
    let list = |query: Vec<(&'static str, String)>| {
        let admin = &admin;
        async move {
            let form: Vec<(String, String)> = query.into_iter().map(|(k, v)| (format!("query[{k}]"), v)).collect();
            let response =
                admin.client.post(format!("{}/api/list_audit", admin.base)).form(&form).send().await.unwrap();
            let status = response.status();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    let subjects = |page: &Value| -> Vec<String> {
        page["rows"].as_array().unwrap().iter().map(|r| r["subject"].as_str().unwrap_or("").to_owned()).collect()
    };
    let filter = vec![("action", "invite.created".to_owned())];
    let (status, first) = list(filter.clone()).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["rows"].as_array().unwrap().len(), 50);
    assert_eq!(subjects(&first)[0], "Person 60", "newest first");
    let next = first["next"].as_str().unwrap().to_owned();
    let (_, second) = list(vec![("action", "invite.created".into()), ("after", next)]).await;
    let rest = subjects(&second);
    assert_eq!(rest.len(), 10);
    assert_eq!(rest.last().unwrap(), "Person 1");
    assert!(second["next"].is_null());

    // A day in the viewer's zone (Europe/Zurich): 21 Nov 00:00–24:00 local.
    let (_, day) = list(vec![("from", "2026-11-21".into()), ("to", "2026-11-21".into())]).await;
    let day = subjects(&day);
    assert_eq!(
        (day.len(), day.first().unwrap().as_str(), day.last().unwrap().as_str()),
        (24, "Person 35", "Person 12")
    );
    // By actor, and about someone.
    let (_, by) = list(vec![("actor", someone.to_string())]).await;
    assert_eq!(by["rows"].as_array().unwrap().len(), 50);
    assert_eq!(by["actor_name"], "Person 60");
    let (_, none) = list(vec![("subject", Uuid::new_v4().to_string())]).await;
    assert!(none["rows"].as_array().unwrap().is_empty());

    for (key, value, message) in [
        ("after", "garbage", "no longer valid"),
        ("action", "invite.exploded", "no such action"),
        ("from", "21.11.2026", "not a date"),
        ("actor", "1 OR 1=1", "not a user id"),
    ] {
        let (status, body) = list(vec![(key, value.into())]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{key}: {body}");
        assert!(body["message"].as_str().unwrap().contains(message), "{key}: {body}");
    }

    // Without JavaScript: the page itself, rendered on the server.
    let html = admin.page_html("/settings/audit?action=invite.created").await;
    assert!(html.contains("Audit log") && html.contains("Person 60") && html.contains("Older ›"), "{html}");
}

#[db_test]
async fn entries_past_the_retention_are_removed_in_small_batches_and_the_page_says_when(pool: Db) {
    use roster::features::audit::server::{PRUNE_BATCH, prune};
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    let (_, page) = admin.call_json("list_audit", &[]).await;
    assert_eq!(page["retention_days"], 365);
    assert!(page["pruned_at"].is_null());
    let old = PRUNE_BATCH * 2 + 500;
    sqlx::query(
        "INSERT INTO audit_log (org_id, at, action, subject_name) \
         SELECT $1, now() - interval '400 days' - (n || ' minutes')::interval, 'invite.created', 'Old ' || n \
         FROM generate_series(1, $2) n",
    )
    .bind(org_id)
    .bind(old)
    .execute(&app.pool)
    .await
    .unwrap();
    let kept_before = app.count("SELECT count(*) FROM audit_log WHERE at > now() - interval '365 days'").await;
    assert_eq!(prune(&app.pool).await.unwrap(), old as u64);
    assert_eq!(app.count("SELECT count(*) FROM audit_log").await, kept_before, "recent entries stay");
    // Nothing is left for the next run.
    assert_eq!(prune(&app.pool).await.unwrap(), 0);
    let (_, page) = admin.call_json("list_audit", &[]).await;
    assert!(page["pruned_at"]["local"].as_str().is_some(), "{page}");
    let html = admin.page_html("/settings/audit").await;
    assert!(html.contains("entries are kept for 365 days") && html.contains("older ones were last removed"), "{html}");
}
