//! Advanced search by brute force: 1,300 users with every mix of kind, role,
//! status, group, department, creation and last sign-in; every filter alone
//! and in combinations (so that each of the list's three strategies
//! answers some of them) is walked page by page through the server function,
//! sorted by creation (ties broken by id, as the table does), and compared
//! in full with the users a reference computed here in Rust lets through,
//! along with the count the page reports. Bad dates are named next to their
//! field; a view with more than 10,000 users says so instead of counting.

use crate::common::*;
use chrono::{DateTime, TimeZone, Utc};
use reqwest::StatusCode;
use roster::server::db::Db;
use serde_json::Value;
use sqlx::FromRow;
use uuid::Uuid;

#[derive(FromRow, Clone, Debug)]
struct Person {
    id: Uuid,
    email: String,
    kind: String,
    role: String,
    status: String,
    department: Option<String>,
    created_at: DateTime<Utc>,
    last_sign_in_at: Option<DateTime<Utc>>,
    in_group: bool,
}

/// Midnight UTC of 2026-06-`day` (the admin's zone is UTC).
fn day(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, day, 0, 0, 0).unwrap()
}

async fn seed(app: &TestApp, org_id: Uuid, group: Uuid) {
    sqlx::query("UPDATE seats SET quota = quota + 1400 WHERE org_id = $1 AND role <> 'superuser'")
        .bind(org_id)
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO users (org_id, email, first_name, last_name, role, status, time_zone, kind, department, \
                            activated_at, created_at, last_sign_in_at) \
         SELECT $1, 'f' || i || '@example.com', 'F' || i, 'L', \
                (CASE WHEN i % 3 = 0 THEN 'operator' ELSE 'basic' END)::user_role, \
                (CASE WHEN i % 13 = 0 THEN 'invite_canceled' WHEN i % 7 = 0 THEN 'disabled' ELSE 'active' END)::user_status, \
                'UTC', (CASE WHEN i % 4 = 0 THEN 'external' ELSE 'internal' END)::user_kind, \
                (ARRAY[NULL, 'Sales', 'sales', 'Quality'])[1 + i % 4], now(), \
                $2::timestamptz + (i % 20) * interval '1 day' + (i % 5) * interval '5 hours', \
                CASE WHEN i % 6 <> 0 THEN $2::timestamptz + (i % 9) * interval '1 day' + interval '23 hours' END \
         FROM generate_series(1, 1300) AS i",
    )
    .bind(org_id)
    .bind(day(1))
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO group_members (org_id, group_id, user_id) \
         SELECT org_id, $2, id FROM users WHERE org_id = $1 AND email LIKE 'f%' AND substr(email, 2, 1) IN ('1', '5')",
    )
    .bind(org_id)
    .bind(group)
    .execute(&app.pool)
    .await
    .unwrap();
}

async fn everyone(pool: &Db, org_id: Uuid, group: Uuid) -> Vec<Person> {
    sqlx::query_as(
        "SELECT u.id, u.email, u.kind::text AS kind, u.role::text AS role, u.status::text AS status, u.department, \
                u.created_at, u.last_sign_in_at, \
                EXISTS (SELECT 1 FROM group_members m WHERE m.user_id = u.id AND m.group_id = $2) AS in_group \
         FROM users u WHERE u.org_id = $1",
    )
    .bind(org_id)
    .bind(group)
    .fetch_all(pool)
    .await
    .unwrap()
}

/// One advanced search: its form fields and the reference's rule.
struct Case {
    fields: Vec<(&'static str, &'static str)>,
    keeps: fn(&Person) -> bool,
}

