//! The User Management table and seat counters: who may see them, tenant
//! isolation, sorting, search and keyset pagination.

use crate::common::*;
use reqwest::StatusCode;
use roster::server::db::Db;
use serde_json::Value;
use uuid::Uuid;

fn emails(page: &Value) -> Vec<String> {
    page["rows"].as_array().unwrap().iter().map(|r| r["email"].as_str().unwrap().to_owned()).collect()
}

/// Adds `n` users with varied names, roles, statuses and dates in one go.
async fn add_many(app: &TestApp, org_id: Uuid, n: i64) {
    sqlx::query("UPDATE seats SET quota = quota + $2 WHERE org_id = $1 AND role <> 'superuser'")
        .bind(org_id)
        .bind(n as i32)
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO users (org_id, email, first_name, last_name, role, status, time_zone, activated_at, last_sign_in_at, created_at) \
         SELECT $1, 'user' || i || '.' || $3 || '@example.com', \
                (ARRAY['Ada','bob','Émile','Zoë','carl'])[1 + i % 5], \
                (ARRAY['Smith','o''Neil','smith','Ångström','Baker','Goldsmith'])[1 + i % 6], \
                (CASE WHEN i % 3 = 0 THEN 'operator' ELSE 'basic' END)::user_role, \
                (CASE WHEN i % 4 = 0 THEN 'invited' WHEN i % 7 = 0 THEN 'disabled' ELSE 'active' END)::user_status, 'UTC', \
                CASE WHEN i % 4 <> 0 THEN now() END, \
                CASE WHEN i % 4 <> 0 AND i % 2 = 0 THEN now() - i * interval '1 hour' END, \
                now() - (i % 9) * interval '1 day' \
         FROM generate_series(1, $2::bigint) AS i",
    )
    .bind(org_id)
    .bind(n)
    .bind(&Uuid::new_v4().simple().to_string()[..6])
    .execute(&app.pool)
    .await
    .unwrap();
}

#[db_test]
async fn the_table_needs_a_session(pool: Db) {
    let app = spawn_app(pool).await;
    app.signed_up("Acme").await;
    let anonymous = app.browser();
    let (status, body) = anonymous.list(&[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["kind"], "unauthorized");
    assert!(body.get("rows").is_none());
    let (status, body) = anonymous.call_json("seat_usage", &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.as_array().is_none());
}

#[db_test]
async fn operators_and_basic_users_are_refused(pool: Db) {
    let app = spawn_app(pool).await;
    let (_, admin) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin).await;
    for role in ["operator", "basic"] {
        let email = app.add_user(org_id, role, "Grace", "Hopper").await;
        let browser = app.browser();
        assert_eq!(browser.sign_in(&email, PASSWORD).await.0, StatusCode::OK);
        let (status, body) = browser.list(&[]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role}");
        assert!(body.get("rows").is_none());
        let (status, _) = browser.call_json("seat_usage", &[]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role}");
    }
}

#[db_test]
async fn each_organization_sees_only_its_own_users(pool: Db) {
    let app = spawn_app(pool).await;
    let (alpha, alpha_admin) = app.signed_up("Alpha").await;
    let (beta, beta_admin) = app.signed_up("Beta").await;
    add_many(&app, app.org_id_of(&alpha_admin).await, 30).await;
    add_many(&app, app.org_id_of(&beta_admin).await, 5).await;

    let (_, alpha_page) = alpha.list(&[("size", "100")]).await;
    let (_, beta_page) = beta.list(&[("size", "100")]).await;
    let alpha_emails = emails(&alpha_page);
    let beta_emails = emails(&beta_page);
    assert_eq!(alpha_emails.len(), 31);
    assert_eq!(beta_emails.len(), 6);
    assert!(alpha_emails.contains(&alpha_admin) && !alpha_emails.contains(&beta_admin));
    assert!(beta_emails.iter().all(|e| !alpha_emails.contains(e)));

    // A search for another organization's user finds nothing.
    let (_, found) = alpha.list(&[("q", &beta_admin)]).await;
    assert!(emails(&found).is_empty());

    // Seats are per organization.
    let (_, seats) = beta.call_json("seat_usage", &[]).await;
    let superuser = seats.as_array().unwrap().iter().find(|s| s["role"] == "superuser").unwrap();
    assert_eq!((superuser["used"].as_i64(), superuser["quota"].as_i64()), (Some(1), Some(1)));
}

