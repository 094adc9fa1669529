//! Messenger accounts and "Additional data": stored per user, checked
//! against their kind, changed inside the invite's or the edit's
//! transaction (which audit them with the rest). Field definitions are the
//! organization's, each change audited.

use std::collections::HashMap;

use sqlx::{FromRow, PgConnection};
use uuid::Uuid;

use super::types::{
    CustomField, FieldKind, FieldValue, MAX_FIELD_LABEL_CHARS, MAX_MESSENGERS, Messenger, MessengerKind,
};
use crate::error::{AppError, Validator};
use crate::features::audit::server::{Action, Entry, Origin, record};
use crate::server::db::Db;

#[derive(FromRow)]
struct FieldRow {
    id: Uuid,
    label: String,
    kind: FieldKind,
    choices: Vec<String>,
    required: bool,
}

/// The organization's fields, in the order they were defined.
pub async fn fields(conn: &mut PgConnection, org_id: Uuid) -> Result<Vec<CustomField>, AppError> {
    let rows: Vec<FieldRow> = sqlx::query_as(
        "SELECT id, label, kind, choices, required FROM custom_fields WHERE org_id = $1 ORDER BY created_at, id",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| CustomField { id: r.id, label: r.label, kind: r.kind, choices: r.choices, required: r.required })
        .collect())
}

/// Defines a field; a choice takes its options one per line.
pub async fn create_field(
    pool: &Db,
    org_id: Uuid,
    origin: &Origin,
    label: &str,
    kind: &str,
    choices: &str,
    required: bool,
) -> Result<Uuid, AppError> {
    let mut v = Validator::new();
    let label = label.trim();
    v.check(!label.is_empty(), "label", "Enter the field's name.");
    v.check(
        label.chars().count() <= MAX_FIELD_LABEL_CHARS,
        "label",
        format!("The name can be at most {MAX_FIELD_LABEL_CHARS} characters."),
    );
    let kind = FieldKind::from_param(kind.trim());
    v.check(kind.is_some(), "kind", "Choose text, number, date or a choice from a list.");
    let mut options: Vec<String> = Vec::new();
    for option in choices.lines().map(str::trim).filter(|o| !o.is_empty()) {
        if !options.iter().any(|o| o.eq_ignore_ascii_case(option)) {
            options.push(option.to_owned());
        }
    }
    if kind == Some(FieldKind::Choice) {
        v.check((2..=50).contains(&options.len()), "choices", "A choice needs 2 to 50 options, one per line.");
        v.check(
            options.iter().all(|o| o.chars().count() <= 100),
            "choices",
            "Each option can be at most 100 characters.",
        );
    } else {
        options.clear();
    }
    v.finish()?;
    let kind = kind.expect("validated");
    let mut tx = pool.begin().await?;
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO custom_fields (org_id, label, kind, choices, required) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(org_id)
    .bind(label)
    .bind(kind)
    .bind(&options)
    .bind(required)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(db) if db.constraint() == Some("custom_fields_label_key") => {
            AppError::field("label", format!("There is already a field called \u{201c}{label}\u{201d}."))
        }
        _ => e.into(),
    })?;
    let details = serde_json::json!({ "field": label, "type": kind.label(), "required": required });
    record(&mut tx, origin, Entry::new(org_id, Action::FieldCreated).with(details)).await?;
    tx.commit().await?;
    Ok(id)
}

/// Deletes a field and every user's value of it. Returns its label.
pub async fn delete_field(pool: &Db, org_id: Uuid, origin: &Origin, id: Uuid) -> Result<String, AppError> {
    let mut tx = pool.begin().await?;
    let values: i64 = sqlx::query_scalar("SELECT count(*) FROM user_field_values WHERE org_id = $1 AND field_id = $2")
        .bind(org_id)
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    let label: String = sqlx::query_scalar("DELETE FROM custom_fields WHERE org_id = $1 AND id = $2 RETURNING label")
        .bind(org_id)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
    let details = serde_json::json!({ "field": label, "values_removed": values });
    record(&mut tx, origin, Entry::new(org_id, Action::FieldDeleted).with(details)).await?;
    tx.commit().await?;
    Ok(label)
}

/// The form's name of a field's input: `fields[id-<uuid>]` in the form,
/// `field-<uuid>` in an error.
pub fn error_name(field: Uuid) -> String {
    format!("field-{field}")
}

/// Every field's value from a form (`id-<uuid>` → text), checked against
/// its kind; each problem is named by its field. Keys of no field of the
/// organization are refused.
pub fn parse_values(
    fields: &[CustomField],
    form: &HashMap<String, String>,
) -> Result<Vec<(Uuid, Option<String>)>, AppError> {
    let mut v = Validator::new();
    let ids = crate::server::choices::chosen_ids(form);
    v.check(
        ids.is_some_and(|ids| ids.iter().all(|id| fields.iter().any(|f| f.id == *id))),
        "fields",
        "One of the fields no longer exists. Open the form again.",
    );
    let mut values = Vec::new();
    for field in fields {
        let raw =
            form.get(&format!("{}{}", crate::server::choices::ID_FIELD_PREFIX, field.id)).map_or("", String::as_str);
        match field.normalize(raw) {
            Ok(value) => values.push((field.id, value)),
            Err(message) => v.add(&error_name(field.id), message),
        }
    }
    v.finish()?;
    Ok(values)
}

/// A user's values, by field, for the profile.
pub async fn values_of(conn: &mut PgConnection, org_id: Uuid, user_id: Uuid) -> Result<Vec<FieldValue>, AppError> {
    let rows: Vec<(Uuid, String, String)> = sqlx::query_as(
        "SELECT f.id, f.label, v.value FROM user_field_values v JOIN custom_fields f ON f.org_id = v.org_id AND f.id = v.field_id \
         WHERE v.org_id = $1 AND v.user_id = $2 ORDER BY f.created_at, f.id",
    )
    .bind(org_id)
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|(field_id, label, value)| FieldValue { field_id, label, value }).collect())
}