fn cases() -> Vec<Case> {
    let internal = |p: &Person| p.kind == "internal";
    vec![
        Case { fields: vec![], keeps: internal },
        Case { fields: vec![("kind", "external")], keeps: |p| p.kind == "external" },
        Case { fields: vec![("kind", "all")], keeps: |_| true },
        Case { fields: vec![("role", "operator")], keeps: |p| p.kind == "internal" && p.role == "operator" },
        Case { fields: vec![("role", "superuser")], keeps: |p| p.kind == "internal" && p.role == "superuser" },
        Case {
            fields: vec![("department", "SALES")],
            keeps: |p| p.kind == "internal" && p.department.as_deref().is_some_and(|d| d.eq_ignore_ascii_case("sales")),
        },
        Case { fields: vec![("group_name", "berlin OFFICE"), ("kind", "all")], keeps: |p| p.in_group },
        Case {
            fields: vec![("created_from", "2026-06-05"), ("created_to", "2026-06-07")],
            keeps: |p| p.kind == "internal" && p.created_at >= day(5) && p.created_at < day(8),
        },
        // Sorted by creation, the first 1,000 rows hold none of these: the
        // list collects the matches (the third strategy).
        Case {
            fields: vec![("created_from", "2026-06-17")],
            keeps: |p| p.kind == "internal" && p.created_at >= day(17),
        },
        Case {
            fields: vec![("signed_in_to", "2026-06-03")],
            keeps: |p| p.kind == "internal" && p.last_sign_in_at.is_some_and(|at| at < day(4)),
        },
        Case {
            fields: vec![("signed_in_from", "2026-06-04"), ("kind", "all")],
            keeps: |p| p.last_sign_in_at.is_some_and(|at| at >= day(4)),
        },
        // Three and more at once.
        Case {
            fields: vec![("role", "basic"), ("department", "quality"), ("created_from", "2026-06-10")],
            keeps: |p| {
                p.kind == "internal"
                    && p.role == "basic"
                    && p.department.as_deref() == Some("Quality")
                    && p.created_at >= day(10)
            },
        },
        Case {
            fields: vec![("kind", "external"), ("group_name", "Berlin office"), ("role", "operator"), ("q", "f1")],
            keeps: |p| p.kind == "external" && p.in_group && p.role == "operator",
        },
    ]
}

#[db_test]
async fn every_filter_and_their_combinations_list_exactly_the_matching_users(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    sqlx::query("UPDATE users SET time_zone = 'UTC' WHERE email = $1")
        .bind(&admin_email)
        .execute(&app.pool)
        .await
        .unwrap();
    let org_id = app.org_id_of(&admin_email).await;
    admin.call("save_group", &[("name", "Berlin office")]).await;
    let group: Uuid =
        sqlx::query_scalar("SELECT id FROM groups WHERE org_id = $1").bind(org_id).fetch_one(&app.pool).await.unwrap();
    seed(&app, org_id, group).await;
    let people = everyone(&app.pool, org_id, group).await;

    for status in ["", "disabled", "all"] {
        for case in cases() {
            let mut expected: Vec<&Person> = people
                .iter()
                .filter(|p| match status {
                    "" => p.status != "invite_canceled",
                    "all" => true,
                    s => p.status == s,
                })
                .filter(|p| (case.keeps)(p))
                // "q=f1": names that start with "f1" (a short term).
                .filter(|p| !case.fields.contains(&("q", "f1")) || p.email.starts_with("f1"))
                .collect();
            expected.sort_by_key(|p| (p.created_at, p.id));
            let mut fields = case.fields.clone();
            // As User Management sends it: employees unless the filter says.
            if !fields.iter().any(|(k, _)| *k == "kind") {
                fields.push(("kind", "internal"));
            }
            fields.extend([("sort", "created"), ("size", "25")]);
            if !status.is_empty() {
                fields.push(("status", status));
            }
            let mut listed = Vec::new();
            let mut after: Option<String> = None;
            let mut matching = None;
            loop {
                let mut form = fields.clone();
                if let Some(after) = &after {
                    form.push(("after", after));
                }
                let (code, page) = admin.list(&form).await;
                assert_eq!(code, StatusCode::OK, "{fields:?}: {page}");
                matching = matching.or(page["matching"].as_i64());
                listed.extend(page["rows"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_owned()));
                match page["next"].as_str() {
                    Some(next) => after = Some(next.to_owned()),
                    None => break,
                }
                assert!(listed.len() <= people.len(), "{fields:?}: paging does not end");
            }
            let expected_ids: Vec<String> = expected.iter().map(|p| p.id.to_string()).collect();
            assert_eq!(listed, expected_ids, "status {status:?}, filters {:?}", case.fields);
            let filtered = !case.fields.is_empty() || !status.is_empty();
            assert_eq!(matching, filtered.then_some(expected.len() as i64), "the count of {:?}", case.fields);
        }
    }
}

