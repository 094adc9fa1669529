//! Groups: created, renamed and deleted with their names checked; members
//! added and removed from the group's page and from the user's invite and
//! edit form, each change audited; the group's page lists its members with
//! User Management's query (search, sort, keyset paging); deleting a group
//! never deletes a user; nothing crosses organizations.

use crate::common::*;
use reqwest::StatusCode;
use roster::server::db::Db;
use serde_json::Value;
use uuid::Uuid;

async fn new_group(admin: &Browser, name: &str) -> String {
    let response = admin.call("save_group", &[("name", name), ("description", "People in Berlin")]).await;
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
    let (_, list) = admin.call_json("list_groups", &[("query[q]", name)]).await;
    list["groups"].as_array().unwrap().iter().find(|g| g["name"] == name).unwrap()["id"].as_str().unwrap().to_owned()
}

fn emails(body: &Value) -> Vec<String> {
    body["rows"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|r| r["email"].as_str().unwrap().to_owned())
        .collect()
}

async fn audit_count(app: &TestApp, action: &str) -> i64 {
    app.count(&format!("SELECT count(*) FROM audit_log WHERE action = '{action}'")).await
}

#[db_test]
async fn groups_are_named_once_per_organization_and_listed_with_their_member_counts(pool: Db) {
    let app = spawn_app(pool).await;
    let (ada, ada_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&ada_email).await;
    let berlin = new_group(&ada, "Berlin office").await;
    new_group(&ada, "Auditors").await;

    // Names are required, bounded and unique whatever their case.
    for (name, description, field, message) in [
        ("  ", "", "name", "Enter the group's name."),
        ("BERLIN OFFICE", "", "name", "There is already a group called \u{201c}BERLIN OFFICE\u{201d}."),
        (&*"x".repeat(101), "", "name", "The name can be at most 100 characters."),
        ("Zurich", &*"d".repeat(501), "description", "The description can be at most 500 characters."),
    ] {
        let (status, body) = ada.call_json("save_group", &[("name", name), ("description", description)]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(
            (body["fields"][0]["field"].as_str(), body["fields"][0]["message"].as_str()),
            (Some(field), Some(message))
        );
    }
    assert_eq!(app.count("SELECT count(*) FROM groups").await, 2);
    assert_eq!(audit_count(&app, "group.created").await, 2);

    // Renaming is audited old → new; the same values again write nothing.
    let (status, _) = ada.call_json("save_group", &[("id", &berlin), ("name", "Berlin"), ("description", "")]).await;
    assert_eq!(status, StatusCode::OK);
    ada.call_json("save_group", &[("id", &berlin), ("name", "Berlin"), ("description", "")]).await;
    assert_eq!(audit_count(&app, "group.changed").await, 1);
    let details: Value = sqlx::query_scalar("SELECT details FROM audit_log WHERE action = 'group.changed'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(details["name"], "Berlin office → Berlin");

    // The list: by name, with member counts, searchable, paged by keyset.
    let anna = app.add_user(org_id, "basic", "Anna", "Smith").await;
    let anna_id = app.user_id_of(&anna).await.to_string();
    ada.call("add_group_member", &[("group", &berlin), ("user", &anna_id)]).await;
    let (_, list) = ada.call_json("list_groups", &[]).await;
    let names: Vec<(&str, i64)> = list["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["name"].as_str().unwrap(), g["members"].as_i64().unwrap()))
        .collect();
    assert_eq!(names, [("Auditors", 0), ("Berlin", 1)]);
    let (_, found) = ada.call_json("list_groups", &[("query[q]", "ERL")]).await;
    assert_eq!(found["groups"].as_array().unwrap().len(), 1);
    for i in 0..55 {
        ada.call("save_group", &[("name", &format!("Team {i:02}"))]).await;
    }
    let (_, first) = ada.call_json("list_groups", &[]).await;
    assert_eq!(first["groups"].as_array().unwrap().len(), 50);
    let next = first["next"].as_str().unwrap();
    let (_, second) = ada.call_json("list_groups", &[("query[after]", next)]).await;
    let rest: Vec<&str> = second["groups"].as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap()).collect();
    assert_eq!(rest, ["Team 48", "Team 49", "Team 50", "Team 51", "Team 52", "Team 53", "Team 54"]);
    assert_eq!(second["next"], Value::Null);
    let (status, _) = ada.call_json("list_groups", &[("query[after]", "forged")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Another organization sees none of it.
    let (other, _) = app.signed_up("Globex").await;
    let (_, theirs) = other.call_json("list_groups", &[]).await;
    assert_eq!(theirs["groups"].as_array().unwrap().len(), 0);
    assert_eq!(other.call("load_group", &[("id", &berlin)]).await.status(), StatusCode::NOT_FOUND);
    // Nor may it name our group for its own user.
    let theirs_email = other.whoami().await.unwrap();
    let their_id = app.user_id_of(&theirs_email).await.to_string();
    let (status, _) = ada.call_json("add_group_member", &[("group", &berlin), ("user", &their_id)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.count("SELECT count(*) FROM group_members").await, 1);
}

#[db_test]
async fn the_group_page_lists_its_members_like_user_management_and_adds_and_removes_them(pool: Db) {
    let app = spawn_app(pool).await;
    let (ada, ada_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&ada_email).await;
    roster::features::orgs::server::set_quota(&app.pool, org_id, roster::features::users::types::Role::Basic, 100)
        .await
        .unwrap();
    let group = new_group(&ada, "Berlin office").await;
    let mut members = Vec::new();
    for i in 0..30 {
        let email = app.add_user(org_id, "basic", &format!("Member{i:02}"), "Berlin").await;
        let id = app.user_id_of(&email).await.to_string();
        let (status, body) = ada.call_json("add_group_member", &[("group", &group), ("user", &id)]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body, Value::String(format!("Member{i:02} Berlin")));
        members.push(email.to_lowercase());
    }
    let outsider = app.add_user(org_id, "basic", "Otto", "Outside").await;
    // Adding twice changes nothing and is not audited twice.
    let id = app.user_id_of(&members[0]).await.to_string();
    ada.call("add_group_member", &[("group", &group), ("user", &id)]).await;
    assert_eq!(audit_count(&app, "group.member_added").await, 30);

    // The members, page by page in the table's order, with the table's search.
    let (_, page1) = ada.list(&[("group", &group), ("sort", "first_name"), ("size", "25")]).await;
    let mut listed = emails(&page1);
    let (_, page2) = ada
        .list(&[("group", &group), ("sort", "first_name"), ("size", "25"), ("after", page1["next"].as_str().unwrap())])
        .await;
    listed.extend(emails(&page2));
    members.sort_by_key(|e| e.clone());
    assert_eq!(listed, members, "every member once, by first name, and nobody else");
    let (_, found) = ada.list(&[("group", &group), ("q", "member07")]).await;
    assert_eq!(emails(&found).len(), 1);
    let (_, none) = ada.list(&[("group", &group), ("q", "otto")]).await;
    assert_eq!(emails(&none).len(), 0);

    // "Add members" finds people outside the group only.
    let (_, candidates) = ada.call_json("group_candidates", &[("group", &group), ("term", "Berlin")]).await;
    assert_eq!(candidates, Value::Array(vec![]));
    let (_, candidates) = ada.call_json("group_candidates", &[("group", &group), ("term", "ott")]).await;
    assert_eq!(candidates[0]["email"].as_str().unwrap(), outsider.to_lowercase());

    // The page, without JavaScript: its head, its members, its search.
    // By first name, so that Member00 is on the first page whatever the ids.
    let html = ada.page_html(&format!("/settings/groups/{group}?add=otto&sort=first_name")).await;
    assert!(html.contains("Berlin office") && html.contains("30 members"), "the head");
    assert!(html.contains("Otto Outside"), "the candidate");
    assert!(html.contains(">Member00<"), "a member row");
    assert!(html.contains("Remove Member00 Berlin from the group"), "the row's action");

    // Removing without JavaScript returns to the same view, and says so.
    let member_id = app.user_id_of(&members[1]).await.to_string();
    let view = format!("/settings/groups/{group}?sort=email");
    let response =
        ada.post_form("remove_group_member", &[("group", &group), ("user", &member_id), ("view", &view)]).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let back = response.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(back, format!("/settings/groups/{group}?sort=email&removed=Member01+Berlin"));
    assert!(ada.page_html(&back).await.contains("Member01 Berlin was removed from the group"));
    // A view that is not this group's page cannot send the browser elsewhere.
    let response = ada
        .post_form("remove_group_member", &[("group", &group), ("user", &member_id), ("view", "//evil.example/")])
        .await;
    assert!(response.headers()["location"].to_str().unwrap().starts_with(&format!("/settings/groups/{group}?")));
    assert_eq!(audit_count(&app, "group.member_removed").await, 1);
    assert_eq!(app.count("SELECT count(*) FROM group_members").await, 29);

    // Deleting the group ends its memberships and keeps every user.
    let users_before = app.count("SELECT count(*) FROM users").await;
    let response = ada.post_form("delete_group", &[("id", &group)]).await;
    assert_eq!(response.headers()["location"].to_str().unwrap(), "/settings/groups?deleted=Berlin+office");
    assert_eq!(app.count("SELECT count(*) FROM group_members").await, 0);
    assert_eq!(app.count("SELECT count(*) FROM users").await, users_before);
    let details: Value = sqlx::query_scalar("SELECT details FROM audit_log WHERE action = 'group.deleted'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(details["members"], 29);
    assert_eq!(ada.call("load_group", &[("id", &group)]).await.status(), StatusCode::NOT_FOUND);
}

#[db_test]
async fn the_invite_and_the_edit_form_put_a_user_in_their_groups(pool: Db) {
    let app = spawn_app(pool).await;
    let (ada, ada_email) = app.signed_up("Acme").await;
    let org_id = app.org_id_of(&ada_email).await;
    let berlin = new_group(&ada, "Berlin office").await;
    let auditors = new_group(&ada, "Auditors").await;

    // The dialog offers the groups; the invite puts Grace in the ticked ones.
    let (_, options) = ada.call_json("invite_options", &[]).await;
    assert_eq!(options["groups"].as_array().unwrap().len(), 2);
    let grace = unique_email("grace");
    let berlin_field = format!("invite[groups][id-{berlin}]");
    let mut form = invite_form(&grace, "basic");
    form.push((&berlin_field, "on"));
    let (status, body) = ada.call_json("invite_user", &form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let grace_id = app.user_id_of(&grace).await.to_string();
    let invited: Value = sqlx::query_scalar("SELECT details FROM audit_log WHERE action = 'invite.created'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(invited["groups"], "Berlin office");
    let (_, details) = ada.call_json("user_details", &[("id", &grace_id)]).await;
    assert_eq!(details["groups"][0]["name"], "Berlin office");
    assert_eq!(details["group_choices"], Value::Array(vec![]), "choices only for the edit form");

    // A group of another organization, or a forged field, creates nobody.
    let (other, _) = app.signed_up("Globex").await;
    let theirs = new_group(&other, "Theirs").await;
    let theirs_field = format!("invite[groups][id-{theirs}]");
    for field in [theirs_field.as_str(), "invite[groups][id-nope]"] {
        let email = unique_email("nobody");
        let mut form = invite_form(&email, "basic");
        form.push((field, "on"));
        let (status, body) = ada.call_json("invite_user", &form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["fields"][0]["field"], "groups");
        assert_eq!(app.count(&format!("SELECT count(*) FROM users WHERE email = '{email}'")).await, 0);
    }

    // The edit form shows every group and saves exactly the ticked ones.
    let (_, details) = ada.call_json("user_details", &[("id", &grace_id), ("choices", "true")]).await;
    assert_eq!(details["group_choices"].as_array().unwrap().len(), 2);
    let version = details["version"].as_i64().unwrap().to_string();
    let auditors_field = format!("edit[groups][id-{auditors}]");
    let edit = |extra: Vec<(&'static str, String)>| {
        let mut form: Vec<(String, String)> = vec![
            ("user".into(), grace_id.clone()),
            ("edit[version]".into(), version.clone()),
            ("edit[first_name]".into(), "Grace".into()),
            ("edit[last_name]".into(), "Hopper".into()),
            ("edit[role]".into(), "basic".into()),
            ("edit[time_zone]".into(), "UTC".into()),
        ];
        form.extend(extra.into_iter().map(|(k, v)| (k.to_owned(), v)));
        form
    };
    let form = edit(vec![("edit[groups_shown]", "1".into())]);
    let mut form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    form.push((&auditors_field, "on"));
    let (status, body) = ada.call_json("edit_user", &form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, details) = ada.call_json("user_details", &[("id", &grace_id)]).await;
    let groups: Vec<&str> = details["groups"].as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap()).collect();
    assert_eq!(groups, ["Auditors"]);
    let edited: Value = sqlx::query_scalar("SELECT details FROM audit_log WHERE action = 'user.edited'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(edited["groups"], "Berlin office → Auditors");

    // A save that does not show the groups (an older form, the API) leaves
    // them alone.
    let version = details["version"].as_i64().unwrap().to_string();
    let form: Vec<(String, String)> = vec![
        ("user".into(), grace_id.clone()),
        ("edit[version]".into(), version),
        ("edit[first_name]".into(), "Grace B.".into()),
        ("edit[last_name]".into(), "Hopper".into()),
        ("edit[role]".into(), "basic".into()),
        ("edit[time_zone]".into(), "UTC".into()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(ada.call_json("edit_user", &form).await.0, StatusCode::OK);
    let members: Vec<Uuid> = sqlx::query_scalar("SELECT group_id FROM group_members WHERE org_id = $1")
        .bind(org_id)
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(members, [Uuid::parse_str(&auditors).unwrap()]);
}