#[db_test]
async fn every_column_sorts_both_ways_and_keyset_pages_cover_every_row_once(pool: Db) {
    let app = spawn_app(pool).await;
    let (browser, admin) = app.signed_up("Acme").await;
    add_many(&app, app.org_id_of(&admin).await, 70).await;

    for column in ["status", "role", "active", "access", "first_name", "last_name", "email", "created", "last_sign_in"]
    {
        for dir in ["asc", "desc"] {
            // The whole list in one page is the reference order.
            let (_, all) = browser.list(&[("sort", column), ("dir", dir), ("size", "100")]).await;
            let reference = emails(&all);
            assert_eq!(reference.len(), 71);

            // Forwards, 25 at a time.
            let mut walked = Vec::new();
            let mut pages = Vec::new();
            let mut after: Option<String> = None;
            loop {
                let mut query = vec![("sort", column), ("dir", dir), ("size", "25")];
                if let Some(cursor) = &after {
                    query.push(("after", cursor.as_str()));
                }
                let (status, page) = browser.list(&query).await;
                assert_eq!(status, StatusCode::OK, "{page}");
                walked.extend(emails(&page));
                pages.push(page.clone());
                match page["next"].as_str() {
                    Some(next) => after = Some(next.to_owned()),
                    None => break,
                }
            }
            assert_eq!(walked, reference, "{column} {dir}: forwards");
            assert_eq!(pages.len(), 3);
            assert!(pages[0]["prev"].is_null(), "the first page has no previous page");

            // Backwards from the last page with the `before` cursors.
            let last = pages.last().unwrap();
            let (_, middle) = browser
                .list(&[("sort", column), ("dir", dir), ("size", "25"), ("before", last["prev"].as_str().unwrap())])
                .await;
            assert_eq!(emails(&middle), emails(&pages[1]), "{column} {dir}: backwards");
            let (_, first) = browser
                .list(&[("sort", column), ("dir", dir), ("size", "25"), ("before", middle["prev"].as_str().unwrap())])
                .await;
            assert_eq!(emails(&first), emails(&pages[0]), "{column} {dir}: back to the start");
            assert!(first["prev"].is_null());
        }
    }

    // Spot-check the order itself: last names as people expect, case and
    // accents aside ("Ångström" among the A's, not after "Smith").
    let (_, page) = browser.list(&[("sort", "last_name"), ("size", "100")]).await;
    let mut last_names: Vec<String> =
        page["rows"].as_array().unwrap().iter().map(|r| r["last_name"].as_str().unwrap().to_lowercase()).collect();
    last_names.dedup();
    assert_eq!(last_names, ["ångström", "baker", "goldsmith", "lovelace", "o'neil", "smith"]);
    let (_, page) = browser.list(&[("sort", "created"), ("dir", "desc"), ("size", "100")]).await;
    let created: Vec<String> =
        page["rows"].as_array().unwrap().iter().map(|r| r["created"]["iso"].as_str().unwrap().to_owned()).collect();
    let parsed: Vec<chrono::DateTime<chrono::FixedOffset>> =
        created.iter().map(|c| chrono::DateTime::parse_from_rfc3339(c).unwrap()).collect();
    assert!(parsed.windows(2).all(|w| w[0] >= w[1]), "newest first");
}