#[db_test]
async fn bad_dates_are_named_and_a_large_view_says_more_than_ten_thousand(pool: Db) {
    let app = spawn_app(pool).await;
    let (admin, admin_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin_email).await;
    for (fields, field, message) in [
        (vec![("created_from", "31.12.2026")], "created_from", "Created from must be a date like 2024-03-31."),
        (
            vec![("signed_in_from", "2026-06-05"), ("signed_in_to", "2026-06-01")],
            "signed_in_to",
            "Last sign-in until cannot be before Last sign-in from.",
        ),
    ] {
        let (status, body) = admin.list(&fields).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["fields"][0]["field"], field);
        assert_eq!(body["fields"][0]["message"], message);
    }
    // The page shows it next to the field, without JavaScript too.
    let html = admin.page_html("/settings/users?created_from=31.12.2026").await;
    assert!(html.contains("Created from must be a date like 2024-03-31."), "{html}");
    let details = &html[html.find("<details").unwrap()..][..60];
    assert!(details.starts_with(r#"<details open class="filters">"#), "the filters stay open: {details}");

    sqlx::query("UPDATE seats SET quota = quota + 10100 WHERE org_id = $1 AND role = 'basic'")
        .bind(org_id)
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO users (org_id, email, first_name, last_name, role, status, time_zone, activated_at, department) \
         SELECT $1, 'bulk' || i || '@example.com', 'Bulk', 'User', 'basic', 'active', 'UTC', now(), 'Ops' \
         FROM generate_series(1, 10050) AS i",
    )
    .bind(org_id)
    .execute(&app.pool)
    .await
    .unwrap();
    let (_, page) = admin.list(&[("department", "ops")]).await;
    assert_eq!(
        (page["matching"].clone(), page["matching_more_than"].clone()),
        (Value::Null, Value::from(10_000)),
        "{page}"
    );
    let html = admin.page_html("/settings/users?department=ops").await;
    assert!(html.contains("25 shown of more than 10,000 matching"), "the footer says so");
    // A search with many matches is not counted: "more than 200".
    let (_, page) = admin.list(&[("q", "bulk1")]).await;
    assert_eq!(
        (page["matching"].clone(), page["matching_more_than"].clone()),
        (Value::Null, Value::from(200)),
        "{page}"
    );
    // Within a filter, the walk in name order comes first; when it fills
    // the page, all that is known is that more than a page match.
    let (_, page) = admin.list(&[("department", "ops"), ("q", "bulk1")]).await;
    assert_eq!(
        (page["matching"].clone(), page["matching_more_than"].clone()),
        (Value::Null, Value::from(25)),
        "{page}"
    );
    assert_eq!(page["rows"].as_array().map(Vec::len), Some(25));
    let html = admin.page_html("/settings/users?department=ops&q=bulk1").await;
    assert!(html.contains("25 shown of more than 25 matching"), "the footer says so");
    // A few matches within a filter are still counted exactly.
    let (_, page) = admin.list(&[("department", "ops"), ("q", "bulk999@")]).await;
    assert_eq!((page["matching"].clone(), page["matching_more_than"].clone()), (Value::from(1), Value::Null));
    // Unfiltered, nothing is counted.
    assert_eq!(admin.list(&[]).await.1["matching"], Value::Null);
}
