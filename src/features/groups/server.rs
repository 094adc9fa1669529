//! Groups and their members. Every change is audited in its transaction;
//! every query filters on the organization (and the tables' foreign keys
//! keep a membership inside one).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::{FromRow, PgConnection, QueryBuilder};
use uuid::Uuid;

use super::types::{
    Candidate, GROUPS_PER_PAGE, Group, GroupList, GroupListQuery, GroupRef, MAX_GROUP_DESCRIPTION_CHARS,
    MAX_GROUP_NAME_CHARS, MEMBER_CANDIDATES,
};
use crate::error::AppError;
use crate::features::audit::server::{Action, Entry, Origin, record};
use crate::features::users::server::list::{Cursor, Search, format_time, like_pattern};
use crate::features::users::types::UserListQuery;
use crate::server::db::Db;

#[derive(FromRow)]
struct Row {
    id: Uuid,
    name: String,
    description: String,
    members: i64,
    created_at: DateTime<Utc>,
}

impl Row {
    fn into_group(self, zone: Tz) -> Group {
        Group {
            id: self.id,
            name: self.name,
            description: self.description,
            members: self.members,
            created: format_time(self.created_at, zone),
        }
    }
}

/// The columns of [`Row`] from `groups g`.
const COLUMNS: &str = "g.id, g.name, g.description, g.created_at, \
     (SELECT count(*) FROM group_members m WHERE m.org_id = g.org_id AND m.group_id = g.id) AS members";

/// A page of the organization's groups by name, those whose name contains
/// `q`, after the cursor.
pub async fn list(pool: &Db, org_id: Uuid, query: &GroupListQuery, zone: Tz) -> Result<GroupList, AppError> {
    let after = match query.after.trim() {
        "" => None,
        cursor => Some(Cursor::decode(cursor)?),
    };
    let mut sql = QueryBuilder::new(format!("SELECT {COLUMNS}, lower(g.name) AS key FROM groups g WHERE g.org_id = "));
    sql.push_bind(org_id);
    if !query.q.trim().is_empty() {
        sql.push(" AND lower(g.name) LIKE ").push_bind(like_pattern(query.q.trim()));
    }
    if let Some(after) = after {
        sql.push(" AND (lower(g.name), g.id) > (").push_bind(after.key).push(", ").push_bind(after.id).push(")");
    }
    sql.push(" ORDER BY lower(g.name), g.id LIMIT ").push_bind(GROUPS_PER_PAGE + 1);
    #[derive(FromRow)]
    struct Keyed {
        #[sqlx(flatten)]
        row: Row,
        key: String,
    }
    let mut rows: Vec<Keyed> = sql.build_query_as().fetch_all(pool).await?;
    let more = rows.len() as i64 > GROUPS_PER_PAGE;
    rows.truncate(GROUPS_PER_PAGE as usize);
    let next = if more { rows.last().map(|r| Cursor { key: r.key.clone(), id: r.row.id }.encode()) } else { None };
    Ok(GroupList { groups: rows.into_iter().map(|r| r.row.into_group(zone)).collect(), next })
}

pub async fn get(pool: &Db, org_id: Uuid, id: Uuid, zone: Tz) -> Result<Group, AppError> {
    let row: Row = sqlx::query_as(&format!("SELECT {COLUMNS} FROM groups g WHERE g.org_id = $1 AND g.id = $2"))
        .bind(org_id)
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(row.into_group(zone))
}

/// Every group of the organization by name: what a form's "Groups" offers.
pub async fn choices(pool: &Db, org_id: Uuid) -> Result<Vec<GroupRef>, AppError> {
    let rows: Vec<(Uuid, String)> =
        sqlx::query_as("SELECT id, name FROM groups WHERE org_id = $1 ORDER BY lower(name), id")
            .bind(org_id)
            .fetch_all(pool)
            .await?;
    Ok(rows.into_iter().map(|(id, name)| GroupRef { id, name }).collect())
}

/// The groups a user is in, by name.
pub async fn of_user(conn: &mut PgConnection, org_id: Uuid, user_id: Uuid) -> Result<Vec<GroupRef>, AppError> {
    let rows: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT g.id, g.name FROM group_members m JOIN groups g ON g.org_id = m.org_id AND g.id = m.group_id \
         WHERE m.org_id = $1 AND m.user_id = $2 ORDER BY lower(g.name), g.id",
    )
    .bind(org_id)
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|(id, name)| GroupRef { id, name }).collect())
}

