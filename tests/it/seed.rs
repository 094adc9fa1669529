//! `roster seed` (and `make bench`): a small organization seeded as a
//! million would be, checked for what the benchmark relies on, and the
//! displayed-position rule it defers still checked at once everywhere else.

use crate::common::*;
use roster::features::auth::types::Password;
use roster::server::db::Db;
use roster::server::seed::{SEEDED_GROUPS, SEEDED_POSITIONS, seed_organization};

#[db_test]
async fn a_seeded_organization_has_its_directory_and_keeps_the_rules(pool: Db) {
    let app = spawn_app(pool).await;
    let seeded =
        seed_organization(&app.pool, &app.state.hasher, 500, "seed-admin@example.com", &Password::new(PASSWORD))
            .await
            .unwrap();
    let org = seeded.org_id;
    let count = |sql: &'static str| {
        let pool = app.pool.clone();
        async move { sqlx::query_scalar::<_, i64>(sql).bind(org).fetch_one(&pool).await.unwrap() }
    };
    assert_eq!(count("SELECT count(*) FROM users WHERE org_id = $1").await, 501);
    assert_eq!(count("SELECT count(*) FROM users WHERE org_id = $1 AND kind = 'external'").await, 50);
    assert_eq!(count("SELECT count(*) FROM groups WHERE org_id = $1").await, SEEDED_GROUPS);
    assert_eq!(count("SELECT count(*) FROM positions WHERE org_id = $1").await, SEEDED_POSITIONS);
    assert_eq!(count("SELECT count(*) FROM positions WHERE org_id = $1 AND parent_id IS NULL").await, 1);
    // Every seeded employee holds one position and shows it; external
    // users and the Superuser hold none.
    assert_eq!(
        count(
            "SELECT count(*) FROM users u JOIN user_positions p ON p.org_id = u.org_id AND p.user_id = u.id \
             AND p.position_id = u.displayed_position_id WHERE u.org_id = $1"
        )
        .await,
        450
    );
    assert_eq!(count("SELECT count(*) FROM user_positions WHERE org_id = $1").await, 450);
    assert_eq!(
        count("SELECT count(*) FROM users WHERE org_id = $1 AND (kind = 'external' OR role = 'superuser') AND displayed_position_id IS NOT NULL")
            .await,
        0
    );
    // The admin can sign in with the password given.
    let browser = app.browser();
    let (status, _) = browser.sign_in("seed-admin@example.com", PASSWORD).await;
    assert!(status.is_success());

    // Outside a transaction that defers it, a displayed position that is not
    // held is refused at once.
    let (user, other): (uuid::Uuid, uuid::Uuid) = sqlx::query_as(
        "SELECT u.id, p.id FROM users u, positions p WHERE u.org_id = $1 AND p.org_id = $1 \
         AND u.displayed_position_id IS NOT NULL AND p.id <> u.displayed_position_id LIMIT 1",
    )
    .bind(org)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let refused = sqlx::query("UPDATE users SET displayed_position_id = $2 WHERE id = $1")
        .bind(user)
        .bind(other)
        .execute(&app.pool)
        .await;
    assert!(refused.unwrap_err().to_string().contains("users_displayed_position_held"));
    // Deferred, it is checked when the transaction commits.
    let mut tx = app.pool.begin().await.unwrap();
    sqlx::query("SET CONSTRAINTS users_displayed_position_held DEFERRED").execute(&mut *tx).await.unwrap();
    sqlx::query("UPDATE users SET displayed_position_id = $2 WHERE id = $1")
        .bind(user)
        .bind(other)
        .execute(&mut *tx)
        .await
        .unwrap();
    assert!(tx.commit().await.unwrap_err().to_string().contains("users_displayed_position_held"));
}