/// Stores a user's values (empty ones removed), inside the caller's
/// transaction. Returns what changed, as "Label: old → new; …".
pub async fn set_values(
    conn: &mut PgConnection,
    org_id: Uuid,
    user_id: Uuid,
    fields: &[CustomField],
    values: &[(Uuid, Option<String>)],
) -> Result<Option<String>, AppError> {
    let before = values_of(conn, org_id, user_id).await?;
    let mut changes = Vec::new();
    for (field_id, value) in values {
        let old = before.iter().find(|v| v.field_id == *field_id).map(|v| v.value.clone());
        if &old == value {
            continue;
        }
        match value {
            Some(value) => {
                sqlx::query(
                    "INSERT INTO user_field_values (org_id, user_id, field_id, value) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (org_id, user_id, field_id) DO UPDATE SET value = EXCLUDED.value",
                )
                .bind(org_id)
                .bind(user_id)
                .bind(field_id)
                .bind(value)
                .execute(&mut *conn)
                .await?;
            }
            None => {
                sqlx::query("DELETE FROM user_field_values WHERE org_id = $1 AND user_id = $2 AND field_id = $3")
                    .bind(org_id)
                    .bind(user_id)
                    .bind(field_id)
                    .execute(&mut *conn)
                    .await?;
            }
        }
        let label = fields.iter().find(|f| f.id == *field_id).map_or("?", |f| f.label.as_str());
        let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "(empty)".to_owned());
        changes.push(format!("{label}: {} → {}", shown(&old), shown(value)));
    }
    Ok((!changes.is_empty()).then(|| changes.join("; ")))
}

/// The accounts of a form (`kind-N` and `handle-N`, N from 0), in order,
/// checked; a row with no handle is skipped. Problems name the row.
pub fn parse_messengers(form: &HashMap<String, String>) -> Result<Vec<Messenger>, AppError> {
    let mut v = Validator::new();
    let mut rows: Vec<(usize, &str, &str)> = form
        .iter()
        .filter_map(|(key, handle)| {
            let n: usize = key.strip_prefix("handle-")?.parse().ok()?;
            let kind = form.get(&format!("kind-{n}")).map_or("", String::as_str);
            Some((n, kind, handle.as_str()))
        })
        .filter(|(_, _, handle)| !handle.trim().is_empty())
        .collect();
    rows.sort_by_key(|(n, ..)| *n);
    v.check(rows.len() <= MAX_MESSENGERS, "messengers", format!("At most {MAX_MESSENGERS} messenger accounts."));
    let mut list = Vec::new();
    for (n, kind, handle) in rows.into_iter().take(MAX_MESSENGERS) {
        let Some(kind) = MessengerKind::from_param(kind.trim()) else {
            v.add(&format!("messenger-{n}"), "Choose the service of this account.");
            continue;
        };
        let handle = match kind {
            MessengerKind::Whatsapp => {
                let mut phone = Validator::new();
                crate::features::invites::server::validate::phone(&mut phone, "x", "The WhatsApp number", handle, None)
                    .filter(|_| handle.trim().starts_with('+'))
                    .ok_or_else(|| "Enter the WhatsApp number with its country code, like +41 79 123 45 67.".to_owned())
            }
            MessengerKind::Teams => {
                let mut email = Validator::new();
                let address = crate::features::users::server::validate::email(&mut email, "x", handle);
                if email.has("x") { Err("Enter the Teams account's email address.".to_owned()) } else { Ok(address) }
            }
            other => other.normalize(handle),
        };
        match handle {
            Ok(handle) => list.push(Messenger { kind, handle }),
            Err(message) => v.add(&format!("messenger-{n}"), message),
        }
    }
    v.finish()?;
    Ok(list)
}

pub async fn messengers_of(conn: &mut PgConnection, org_id: Uuid, user_id: Uuid) -> Result<Vec<Messenger>, AppError> {
    let rows: Vec<(MessengerKind, String)> =
        sqlx::query_as("SELECT kind, handle FROM user_messengers WHERE org_id = $1 AND user_id = $2 ORDER BY position")
            .bind(org_id)
            .bind(user_id)
            .fetch_all(&mut *conn)
            .await?;
    Ok(rows.into_iter().map(|(kind, handle)| Messenger { kind, handle }).collect())
}

/// Replaces a user's accounts, inside the caller's transaction. Returns
/// what changed ("Telegram @a → Telegram @a, LinkedIn …"), or None.
pub async fn set_messengers(
    conn: &mut PgConnection,
    org_id: Uuid,
    user_id: Uuid,
    list: &[Messenger],
) -> Result<Option<String>, AppError> {
    let before = messengers_of(conn, org_id, user_id).await?;
    if before == list {
        return Ok(None);
    }
    sqlx::query("DELETE FROM user_messengers WHERE org_id = $1 AND user_id = $2")
        .bind(org_id)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    for (position, m) in list.iter().enumerate() {
        sqlx::query(
            "INSERT INTO user_messengers (org_id, user_id, position, kind, handle) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(org_id)
        .bind(user_id)
        .bind(position as i16)
        .bind(m.kind)
        .bind(&m.handle)
        .execute(&mut *conn)
        .await?;
    }
    let shown = |list: &[Messenger]| {
        if list.is_empty() {
            "none".to_owned()
        } else {
            list.iter().map(|m| format!("{} {}", m.kind.label(), m.handle)).collect::<Vec<_>>().join(", ")
        }
    };
    Ok(Some(format!("{} → {}", shown(&before), shown(list))))
}