#[db_test]
async fn search_matches_names_and_emails_case_insensitively_and_literally(pool: Db) {
    let app = spawn_app(pool).await;
    let (browser, admin) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin).await;
    add_many(&app, org_id, 30).await;
    app.add_user(org_id, "basic", "Percy", "Under_score").await;

    let (_, page) = browser.list(&[("q", "SMITH"), ("size", "100")]).await;
    let rows = page["rows"].as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| { r["last_name"].as_str().unwrap().to_lowercase().contains("smith") }));
    // "smith" and "Goldsmith" rows: every one of them.
    let expected = app.count("SELECT count(*) FROM users WHERE last_name ILIKE '%smith%'").await;
    assert_eq!(rows.len() as i64, expected);

    let (_, page) = browser.list(&[("q", "ångström")]).await;
    assert!(!emails(&page).is_empty(), "non-ASCII is case-folded too");

    let (_, page) = browser.list(&[("q", &admin.to_uppercase())]).await;
    assert_eq!(emails(&page), vec![admin.clone()], "by email");

    // Accents and case aside, in Latin and Cyrillic alike.
    let zoe = app.add_user(org_id, "basic", "Zoë", "Schütz").await;
    let elena = app.add_user(org_id, "basic", "Елена", "Ёлкина").await;
    for (term, who) in [("zoe schutz", &zoe), ("SCHÜTZ", &zoe), ("ЕЛЕНА", &elena), ("елкин", &elena)] {
        let (_, page) = browser.list(&[("q", term)]).await;
        assert_eq!(emails(&page), vec![who.clone()], "{term}");
    }
    // "zoe" (three letters) finds it inside words too: the seeded Zoës.
    let (_, page) = browser.list(&[("q", "zoe"), ("size", "100")]).await;
    assert!(emails(&page).contains(&zoe) && emails(&page).len() > 1);

    // One or two letters: names and addresses that start with them.
    let (_, page) = browser.list(&[("q", "sc"), ("size", "100")]).await;
    assert_eq!(emails(&page), vec![zoe.clone()], "Schütz starts with sc; nothing else does");
    let (_, page) = browser.list(&[("q", "NG")]).await;
    assert!(emails(&page).is_empty(), "\"ng\" starts no name: \"Ångström\" only contains it");
    let (_, page) = browser.list(&[("q", "å"), ("size", "100")]).await;
    assert!(emails(&page).len() > 1, "\"å\" is \"a\": Ada, Ångström");
    let (_, page) = browser.list(&[("q", "ё"), ("size", "100")]).await;
    assert_eq!(emails(&page), vec![elena.clone()], "Ёлкина starts with ё (and with е)");
    let (_, page) = browser.list(&[("q", "Zo Sc")]).await;
    assert_eq!(emails(&page), vec![zoe.clone()], "each word starts a name or the email");

    // A pasted user id finds that user; another organization's, nobody.
    let zoe_id = app.user_id_of(&zoe).await.to_string();
    let (_, page) = browser.list(&[("q", &format!(" {zoe_id} "))]).await;
    assert_eq!(emails(&page), vec![zoe.clone()]);
    let (_, other) = app.signed_up("Globex").await;
    let other_id = app.user_id_of(&other).await.to_string();
    let (_, page) = browser.list(&[("q", &other_id)]).await;
    assert!(emails(&page).is_empty());

    // `_` and `%` are literal, not wildcards.
    let (_, page) = browser.list(&[("q", "under_")]).await;
    assert_eq!(emails(&page).len(), 1);
    let (_, page) = browser.list(&[("q", "%")]).await;
    assert!(emails(&page).is_empty());
}

