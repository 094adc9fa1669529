//! Employee fields: "Additional data" defined by the organization (text,
//! number, date, choice; required or not) and checked on the server,
//! messenger accounts checked per service, work phone and dates in the edit
//! form; all saved with the invite or the edit, audited with them, and
//! shown on the profile.

use crate::common::*;
use reqwest::StatusCode;
use roster::server::db::Db;
use serde_json::Value;

async fn field_id(app: &TestApp, label: &str) -> String {
    sqlx::query_scalar("SELECT id::text FROM custom_fields WHERE label = $1")
        .bind(label)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[db_test]
async fn fields_are_defined_checked_and_saved_with_the_invite_and_the_edit(pool: Db) {
    let app = spawn_app(pool).await;
    let (ada, _) = app.signed_up("Acme").await;
    for form in [
        vec![("label", "Badge number"), ("kind", "number"), ("required", "on")],
        vec![("label", "Shirt size"), ("kind", "choice"), ("choices", "S\nM\nL\nm")],
        vec![("label", "Security training"), ("kind", "date")],
    ] {
        let (status, body) = ada.call_json("create_custom_field", &form).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // Bad definitions are named by their field.
    for (form, field) in [
        (vec![("label", "badge NUMBER"), ("kind", "text")], "label"),
        (vec![("label", "Floor"), ("kind", "choice"), ("choices", "Only one")], "choices"),
        (vec![("label", "Floor"), ("kind", "colour")], "kind"),
    ] {
        let (status, body) = ada.call_json("create_custom_field", &form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["fields"][0]["field"], field);
    }
    let (_, fields) = ada.call_json("list_custom_fields", &[]).await;
    assert_eq!(fields[1]["choices"], serde_json::json!(["S", "M", "L"]), "duplicates dropped, order kept");
    let (_, options) = ada.call_json("invite_options", &[]).await;
    assert_eq!(options["custom_fields"].as_array().unwrap().len(), 3);

    let badge = field_id(&app, "Badge number").await;
    let shirt = field_id(&app, "Shirt size").await;
    let badge_key = format!("invite[fields][id-{badge}]");
    let shirt_key = format!("invite[fields][id-{shirt}]");

    // The required field, a wrong choice and a bad account: each named,
    // nobody created.
    let grace = unique_email("grace");
    let mut form = invite_form(&grace, "basic");
    form.extend([
        (shirt_key.as_str(), "XXL"),
        ("invite[messengers][kind-0]", "telegram"),
        ("invite[messengers][handle-0]", "@ab"),
    ]);
    let (status, body) = ada.call_json("invite_user", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let named: Vec<&str> = body["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert!(named.contains(&"messenger-0"), "{body}");
    let (status, body) = ada
        .call_json("invite_user", &{
            let mut f = invite_form(&grace, "basic");
            f.push((shirt_key.as_str(), "XXL"));
            f
        })
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let messages: Vec<&str> =
        body["fields"].as_array().unwrap().iter().map(|f| f["message"].as_str().unwrap()).collect();
    assert_eq!(messages, ["Badge number is required.", "Choose Shirt size from the list."]);
    assert_eq!(app.count(&format!("SELECT count(*) FROM users WHERE email = '{grace}'")).await, 0);

    let mut form = invite_form(&grace, "basic");
    form.extend([
        (badge_key.as_str(), "1 042"),
        (shirt_key.as_str(), "M"),
        ("invite[messengers][kind-0]", "telegram"),
        ("invite[messengers][handle-0]", "grace_h"),
        ("invite[messengers][kind-1]", "linkedin"),
        ("invite[messengers][handle-1]", "linkedin.com/in/grace-hopper/"),
        ("invite[messengers][kind-2]", "whatsapp"),
        ("invite[messengers][handle-2]", ""),
    ]);
    let (status, body) = ada.call_json("invite_user", &form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = app.user_id_of(&grace).await.to_string();
    let (_, details) = ada.call_json("user_details", &[("id", &id)]).await;
    assert_eq!(
        details["messengers"],
        serde_json::json!([
            { "kind": "telegram", "handle": "@grace_h" },
            { "kind": "linkedin", "handle": "https://www.linkedin.com/in/grace-hopper" },
        ])
    );
    let values: Vec<(&str, &str)> = details["field_values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["label"].as_str().unwrap(), v["value"].as_str().unwrap()))
        .collect();
    assert_eq!(values, [("Badge number", "1042"), ("Shirt size", "M")]);

    // The edit form: work phone and extension, dates, a field, an account.
    let (_, details) = ada.call_json("user_details", &[("id", &id), ("choices", "true")]).await;
    assert_eq!(details["custom_fields"].as_array().unwrap().len(), 3);
    let version = details["version"].as_i64().unwrap().to_string();
    let badge_edit = format!("edit[fields][id-{badge}]");
    let form = vec![
        ("user", id.as_str()),
        ("edit[version]", version.as_str()),
        ("edit[first_name]", "Grace"),
        ("edit[last_name]", "Hopper"),
        ("edit[role]", "basic"),
        ("edit[time_zone]", "UTC"),
        ("edit[profile_shown]", "1"),
        ("edit[work_phone]", "+49 30 1234567"),
        ("edit[work_phone_ext]", "89"),
        ("edit[date_of_birth]", "1906-12-09"),
        ("edit[hire_date]", "2026-01-05"),
        (badge_edit.as_str(), "7"),
        ("edit[messengers][kind-0]", "whatsapp"),
        ("edit[messengers][handle-0]", "+41 79 123 45 67"),
    ];
    let (status, body) = ada.call_json("edit_user", &form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, details) = ada.call_json("user_details", &[("id", &id)]).await;
    assert_eq!(details["work_phone"], "+49 30 1234567");
    assert_eq!(details["work_phone_ext"], "89");
    assert_eq!(details["messengers"], serde_json::json!([{ "kind": "whatsapp", "handle": "+41791234567" }]));
    let values: Vec<&str> =
        details["field_values"].as_array().unwrap().iter().map(|v| v["value"].as_str().unwrap()).collect();
    assert_eq!(values, ["7"], "the choice left empty is removed");
    let edited: Value = sqlx::query_scalar("SELECT details FROM audit_log WHERE action = 'user.edited'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(edited["work_phone"], "(empty) → +49301234567");
    assert_eq!(edited["additional_data"], "Badge number: 1042 → 7; Shirt size: M → (empty)");
    // The panel, without JavaScript, shows them.
    let html = ada.page_html(&format!("/settings/users?user={id}")).await;
    assert!(html.contains("+49 30 1234567 ext. 89"), "the work phone as people read it");
    assert!(html.contains("https://wa.me/41791234567"), "the WhatsApp link");

    // A bad extension or date changes nothing.
    let (_, details) = ada.call_json("user_details", &[("id", &id)]).await;
    let version = details["version"].as_i64().unwrap().to_string();
    let mut bad = form.clone();
    bad[1] = ("edit[version]", version.as_str());
    bad[8] = ("edit[work_phone_ext]", "12a");
    bad[9] = ("edit[date_of_birth]", "2999-01-01");
    let (status, body) = ada.call_json("edit_user", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let named: Vec<&str> = body["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(named, ["work_phone_ext", "date_of_birth"]);

    // Removing a field removes its values, audited with how many.
    let (status, _) = ada.call_json("delete_custom_field", &[("id", &badge)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.count("SELECT count(*) FROM user_field_values").await, 0);
    let deleted: Value = sqlx::query_scalar("SELECT details FROM audit_log WHERE action = 'field.deleted'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(deleted["values_removed"], 1);
    // Another organization neither sees nor removes ours.
    let (other, _) = app.signed_up("Globex").await;
    assert_eq!(other.call_json("list_custom_fields", &[]).await.1, serde_json::json!([]));
    assert_eq!(other.call("delete_custom_field", &[("id", &shirt)]).await.status(), StatusCode::NOT_FOUND);
}
