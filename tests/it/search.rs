//! Search correctness by brute force: over a few hundred users with tricky
//! names (accents, case, Cyrillic, apostrophes, several words), every
//! combination of term, status filter, sort column and direction is walked
//! page by page through the server function and compared, in full and in
//! order, with a reference computed here in Rust from every user's row.
//!
//! What the reference takes from PostgreSQL is only what defines the rules
//! themselves: each name folded by `roster_fold` (lower case, no accents)
//! and its rank in the Unicode collation. Which users match, in what order,
//! and how they split into pages is computed here, independently of the
//! query strategies, indexes and cursors the server uses.

use std::cmp::Ordering;

use crate::common::*;
use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use roster::server::db::Db;
use sqlx::FromRow;
use uuid::Uuid;

#[derive(FromRow, Clone)]
struct Person {
    id: Uuid,
    email: String,
    status: String,
    created_at: DateTime<Utc>,
    first_fold: String,
    last_fold: String,
    email_fold: String,
    search_text: String,
    first_rank: i64,
    last_rank: i64,
    email_key: String,
}

const FIRST: [&str; 12] =
    ["Zoë", "zoe", "Émile", "Anna", "anna-lena", "Елена", "ЁЖИК", "Łukasz", "O'Brien", "Søren", "Ana María", "Li"];
const LAST: [&str; 10] =
    ["Schütz", "schutz", "Ångström", "Anderson", "Ёлкина", "Иванов", "Mo", "van der Berg", "Nguyễn", "Smithson"];

async fn seed(app: &TestApp, org_id: Uuid) {
    sqlx::query("UPDATE seats SET quota = quota + 400 WHERE org_id = $1 AND role <> 'superuser'")
        .bind(org_id)
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO users (org_id, email, first_name, last_name, role, status, time_zone, activated_at, created_at) \
         SELECT $1, (ARRAY['zoe','emile.l','anna','x','lena','son.k','mo'])[1 + i % 7] || i || '@' || \
                (ARRAY['example.com','beispiel.de','почта.рф'])[1 + i % 3], \
                ($2::text[])[1 + i % 12], ($3::text[])[1 + (i * 7) % 10], \
                (CASE WHEN i % 3 = 0 THEN 'operator' ELSE 'basic' END)::user_role, \
                (CASE WHEN i % 11 = 0 THEN 'invite_canceled' WHEN i % 5 = 0 THEN 'disabled' ELSE 'active' END)::user_status, \
                'UTC', now(), now() - (i % 17) * interval '1 hour' \
         FROM generate_series(1, 300) AS i",
    )
    .bind(org_id)
    .bind(FIRST.map(str::to_owned).to_vec())
    .bind(LAST.map(str::to_owned).to_vec())
    .execute(&app.pool)
    .await
    .unwrap();
}

async fn everyone(pool: &Db, org_id: Uuid) -> Vec<Person> {
    sqlx::query_as(
        r#"SELECT id, email, status::text AS status, created_at,
                  roster_fold(first_name) AS first_fold, roster_fold(last_name) AS last_fold,
                  roster_fold(email) AS email_fold, search_text,
                  rank() OVER (ORDER BY lower(first_name) COLLATE "und-x-icu") AS first_rank,
                  rank() OVER (ORDER BY lower(last_name) COLLATE "und-x-icu") AS last_rank,
                  lower(email) AS email_key
           FROM users WHERE org_id = $1"#,
    )
    .bind(org_id)
    .fetch_all(pool)
    .await
    .unwrap()
}

async fn fold(pool: &Db, text: &str) -> String {
    sqlx::query_scalar("SELECT roster_fold($1)").bind(text).fetch_one(pool).await.unwrap()
}

/// Which users a term finds: a user id that user; a term with a word of
/// three letters or more, those whose folded "first last email" contains
/// it; else those where each word begins the first name, last name or email.
async fn matches(pool: &Db, people: &[Person], term: &str) -> Vec<Person> {
    let term = term.trim();
    if let Ok(id) = Uuid::parse_str(term) {
        return people.iter().filter(|p| p.id == id).cloned().collect();
    }
    let long = term.split(|c: char| !c.is_alphanumeric()).any(|w| w.chars().count() >= 3);
    if long {
        let folded = fold(pool, term).await;
        return people.iter().filter(|p| p.search_text.contains(&folded)).cloned().collect();
    }
    let mut words = Vec::new();
    for word in term.split_whitespace() {
        words.push(fold(pool, word).await);
    }
    people
        .iter()
        .filter(|p| {
            words
                .iter()
                .all(|w| p.first_fold.starts_with(w) || p.last_fold.starts_with(w) || p.email_fold.starts_with(w))
        })
        .cloned()
        .collect()
}

fn order(sort: &str, a: &Person, b: &Person) -> Ordering {
    let by = match sort {
        "first_name" => a.first_rank.cmp(&b.first_rank),
        "last_name" => a.last_rank.cmp(&b.last_rank),
        "email" => a.email_key.as_bytes().cmp(b.email_key.as_bytes()),
        "created" => a.created_at.cmp(&b.created_at),
        other => panic!("no reference order for {other}"),
    };
    by.then(a.id.cmp(&b.id))
}

#[db_test]
async fn every_search_filter_and_order_gives_exactly_the_brute_force_result(pool: Db) {
    let app = spawn_app(pool).await;
    let (browser, admin) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&admin).await;
    seed(&app, org_id).await;
    let people = everyone(&app.pool, org_id).await;
    let someone = people.iter().find(|p| p.status == "active" && p.email != admin).unwrap().id.to_string();

    let terms = ["", "a", "an", "zo", "ZOE", "ЕЛЕНА", "schutz", "son", "o'", "li mo", "ё", "x", "nguyen", &someone];
    let mut compared = 0;
    for term in terms {
        let found = if term.is_empty() { people.clone() } else { matches(&app.pool, &people, term).await };
        for (status, keep) in [
            ("", (|p: &Person| p.status != "invite_canceled") as fn(&Person) -> bool),
            ("all", |_: &Person| true),
            ("disabled", |p: &Person| p.status == "disabled"),
        ] {
            for sort in ["last_name", "first_name", "email", "created"] {
                for dir in ["asc", "desc"] {
                    let mut expected: Vec<Person> = found.iter().filter(|p| keep(p)).cloned().collect();
                    expected.sort_by(|a, b| order(sort, a, b));
                    if dir == "desc" {
                        expected.reverse();
                    }
                    let expected: Vec<String> = expected.into_iter().map(|p| p.email).collect();

                    let mut walked = Vec::new();
                    let mut after: Option<String> = None;
                    loop {
                        let mut view =
                            vec![("q", term), ("status", status), ("sort", sort), ("dir", dir), ("size", "50")];
                        if let Some(cursor) = &after {
                            view.push(("after", cursor.as_str()));
                        }
                        let (code, page) = browser.list(&view).await;
                        assert_eq!(code, StatusCode::OK, "{view:?}: {page}");
                        walked.extend(
                            page["rows"].as_array().unwrap().iter().map(|r| r["email"].as_str().unwrap().to_owned()),
                        );
                        match page["next"].as_str() {
                            Some(next) => after = Some(next.to_owned()),
                            None => break,
                        }
                    }
                    assert_eq!(walked, expected, "q={term:?} status={status:?} sort={sort} dir={dir}");
                    compared += 1;
                }
            }
        }
        // A term that finds something, so the comparison means something.
        assert!(!found.is_empty(), "{term:?} finds nobody: the seed should hold matches");
    }
    assert_eq!(compared, terms.len() * 3 * 4 * 2);
}