#[db_test]
async fn a_search_with_a_control_character_is_refused_clearly_before_sql(pool: Db) {
    let app = spawn_app(pool).await;
    let (browser, _) = app.signed_up("Acme").await;
    // Short and long terms take different query strategies: both refused.
    for q in ["a\0b", "smith\0", "\u{1}x", "ab\tc"] {
        let (status, body) = browser.list(&[("q", q)]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{q:?}: {body}");
        assert_eq!(body["kind"], "bad_request");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains("control character"), "{q:?}: {message}");
        assert!(!message.contains("link"), "not reported as a stale link: {message}");
    }
    // Without JavaScript the page says it next to the search box's results.
    let html = browser.page_html("/settings/users?q=a%00b").await;
    assert!(html.contains("invisible control character"), "the page shows the refusal");
    // Undecodable bytes are read as replacement characters: an empty result, no error.
    let (status, body) = browser.list(&[("q", "\u{FFFD}abc")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let response = browser
        .client
        .post(format!("{}/api/list_users", browser.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("query%5Bq%5D=ab%FFcd")
        .send()
        .await
        .unwrap();
    // Raw invalid UTF-8 in the body is never a server error.
    let status = response.status();
    assert!(!status.is_server_error(), "{} {}", status, response.text().await.unwrap());
}

/// Walks a view page by page (`size` rows each) and returns every email.
async fn walk(browser: &Browser, view: &[(&str, &str)], size: &str) -> Vec<String> {
    let mut walked = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut query = view.to_vec();
        query.push(("size", size));
        if let Some(cursor) = &after {
            query.push(("after", cursor.as_str()));
        }
        let (status, page) = browser.list(&query).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        walked.extend(emails(&page));
        match page["next"].as_str() {
            Some(next) => after = Some(next.to_owned()),
            None => return walked,
        }
    }
}

/// A search sorts its matches when they are few, else first walks the next
/// rows in order and, when they do not fill the page, collects its matches
/// through the trigram index. Every way must give exactly the order and
/// pages a plain query gives.
#[db_test]
async fn searches_page_the_same_whether_matches_are_near_or_far_down_the_order(pool: Db) {
    use roster::features::users::server::list::{FEW_MATCHES, SEARCH_WINDOW};
    let app = spawn_app(pool).await;
    let (browser, admin) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin).await;
    add_many(&app, org_id, 1500).await;

    let reference = |order: &'static str, term: &'static str| {
        let pool = app.pool.clone();
        async move {
            // Three letters or more: inside; fewer: at the start of a name
            // or the email.
            let (matches, pattern) = if term.chars().count() >= 3 {
                ("roster_fold(first_name || ' ' || last_name || ' ' || email) LIKE $2", format!("%{term}%"))
            } else {
                (
                    "(roster_fold(first_name) LIKE $2 OR roster_fold(last_name) LIKE $2 OR roster_fold(email) LIKE $2)",
                    format!("{term}%"),
                )
            };
            sqlx::query_scalar::<_, String>(&format!(
                "SELECT email FROM users u WHERE org_id = $1 AND status <> 'invite_canceled' AND {matches} ORDER BY {order}"
            ))
            .bind(org_id)
            .bind(pattern)
            .fetch_all(&pool)
            .await
            .unwrap()
        }
    };
    // "Smith" sorts after every other seeded last name: the first rows in
    // ascending order hold none of them, so those pages come from the
    // trigram index (by email, or prefixes; by last name the covering
    // index's longer window walks to them, see the test below);
    // descending, they come first and the walk finds them.
    let in_window: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT last_name FROM users WHERE org_id = $1 \
         ORDER BY lower(last_name) COLLATE \"und-x-icu\", id LIMIT $2) w WHERE lower(last_name) = 'smith'",
    )
    .bind(org_id)
    .bind(SEARCH_WINDOW)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(in_window, 0, "the test needs matches beyond the window");
    // A few "Aquetzal" sort first by last name and many "Zquetzal" after
    // the window: the window holds some matches but not a page of them.
    sqlx::query("UPDATE seats SET quota = quota + 305 WHERE org_id = $1 AND role = 'basic'")
        .bind(org_id)
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO users (org_id, email, first_name, last_name, role, status, time_zone) \
         SELECT $1, 'quetzal' || i || '@example.com', 'Quinn', CASE WHEN i <= 5 THEN 'Aquetzal' ELSE 'Zquetzal' END, \
                'basic', 'active', 'UTC' FROM generate_series(1, 305) AS i",
    )
    .bind(org_id)
    .execute(&app.pool)
    .await
    .unwrap();
    const LAST_NAME: &str = "lower(last_name) COLLATE \"und-x-icu\", id";
    const LAST_NAME_DESC: &str = "lower(last_name) COLLATE \"und-x-icu\" DESC, id DESC";
    let count = |term: &'static str| reference("id", term);
    assert!(count("smith").await.len() as i64 > FEW_MATCHES, "the test needs many matches");
    assert!(count("user12").await.len() as i64 <= FEW_MATCHES, "the test needs few matches");

    for (view, order, term) in [
        (vec![("q", "SMITH"), ("sort", "last_name")], LAST_NAME, "smith"),
        (vec![("q", "smith"), ("sort", "last_name"), ("dir", "desc")], LAST_NAME_DESC, "smith"),
        (vec![("q", "ANGSTROM"), ("sort", "last_name")], LAST_NAME, "angstrom"),
        (vec![("q", "smith"), ("sort", "email")], "lower(email), id", "smith"),
        (vec![("q", "ström"), ("sort", "created"), ("dir", "desc")], "created_at DESC, id DESC", "strom"),
        (vec![("q", "USER12"), ("sort", "last_name")], LAST_NAME, "user12"),
        (vec![("q", "quetzal"), ("sort", "last_name")], LAST_NAME, "quetzal"),
        (vec![("q", "zquetzal"), ("sort", "last_name")], LAST_NAME, "zquetzal"),
        // Word starts, through the prefix indexes: many, and few far down.
        (vec![("q", "Go"), ("sort", "last_name")], LAST_NAME, "go"),
        (vec![("q", "qu"), ("sort", "last_name")], LAST_NAME, "qu"),
    ] {
        let expected = reference(order, term).await;
        assert!(expected.len() > 100, "{term}: {} matches", expected.len());
        assert_eq!(walk(&browser, &view, "25").await, expected, "{view:?}, 25 a page");
        assert_eq!(walk(&browser, &view, "100").await, expected, "{view:?}, 100 a page");
    }

    // Back from the second page of a search, to the first.
    let view = [("q", "smith"), ("sort", "last_name"), ("size", "25")];
    let (_, first) = browser.list(&view).await;
    let (_, second) = browser.list(&[&view[..], &[("after", first["next"].as_str().unwrap())]].concat()).await;
    let (_, back) = browser.list(&[&view[..], &[("before", second["prev"].as_str().unwrap())]].concat()).await;
    assert_eq!(emails(&back), emails(&first));
    assert!(back["prev"].is_null());
}

