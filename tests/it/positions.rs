//! Positions and the org chart: a tree that can never hold a cycle (moves
//! checked by the server and by the database, concurrent ones included),
//! deleting only what nobody holds and nothing hangs below, holders and the
//! displayed position, employees only, the subtree filter of the user
//! list, the invite and the edit form, and the chart's page.

use crate::common::*;
use reqwest::StatusCode;
use roster::server::db::Db;
use serde_json::Value;
use uuid::Uuid;

async fn create(admin: &Browser, name: &str, parent: Option<&str>) -> String {
    let (status, body) = admin.call_json("create_position", &[("name", name), ("parent", parent.unwrap_or(""))]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_str().unwrap().to_owned()
}

async fn parent_of(app: &TestApp, id: &str) -> Option<String> {
    sqlx::query_scalar("SELECT parent_id::text FROM positions WHERE id = $1::uuid")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[db_test]
async fn the_chart_is_a_tree_that_moves_never_turn_into_a_cycle(pool: Db) {
    let app = spawn_app(pool).await;
    let (ada, _) = app.signed_up("Acme").await;
    let ceo = create(&ada, "CEO", None).await;
    let cto = create(&ada, "CTO", Some(&ceo)).await;
    let lead = create(&ada, "Team lead", Some(&cto)).await;
    let cfo = create(&ada, "CFO", Some(&ceo)).await;

    let (_, chart) = ada.call_json("org_chart", &[]).await;
    let names: Vec<&str> = chart.as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["CEO", "CFO", "CTO", "Team lead"], "by name");

    // Under itself or below itself: refused, next to the field, nothing moves.
    for (what, under) in [(&ceo, &lead), (&cto, &cto), (&ceo, &cto)] {
        let (status, body) = ada.call_json("move_position", &[("id", what), ("parent", under)]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(
            body["fields"][0]["message"],
            "A position cannot go under itself or under one of its own sub-positions."
        );
    }
    assert_eq!(parent_of(&app, &ceo).await, None);
    // The database refuses it whoever asks.
    let direct = sqlx::query("UPDATE positions SET parent_id = $2::uuid WHERE id = $1::uuid")
        .bind(&ceo)
        .bind(&lead)
        .execute(&app.pool)
        .await;
    assert!(direct.unwrap_err().to_string().contains("cannot be moved under itself"));

    // A real move takes everything below along; by name works too.
    let (status, _) = ada.call_json("move_position", &[("id", &cto), ("parent", &cfo)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(parent_of(&app, &cto).await.as_deref(), Some(cfo.as_str()));
    let (status, _) = ada.call_json("move_position", &[("id", &cto), ("parent_name", "ceo")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(parent_of(&app, &cto).await.as_deref(), Some(ceo.as_str()));
    let (_, details) = ada.call_json("load_position", &[("id", &lead)]).await;
    let path: Vec<&str> = details["path"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(path, ["CEO", "CTO"]);
    assert_eq!(app.count("SELECT count(*) FROM audit_log WHERE action = 'position.moved'").await, 2);

    // Two moves at once that would make a cycle together (CTO under CFO,
    // CFO under CTO): one wins, the other is refused, the tree stays a tree.
    for _ in 0..10 {
        sqlx::query("UPDATE positions SET parent_id = $1::uuid WHERE id IN ($2::uuid, $3::uuid)")
            .bind(&ceo)
            .bind(&cto)
            .bind(&cfo)
            .execute(&app.pool)
            .await
            .unwrap();
        let first = [("id", cto.as_str()), ("parent", cfo.as_str())];
        let second = [("id", cfo.as_str()), ("parent", cto.as_str())];
        let (a, b) = tokio::join!(ada.call_json("move_position", &first), ada.call_json("move_position", &second));
        let oks = [a.0, b.0].iter().filter(|s| **s == StatusCode::OK).count();
        assert_eq!(oks, 1, "exactly one move wins: {a:?} {b:?}");
        let cycles = app
            .count(
                "WITH RECURSIVE up AS (SELECT id, parent_id, ARRAY[id] AS seen, false AS cycle FROM positions \
                 UNION ALL SELECT p.id, p.parent_id, up.seen || p.id, p.id = ANY(up.seen) FROM positions p \
                 JOIN up ON p.id = up.parent_id WHERE NOT up.cycle) SELECT count(*) FROM up WHERE cycle",
            )
            .await;
        assert_eq!(cycles, 0);
    }
    // Direct SQL, concurrently, in two transactions: the same.
    sqlx::query("UPDATE positions SET parent_id = $1::uuid WHERE id IN ($2::uuid, $3::uuid)")
        .bind(&ceo)
        .bind(&cto)
        .bind(&cfo)
        .execute(&app.pool)
        .await
        .unwrap();
    let mut first = app.pool.begin().await.unwrap();
    sqlx::query("UPDATE positions SET parent_id = $2::uuid WHERE id = $1::uuid")
        .bind(&cto)
        .bind(&cfo)
        .execute(&mut *first)
        .await
        .unwrap();
    let pool = app.pool.clone();
    let (cfo2, cto2) = (cfo.clone(), cto.clone());
    let second = tokio::spawn(async move {
        sqlx::query("UPDATE positions SET parent_id = $2::uuid WHERE id = $1::uuid")
            .bind(&cfo2)
            .bind(&cto2)
            .execute(&pool)
            .await
    });
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(!second.is_finished(), "the second move waits for the first");
    first.commit().await.unwrap();
    assert!(second.await.unwrap().unwrap_err().to_string().contains("cannot be moved under itself"));

    // Another organization's position is not found; names are checked.
    let (other, _) = app.signed_up("Globex").await;
    assert_eq!(other.call("load_position", &[("id", &ceo)]).await.status(), StatusCode::NOT_FOUND);
    let (status, body) = other.call_json("create_position", &[("name", "Spy"), ("parent", &ceo)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, _) = ada.call_json("rename_position", &[("id", &cfo), ("name", "  ")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[db_test]
async fn holders_the_displayed_position_deleting_and_the_subtree_filter(pool: Db) {
    let app = spawn_app(pool).await;
    let (ada, ada_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&ada_email).await;
    let ceo = create(&ada, "CEO", None).await;
    let cto = create(&ada, "CTO", Some(&ceo)).await;
    let lead = create(&ada, "Team lead", Some(&cto)).await;
    let anna = app.add_user(org_id, "basic", "Anna", "Smith").await;
    let anna_id = app.user_id_of(&anna).await.to_string();
    let otto = app.add_user(org_id, "basic", "Otto", "Other").await;
    let carol = app.add_user(org_id, "basic", "Carol", "Partner").await;
    app.make_external(&carol).await;
    let carol_id = app.user_id_of(&carol).await.to_string();

    // Anna takes the lead and the CTO position; the first is displayed.
    for position in [&lead, &cto] {
        let (status, body) = ada.call_json("add_position_holder", &[("position", position), ("user", &anna_id)]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (_, details) = ada.call_json("user_details", &[("id", &anna_id)]).await;
    assert_eq!(details["displayed_position"], Value::String(lead.clone()));
    assert_eq!(details["positions"].as_array().unwrap().len(), 2);
    // An external user holds none: the server says why, the database agrees.
    let (status, body) = ada.call_json("add_position_holder", &[("position", &lead), ("user", &carol_id)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["fields"][0]["message"].as_str().unwrap().contains("external users hold no position"));
    let direct =
        sqlx::query("INSERT INTO user_positions (org_id, user_id, position_id) VALUES ($1, $2::uuid, $3::uuid)")
            .bind(org_id)
            .bind(&carol_id)
            .bind(&lead)
            .execute(&app.pool)
            .await;
    assert!(direct.unwrap_err().to_string().contains("external users cannot hold positions"));
    // Candidates are employees without the position.
    let (_, found) = ada.call_json("position_candidates", &[("position", &lead), ("term", "a")]).await;
    let found: Vec<&str> = found.as_array().unwrap().iter().map(|h| h["name"].as_str().unwrap()).collect();
    assert!(
        found.contains(&"Ada Lovelace") && !found.contains(&"Anna Smith") && !found.contains(&"Carol Partner"),
        "{found:?}"
    );

    // The position filter takes the whole subtree.
    let (_, under_ceo) = ada.list(&[("position", &ceo)]).await;
    let emails: Vec<&str> =
        under_ceo["rows"].as_array().unwrap().iter().map(|r| r["email"].as_str().unwrap()).collect();
    assert_eq!(emails, [anna.to_lowercase().as_str()]);
    assert_eq!(under_ceo["matching"], 1);
    let (_, with_search) = ada.list(&[("position", &ceo), ("q", "otto")]).await;
    assert_eq!(with_search["rows"].as_array().unwrap().len(), 0);
    let (status, body) = ada.list(&[("position", &Uuid::new_v4().to_string())]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // Deleting waits until nobody holds it and nothing hangs below.
    let (status, body) = ada.call_json("delete_position", &[("id", &cto)]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["message"],
        "\u{201c}CTO\u{201d} cannot be deleted yet: move its 1 sub-position first and remove its 1 holder."
    );
    // Giving up the displayed one falls back to the other.
    let (status, _) = ada.call_json("remove_position_holder", &[("position", &lead), ("user", &anna_id)]).await;
    assert_eq!(status, StatusCode::OK);
    let (_, details) = ada.call_json("user_details", &[("id", &anna_id)]).await;
    assert_eq!(details["displayed_position"], Value::String(cto.clone()));
    let (status, _) = ada.call_json("delete_position", &[("id", &lead)]).await;
    assert_eq!(status, StatusCode::OK);
    // Three created, two given, one taken, one deleted.
    assert_eq!(app.count("SELECT count(*) FROM audit_log WHERE action LIKE 'position.%'").await, 3 + 2 + 1 + 1);

    // Deleting a user ends their positions (and clears nothing else).
    sqlx::query("DELETE FROM users WHERE email = $1").bind(&anna).execute(&app.pool).await.unwrap();
    assert_eq!(app.count("SELECT count(*) FROM user_positions").await, 0);
    let _ = otto;
}

#[db_test]
async fn the_invite_and_the_edit_form_give_and_take_positions(pool: Db) {
    let app = spawn_app(pool).await;
    let (ada, _) = app.signed_up("Acme").await;
    let ceo = create(&ada, "CEO", None).await;
    let qa = create(&ada, "Quality lead", Some(&ceo)).await;
    create(&ada, "Twin", Some(&ceo)).await;
    create(&ada, "twin", Some(&qa)).await;

    let grace = unique_email("grace");
    let mut form = invite_form(&grace, "basic");
    form.push(("invite[position]", "quality LEAD"));
    let (status, body) = ada.call_json("invite_user", &form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let grace_id = app.user_id_of(&grace).await.to_string();
    let (_, details) = ada.call_json("user_details", &[("id", &grace_id)]).await;
    assert_eq!(details["positions"][0]["name"], "Quality lead");
    assert_eq!(details["displayed_position"], Value::String(qa.clone()));

    // Unknown and ambiguous names, and positions for external users, are
    // refused next to the field; nobody is created.
    for (position, kind, message) in [
        ("Nobody", "internal", "There is no position called \u{201c}Nobody\u{201d}."),
        ("twin", "internal", "Several positions are called \u{201c}twin\u{201d}: choose one in the org chart."),
        ("CEO", "external", "External users hold no position. Leave it empty, or invite an employee."),
    ] {
        let email = unique_email("x");
        let mut form = invite_form(&email, "basic");
        form.extend([("invite[position]", position), ("invite[kind]", kind)]);
        let (status, body) = ada.call_json("invite_user", &form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["fields"][0]["field"], "position");
        assert_eq!(body["fields"][0]["message"], message);
        assert_eq!(app.count(&format!("SELECT count(*) FROM users WHERE email = '{email}'")).await, 0);
    }

    // The edit form: add the CEO position, display it, then untick the lead.
    let version = details["version"].as_i64().unwrap().to_string();
    let edit = |version: &str, extra: Vec<(String, String)>| {
        let mut form: Vec<(String, String)> = vec![
            ("user".into(), grace_id.clone()),
            ("edit[version]".into(), version.into()),
            ("edit[first_name]".into(), "Grace".into()),
            ("edit[last_name]".into(), "Hopper".into()),
            ("edit[role]".into(), "basic".into()),
            ("edit[time_zone]".into(), "UTC".into()),
            ("edit[positions_shown]".into(), "1".into()),
        ];
        form.extend(extra);
        form
    };
    let form = edit(
        &version,
        vec![
            (format!("edit[positions][id-{qa}]"), "on".into()),
            ("edit[add_position]".into(), "ceo".into()),
            ("edit[displayed_position]".into(), qa.clone()),
        ],
    );
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, body) = ada.call_json("edit_user", &form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, details) = ada.call_json("user_details", &[("id", &grace_id)]).await;
    assert_eq!(details["positions"].as_array().unwrap().len(), 2);
    let version = details["version"].as_i64().unwrap().to_string();
    let form = edit(
        &version,
        vec![(format!("edit[positions][id-{ceo}]"), "on".into()), ("edit[displayed_position]".into(), ceo.clone())],
    );
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(ada.call_json("edit_user", &form).await.0, StatusCode::OK);
    let (_, details) = ada.call_json("user_details", &[("id", &grace_id)]).await;
    let names: Vec<&str> =
        details["positions"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["CEO"]);
    assert_eq!(details["displayed_position"], Value::String(ceo.clone()));
    let edited: Value =
        sqlx::query_scalar("SELECT details FROM audit_log WHERE action = 'user.edited' ORDER BY at DESC LIMIT 1")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(edited["positions"], "CEO, Quality lead → CEO; displayed: Quality lead → CEO");

    // The chart's page without JavaScript: the tree, the path to the
    // selected position open, its holders.
    let html = ada.page_html(&format!("/settings/org-chart?position={qa}")).await;
    assert!(html.contains(r#"role="tree""#) && html.contains(r#"aria-label="Org chart""#));
    let tree = &html[html.find(r#"role="tree""#).unwrap_or(0)..];
    assert!(
        tree.contains(">Quality lead<") && tree.contains(">twin<"),
        "the path is open: {}",
        &tree[..tree.len().min(3000)]
    );
    assert!(html.contains(r#"aria-selected="true""#));
    assert!(!html.contains("Grace Hopper"), "Grace no longer holds it");
    let html = ada.page_html(&format!("/settings/org-chart?position={ceo}")).await;
    assert!(html.contains("Grace Hopper"), "the holder");
    let html = ada.page_html("/settings/org-chart?q=twi").await;
    assert!(html.contains(">Twin<") && html.contains(">twin<"), "search opens the paths to matches");
}