/// A name and description, checked field by field.
fn parse(name: &str, description: &str) -> Result<(String, String), AppError> {
    crate::server::named::name_and_description(
        "group",
        name,
        description,
        MAX_GROUP_NAME_CHARS,
        MAX_GROUP_DESCRIPTION_CHARS,
    )
}

fn taken(error: sqlx::Error, name: &str) -> AppError {
    crate::server::named::name_taken(error, "groups_name_key", "group", name)
}

/// Creates a group (`id` None) or renames and describes one. Returns its id.
pub async fn save(
    pool: &Db,
    org_id: Uuid,
    origin: &Origin,
    id: Option<Uuid>,
    name: &str,
    description: &str,
) -> Result<Uuid, AppError> {
    let (name, description) = parse(name, description)?;
    let mut tx = pool.begin().await?;
    let (id, action, details) = match id {
        None => {
            let id: Uuid =
                sqlx::query_scalar("INSERT INTO groups (org_id, name, description) VALUES ($1, $2, $3) RETURNING id")
                    .bind(org_id)
                    .bind(&name)
                    .bind(&description)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(|e| taken(e, &name))?;
            (id, Action::GroupCreated, serde_json::json!({ "group": name }))
        }
        Some(id) => {
            let (old_name, old_description): (String, String) =
                sqlx::query_as("SELECT name, description FROM groups WHERE org_id = $1 AND id = $2 FOR UPDATE")
                    .bind(org_id)
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or(AppError::NotFound)?;
            if old_name == name && old_description == description {
                return Ok(id);
            }
            sqlx::query("UPDATE groups SET name = $3, description = $4 WHERE org_id = $1 AND id = $2")
                .bind(org_id)
                .bind(id)
                .bind(&name)
                .bind(&description)
                .execute(&mut *tx)
                .await
                .map_err(|e| taken(e, &name))?;
            let mut details = serde_json::Map::new();
            if old_name != name {
                details.insert("name".into(), format!("{old_name} → {name}").into());
            }
            if old_description != description {
                details.insert("description".into(), format!("{old_description} → {description}").into());
            }
            details.insert("group".into(), name.clone().into());
            (id, Action::GroupChanged, serde_json::Value::Object(details))
        }
    };
    record(&mut tx, origin, Entry::new(org_id, action).with(details)).await?;
    tx.commit().await?;
    Ok(id)
}

/// Deletes a group and its memberships (never its users). Returns its name
/// and how many members it had.
pub async fn delete(pool: &Db, org_id: Uuid, origin: &Origin, id: Uuid) -> Result<(String, i64), AppError> {
    let mut tx = pool.begin().await?;
    let members: i64 = sqlx::query_scalar("SELECT count(*) FROM group_members WHERE org_id = $1 AND group_id = $2")
        .bind(org_id)
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    let name: String = sqlx::query_scalar("DELETE FROM groups WHERE org_id = $1 AND id = $2 RETURNING name")
        .bind(org_id)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
    let details = serde_json::json!({ "group": name, "members": members });
    record(&mut tx, origin, Entry::new(org_id, Action::GroupDeleted).with(details)).await?;
    tx.commit().await?;
    Ok((name, members))
}