/// The emails of one strategy's page for `query`, as the server would
/// read it (26 rows: the page and the one that says another follows).
async fn strategy_page(
    pool: &Db,
    org_id: Uuid,
    query: &roster::features::users::types::UserListQuery,
    strategy: roster::features::users::server::list::Strategy,
) -> Vec<String> {
    use roster::features::users::server::list::{ListFilters, build_query};
    use sqlx::Row;
    let filters = ListFilters::default();
    let (mut sql, _) = build_query("", org_id, query, 25, strategy, &filters).unwrap();
    sql.build().fetch_all(pool).await.unwrap().iter().map(|r| r.get::<String, _>("email")).collect()
}

/// A search by last name may be answered by walking the name order or by
/// collecting the matches: both give the same page, and the walk, where the
/// sort index holds what the search checks, never reads the table (a
/// column added to the filters would silently bring back a read of the
/// table per row walked, 270 ms for "son" at a million users).
#[db_test]
async fn a_name_search_walks_the_covering_index_alone_and_agrees_with_the_matches(pool: Db) {
    use roster::features::users::server::list::{ListFilters, Strategy, build_query, window_is_covered};
    use roster::features::users::types::UserListQuery;
    use sqlx::Row;
    let app = spawn_app(pool).await;
    let (_, admin) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin).await;
    add_many(&app, org_id, 600).await;
    // Marks the pages all-visible, as autovacuum does on a server.
    sqlx::query("VACUUM ANALYZE users").execute(&app.pool).await.unwrap();

    for (q, external) in [("smith", false), ("angstrom", false), ("SMITH", true)] {
        let query =
            UserListQuery { q: Some(q.into()), kind: external.then(|| "external".to_owned()), ..Default::default() };
        assert!(window_is_covered(&query), "{q}");
        let walked = strategy_page(&app.pool, org_id, &query, Strategy::InOrder).await;
        assert_eq!(walked.len(), if external { 0 } else { 26 }, "{q}");
        assert_eq!(strategy_page(&app.pool, org_id, &query, Strategy::InOrderWindow).await, walked, "{q}");
        assert_eq!(strategy_page(&app.pool, org_id, &query, Strategy::Matches).await, walked, "{q}");
    }

    // The plan of the window: with a small table PostgreSQL would rather
    // read it whole, so the other ways are switched off for this look.
    let query = UserListQuery { q: Some("smith".into()), ..Default::default() };
    let mut conn = app.pool.acquire().await.unwrap();
    sqlx::query("SET enable_seqscan = off").execute(&mut *conn).await.unwrap();
    sqlx::query("SET enable_bitmapscan = off").execute(&mut *conn).await.unwrap();
    let filters = ListFilters::default();
    let (mut explain, _) =
        build_query("EXPLAIN (COSTS OFF) ", org_id, &query, 25, Strategy::InOrderWindow, &filters).unwrap();
    let plan: Vec<String> =
        explain.build().fetch_all(&mut *conn).await.unwrap().iter().map(|r| r.get::<String, _>(0)).collect();
    let plan = plan.join("\n");
    assert!(plan.contains("Index Only Scan using users_by_last_name_covering"), "{plan}");

    // Anything the index does not hold keeps the short window.
    for query in [
        UserListQuery { q: Some("smith".into()), sort: Some("email".into()), ..Default::default() },
        UserListQuery { q: Some("smith".into()), role: Some("operator".into()), ..Default::default() },
        UserListQuery { q: Some("smith".into()), status: Some("invite_expired".into()), ..Default::default() },
        UserListQuery { q: Some("sm".into()), ..Default::default() },
    ] {
        assert!(!window_is_covered(&query), "{query:?}");
    }
}