/// The group's name, locked, and the user's name: both of this organization.
async fn group_and_user(
    conn: &mut PgConnection,
    org_id: Uuid,
    group_id: Uuid,
    user_id: Uuid,
) -> Result<(String, String), AppError> {
    let group: String = sqlx::query_scalar("SELECT name FROM groups WHERE org_id = $1 AND id = $2 FOR SHARE")
        .bind(org_id)
        .bind(group_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let user: String =
        sqlx::query_scalar("SELECT first_name || ' ' || last_name FROM users WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(AppError::NotFound)?;
    Ok((group, user))
}

/// Adds a user to a group (nothing happens if they are in it already).
/// Returns the user's name.
pub async fn add_member(
    pool: &Db,
    org_id: Uuid,
    origin: &Origin,
    group_id: Uuid,
    user_id: Uuid,
) -> Result<String, AppError> {
    let mut tx = pool.begin().await?;
    let (group, user) = group_and_user(&mut tx, org_id, group_id, user_id).await?;
    let added =
        sqlx::query("INSERT INTO group_members (org_id, group_id, user_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(org_id)
            .bind(group_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
    if added.rows_affected() == 1 {
        let entry = Entry::new(org_id, Action::GroupMemberAdded).about(user_id, &user);
        record(&mut tx, origin, entry.with(serde_json::json!({ "group": group }))).await?;
        tx.commit().await?;
    }
    Ok(user)
}

/// Removes a user from a group (nothing happens if they are not in it).
/// Returns the user's name.
pub async fn remove_member(
    pool: &Db,
    org_id: Uuid,
    origin: &Origin,
    group_id: Uuid,
    user_id: Uuid,
) -> Result<String, AppError> {
    let mut tx = pool.begin().await?;
    let (group, user) = group_and_user(&mut tx, org_id, group_id, user_id).await?;
    let removed = sqlx::query("DELETE FROM group_members WHERE org_id = $1 AND group_id = $2 AND user_id = $3")
        .bind(org_id)
        .bind(group_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    if removed.rows_affected() == 1 {
        let entry = Entry::new(org_id, Action::GroupMemberRemoved).about(user_id, &user);
        record(&mut tx, origin, entry.with(serde_json::json!({ "group": group }))).await?;
        tx.commit().await?;
    }
    Ok(user)
}

/// Puts a user in exactly the groups `ids`, inside the caller's transaction
/// (an invite or an edit, which audit it with the rest). Returns what
/// changed as "Old, Groups → New, Groups", or `None` if nothing did. A
/// group not of this organization is a field error on "groups".
pub async fn set_user_groups(
    conn: &mut PgConnection,
    org_id: Uuid,
    user_id: Uuid,
    ids: &[Uuid],
) -> Result<Option<String>, AppError> {
    let known: i64 = sqlx::query_scalar("SELECT count(*) FROM groups WHERE org_id = $1 AND id = ANY($2)")
        .bind(org_id)
        .bind(ids)
        .fetch_one(&mut *conn)
        .await?;
    let mut unique = ids.to_vec();
    unique.sort();
    unique.dedup();
    if known != unique.len() as i64 {
        return Err(AppError::field("groups", "Choose groups from the list; one of them no longer exists."));
    }
    let before = of_user(conn, org_id, user_id).await?;
    sqlx::query("DELETE FROM group_members WHERE org_id = $1 AND user_id = $2 AND NOT (group_id = ANY($3))")
        .bind(org_id)
        .bind(user_id)
        .bind(&unique)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO group_members (org_id, group_id, user_id) SELECT $1, unnest($3::uuid[]), $2 ON CONFLICT DO NOTHING",
    )
    .bind(org_id)
    .bind(user_id)
    .bind(&unique)
    .execute(&mut *conn)
    .await?;
    let after = of_user(conn, org_id, user_id).await?;
    let names = |groups: &[GroupRef]| {
        if groups.is_empty() {
            "none".to_owned()
        } else {
            groups.iter().map(|g| g.name.as_str()).collect::<Vec<_>>().join(", ")
        }
    };
    Ok((before != after).then(|| format!("{} → {}", names(&before), names(&after))))
}

/// Users who match `term` (as the user table's search does) and are not in
/// the group yet: the first few, by name.
pub async fn candidates(pool: &Db, org_id: Uuid, group_id: Uuid, term: &str) -> Result<Vec<Candidate>, AppError> {
    let query = UserListQuery { q: Some(term.to_owned()), ..Default::default() };
    let Some(search) = Search::of(&query) else { return Ok(Vec::new()) };
    if term.chars().any(char::is_control) {
        return Err(AppError::field("add", "The search contains an invisible control character."));
    }
    let mut sql = QueryBuilder::new(
        "SELECT u.id, u.first_name || ' ' || u.last_name AS name, u.email FROM users u \
         WHERE u.status <> 'invite_canceled' AND u.org_id = ",
    );
    sql.push_bind(org_id);
    search.push_condition(&mut sql);
    sql.push(" AND NOT EXISTS (SELECT 1 FROM group_members m WHERE m.org_id = u.org_id AND m.user_id = u.id AND m.group_id = ")
        .push_bind(group_id)
        .push(")");
    // Unordered: the trigram or prefix index stops at the first few, where
    // an ORDER BY would collect every match first.
    sql.push(" LIMIT ").push_bind(MEMBER_CANDIDATES);
    let rows: Vec<(Uuid, String, String)> = sql.build_query_as().fetch_all(pool).await?;
    let mut found: Vec<Candidate> = rows.into_iter().map(|(id, name, email)| Candidate { id, name, email }).collect();
    found.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.email.cmp(&b.email)));
    Ok(found)
}