#[db_test]
async fn the_page_size_is_remembered(pool: Db) {
    let app = spawn_app(pool).await;
    let (browser, admin) = app.signed_up("Acme").await;
    add_many(&app, app.org_id_of(&admin).await, 60).await;
    let (_, page) = browser.list(&[]).await;
    assert_eq!((page["size"].as_u64(), emails(&page).len()), (Some(25), 25));
    let (_, page) = browser.list(&[("size", "50")]).await;
    assert_eq!(emails(&page).len(), 50);
    let (_, page) = browser.list(&[]).await;
    assert_eq!((page["size"].as_u64(), emails(&page).len()), (Some(50), 50), "remembered");
    let (_, page) = browser.list(&[("size", "7")]).await;
    assert_eq!(page["size"].as_u64(), Some(50), "an unsupported size falls back");
}

#[db_test]
async fn times_are_shown_in_the_viewers_time_zone(pool: Db) {
    let app = spawn_app(pool).await;
    let (browser, admin) = app.signed_up("Acme").await;
    sqlx::query("UPDATE users SET created_at = '2026-01-15 12:00:00+00', time_zone = 'Asia/Tokyo' WHERE email = $1")
        .bind(&admin)
        .execute(&app.pool)
        .await
        .unwrap();
    let (_, page) = browser.list(&[]).await;
    assert_eq!(page["time_zone"], "Asia/Tokyo");
    assert_eq!(page["rows"][0]["created"]["local"], "2026-01-15 21:00");
}

#[db_test]
async fn the_page_itself_redirects_strangers_and_renders_for_superusers(pool: Db) {
    let app = spawn_app(pool).await;
    let response =
        app.browser().client.get(app.url("/settings/users?q=x")).header("accept", "text/html").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["location"], "/sign-in?next=%2Fsettings%2Fusers%3Fq%3Dx");

    let (browser, admin) = app.signed_up("Acme").await;
    let html = browser.page_html("/settings/users").await;
    assert!(html.contains("User Management"));
    assert!(html.contains(&admin));
    assert!(html.contains("1/1"), "seat counters rendered on the server");
}

#[db_test]
async fn names_are_shown_as_text_never_as_markup(pool: Db) {
    let app = spawn_app(pool).await;
    let (browser, admin) = app.signed_up("Acme").await;
    app.add_user(app.org_id_of(&admin).await, "basic", "<img src=x onerror=alert(1)>", "<script>alert(2)</script>")
        .await;
    let html = browser.page_html("/settings/users").await;
    assert!(!html.contains("<img src=x"), "escaped");
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
}

#[db_test]
async fn internal_errors_show_only_a_reference_that_matches_the_request_id(pool: Db) {
    let app = spawn_app(pool).await;
    let (browser, _) = app.signed_up("Acme").await;
    // Break the database under the app.
    sqlx::query("ALTER TABLE seats RENAME TO seats_gone").execute(&app.pool).await.unwrap();
    let response = browser.call("seat_usage", &[]).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let request_id = response.headers()["x-request-id"].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["kind"], "internal");
    assert_eq!(body["request_id"], request_id.as_str(), "the reference is the logged request id");
    let text = body.to_string();
    assert!(!text.contains("seats") && !text.contains("relation"), "no database detail reaches the browser: {text}");
}
