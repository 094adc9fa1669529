//! Positions, their place in the chart and who holds them. Every change is
//! audited in its transaction; the database refuses cycles (a trigger that
//! serializes moves per organization), deleting a position someone holds
//! or one with sub-positions (foreign keys), and positions for external
//! users (a trigger). The checks here come first so people read why.

use sqlx::{FromRow, PgConnection};
use uuid::Uuid;

use super::types::{HOLDERS_SHOWN, Holder, MAX_POSITION_NAME_CHARS, Position, PositionDetails, PositionRef};
use crate::error::{AppError, Validator};
use crate::features::audit::server::{Action, Entry, Origin, record};
use crate::server::db::Db;

/// Every position of the organization, by name, with how many hold it.
pub async fn chart(pool: &Db, org_id: Uuid) -> Result<Vec<Position>, AppError> {
    #[derive(FromRow)]
    struct Row {
        id: Uuid,
        parent_id: Option<Uuid>,
        name: String,
        holders: i64,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT p.id, p.parent_id, p.name, coalesce(h.holders, 0) AS holders FROM positions p \
         LEFT JOIN (SELECT position_id, count(*) AS holders FROM user_positions WHERE org_id = $1 \
                    GROUP BY position_id) h ON h.position_id = p.id \
         WHERE p.org_id = $1 ORDER BY lower(p.name), p.id",
    )
    .bind(org_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Position { id: r.id, parent_id: r.parent_id, name: r.name, holders: r.holders })
        .collect())
}

/// The position and its ancestors, from the top down (the path ends with
/// the position itself).
async fn path(conn: &mut PgConnection, org_id: Uuid, id: Uuid) -> Result<Vec<PositionRef>, AppError> {
    let rows: Vec<(Uuid, String)> = sqlx::query_as(
        "WITH RECURSIVE up AS ( \
             SELECT p.id, p.parent_id, p.name, 0 AS depth FROM positions p WHERE p.org_id = $1 AND p.id = $2 \
             UNION ALL \
             SELECT p.id, p.parent_id, p.name, up.depth + 1 FROM positions p \
             JOIN up ON p.org_id = $1 AND p.id = up.parent_id WHERE up.depth < 10000) \
         SELECT id, name FROM up ORDER BY depth DESC",
    )
    .bind(org_id)
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    if rows.is_empty() {
        return Err(AppError::NotFound);
    }
    Ok(rows.into_iter().map(|(id, name)| PositionRef { id, name }).collect())
}

pub async fn details(pool: &Db, org_id: Uuid, id: Uuid) -> Result<PositionDetails, AppError> {
    let mut conn = pool.acquire().await?;
    let mut path = path(&mut conn, org_id, id).await?;
    let me = path.pop().expect("a path ends with the position");
    let children: i64 = sqlx::query_scalar("SELECT count(*) FROM positions WHERE org_id = $1 AND parent_id = $2")
        .bind(org_id)
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    let holders_total: i64 =
        sqlx::query_scalar("SELECT count(*) FROM user_positions WHERE org_id = $1 AND position_id = $2")
            .bind(org_id)
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
    let holders: Vec<(Uuid, String, String)> = sqlx::query_as(
        "SELECT u.id, u.first_name || ' ' || u.last_name, u.email FROM user_positions up \
         JOIN users u ON u.org_id = up.org_id AND u.id = up.user_id \
         WHERE up.org_id = $1 AND up.position_id = $2 \
         ORDER BY u.last_name_key COLLATE \"und-x-icu\", u.first_name_key COLLATE \"und-x-icu\", u.id LIMIT $3",
    )
    .bind(org_id)
    .bind(id)
    .bind(HOLDERS_SHOWN)
    .fetch_all(&mut *conn)
    .await?;
    Ok(PositionDetails {
        id: me.id,
        name: me.name,
        path,
        children,
        holders: holders.into_iter().map(|(id, name, email)| Holder { id, name, email }).collect(),
        holders_total,
    })
}

fn parse_name(name: &str) -> Result<String, AppError> {
    let mut v = Validator::new();
    let name = name.trim();
    v.check(!name.is_empty(), "name", "Enter the position's name.");
    v.check(
        name.chars().count() <= MAX_POSITION_NAME_CHARS,
        "name",
        format!("The name can be at most {MAX_POSITION_NAME_CHARS} characters."),
    );
    v.finish()?;
    Ok(name.to_owned())
}

/// The name of a position of this organization (locked for the change).
async fn name_of(conn: &mut PgConnection, org_id: Uuid, id: Uuid) -> Result<String, AppError> {
    sqlx::query_scalar("SELECT name FROM positions WHERE org_id = $1 AND id = $2 FOR UPDATE")
        .bind(org_id)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// Creates a position under `parent` (None: a top of the chart).
pub async fn create(
    pool: &Db,
    org_id: Uuid,
    origin: &Origin,
    parent: Option<Uuid>,
    name: &str,
) -> Result<Uuid, AppError> {
    let mut tx = pool.begin().await?;
    let under = match parent {
        // Another organization's, or gone: not found, like any id.
        Some(parent) => Some(name_of(&mut tx, org_id, parent).await?),
        None => None,
    };
    let name = parse_name(name)?;
    let id: Uuid =
        sqlx::query_scalar("INSERT INTO positions (org_id, parent_id, name) VALUES ($1, $2, $3) RETURNING id")
            .bind(org_id)
            .bind(parent)
            .bind(&name)
            .fetch_one(&mut *tx)
            .await?;
    let details = serde_json::json!({ "position": name, "under": under });
    record(&mut tx, origin, Entry::new(org_id, Action::PositionCreated).with(details)).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn rename(pool: &Db, org_id: Uuid, origin: &Origin, id: Uuid, name: &str) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let old = name_of(&mut tx, org_id, id).await?;
    let name = parse_name(name)?;
    if old == name {
        return Ok(());
    }
    sqlx::query("UPDATE positions SET name = $3 WHERE org_id = $1 AND id = $2")
        .bind(org_id)
        .bind(id)
        .bind(&name)
        .execute(&mut *tx)
        .await?;
    let details = serde_json::json!({ "position": name, "name": format!("{old} → {name}") });
    record(&mut tx, origin, Entry::new(org_id, Action::PositionChanged).with(details)).await?;
    tx.commit().await?;
    Ok(())
}

/// Moves a position (with everything below it) under `parent` (None: to
/// the top). Under itself or below itself is refused, by the database too.
pub async fn move_to(
    pool: &Db,
    org_id: Uuid,
    origin: &Origin,
    id: Uuid,
    parent: Option<Uuid>,
) -> Result<String, AppError> {
    let mut tx = pool.begin().await?;
    let name = name_of(&mut tx, org_id, id).await?;
    let under = match parent {
        Some(parent) if parent == id => return Err(cycle()),
        Some(parent) => Some(name_of(&mut tx, org_id, parent).await?),
        None => None,
    };
    let moved = sqlx::query("UPDATE positions SET parent_id = $3 WHERE org_id = $1 AND id = $2")
        .bind(org_id)
        .bind(id)
        .bind(parent)
        .execute(&mut *tx)
        .await;
    match moved {
        Ok(_) => {}
        Err(sqlx::Error::Database(e)) if e.constraint() == Some("positions_no_cycle") => return Err(cycle()),
        Err(e) => return Err(e.into()),
    }
    let details = serde_json::json!({
        "position": name,
        "under": under.clone().unwrap_or_else(|| "(the top of the chart)".to_owned()),
    });
    record(&mut tx, origin, Entry::new(org_id, Action::PositionMoved).with(details)).await?;
    tx.commit().await?;
    Ok(name)
}

fn cycle() -> AppError {
    AppError::field("parent", "A position cannot go under itself or under one of its own sub-positions.")
}

/// Deletes a position nobody holds and with no sub-positions.
pub async fn delete(pool: &Db, org_id: Uuid, origin: &Origin, id: Uuid) -> Result<String, AppError> {
    let mut tx = pool.begin().await?;
    let name = name_of(&mut tx, org_id, id).await?;
    let (children, holders): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM positions WHERE org_id = $1 AND parent_id = $2), \
                (SELECT count(*) FROM user_positions WHERE org_id = $1 AND position_id = $2)",
    )
    .bind(org_id)
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    if children > 0 || holders > 0 {
        let mut why = Vec::new();
        if children > 0 {
            why.push(format!("move its {} first", plural(children, "sub-position", "sub-positions")));
        }
        if holders > 0 {
            why.push(format!("remove its {}", plural(holders, "holder", "holders")));
        }
        return Err(AppError::bad_request(format!(
            "\u{201c}{name}\u{201d} cannot be deleted yet: {}.",
            why.join(" and ")
        )));
    }
    sqlx::query("DELETE FROM positions WHERE org_id = $1 AND id = $2").bind(org_id).bind(id).execute(&mut *tx).await?;
    record(&mut tx, origin, Entry::new(org_id, Action::PositionDeleted).with(serde_json::json!({ "position": name })))
        .await?;
    tx.commit().await?;
    Ok(name)
}

fn plural(n: i64, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

/// The user's name, if an employee of this organization; an external user
/// holds no position (a field error on `field`).
async fn employee_name(conn: &mut PgConnection, org_id: Uuid, user_id: Uuid, field: &str) -> Result<String, AppError> {
    let (name, external): (String, bool) = sqlx::query_as(
        "SELECT first_name || ' ' || last_name, kind = 'external' FROM users WHERE org_id = $1 AND id = $2 FOR UPDATE",
    )
    .bind(org_id)
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    if external {
        return Err(AppError::field(
            field,
            format!("{name} is an external user (a customer or partner): external users hold no position."),
        ));
    }
    Ok(name)
}

/// Gives a user a position (nothing happens if they hold it); it becomes
/// their displayed position if they had none. Returns the user's name.
pub async fn add_holder(
    pool: &Db,
    org_id: Uuid,
    origin: &Origin,
    position: Uuid,
    user_id: Uuid,
) -> Result<String, AppError> {
    let mut tx = pool.begin().await?;
    let position_name = name_of(&mut tx, org_id, position).await?;
    let user = employee_name(&mut tx, org_id, user_id, "user").await?;
    if hold(&mut tx, org_id, user_id, position).await? {
        let entry = Entry::new(org_id, Action::PositionHolderAdded).about(user_id, &user);
        record(&mut tx, origin, entry.with(serde_json::json!({ "position": position_name }))).await?;
        tx.commit().await?;
    }
    Ok(user)
}

/// Gives an employee a position inside the caller's transaction (an
/// invite); the first becomes their displayed position.
pub async fn give(conn: &mut PgConnection, org_id: Uuid, user_id: Uuid, position: Uuid) -> Result<(), AppError> {
    employee_name(conn, org_id, user_id, "position").await?;
    hold(conn, org_id, user_id, position).await?;
    Ok(())
}

/// Inserts a holding; the first one a user has becomes their displayed
/// position. Whether it was new.
async fn hold(conn: &mut PgConnection, org_id: Uuid, user_id: Uuid, position: Uuid) -> Result<bool, AppError> {
    let added = sqlx::query(
        "INSERT INTO user_positions (org_id, user_id, position_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(org_id)
    .bind(user_id)
    .bind(position)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE users SET displayed_position_id = $3 WHERE org_id = $1 AND id = $2 AND displayed_position_id IS NULL",
    )
    .bind(org_id)
    .bind(user_id)
    .bind(position)
    .execute(&mut *conn)
    .await?;
    Ok(added.rows_affected() == 1)
}

/// Takes a position from a user (their displayed position falls back to
/// another one they hold). Returns the user's name.
pub async fn remove_holder(
    pool: &Db,
    org_id: Uuid,
    origin: &Origin,
    position: Uuid,
    user_id: Uuid,
) -> Result<String, AppError> {
    let mut tx = pool.begin().await?;
    let position_name = name_of(&mut tx, org_id, position).await?;
    let user: String =
        sqlx::query_scalar("SELECT first_name || ' ' || last_name FROM users WHERE org_id = $1 AND id = $2 FOR UPDATE")
            .bind(org_id)
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(AppError::NotFound)?;
    if unhold(&mut tx, org_id, user_id, position).await? {
        let entry = Entry::new(org_id, Action::PositionHolderRemoved).about(user_id, &user);
        record(&mut tx, origin, entry.with(serde_json::json!({ "position": position_name }))).await?;
        tx.commit().await?;
    }
    Ok(user)
}

async fn unhold(conn: &mut PgConnection, org_id: Uuid, user_id: Uuid, position: Uuid) -> Result<bool, AppError> {
    let removed = sqlx::query("DELETE FROM user_positions WHERE org_id = $1 AND user_id = $2 AND position_id = $3")
        .bind(org_id)
        .bind(user_id)
        .bind(position)
        .execute(&mut *conn)
        .await?;
    // The foreign key cleared a displayed position that went; another held
    // one takes its place.
    sqlx::query(
        "UPDATE users u SET displayed_position_id = (SELECT up.position_id FROM user_positions up \
             JOIN positions p ON p.org_id = up.org_id AND p.id = up.position_id \
             WHERE up.org_id = u.org_id AND up.user_id = u.id ORDER BY up.since, lower(p.name) LIMIT 1) \
         WHERE u.org_id = $1 AND u.id = $2 AND u.displayed_position_id IS NULL",
    )
    .bind(org_id)
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    Ok(removed.rows_affected() == 1)
}

/// A user's positions, by name, and which is displayed.
pub async fn of_user(
    conn: &mut PgConnection,
    org_id: Uuid,
    user_id: Uuid,
) -> Result<(Vec<PositionRef>, Option<Uuid>), AppError> {
    let rows: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT p.id, p.name FROM user_positions up JOIN positions p ON p.org_id = up.org_id AND p.id = up.position_id \
         WHERE up.org_id = $1 AND up.user_id = $2 ORDER BY lower(p.name), p.id",
    )
    .bind(org_id)
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    let displayed: Option<Uuid> =
        sqlx::query_scalar("SELECT displayed_position_id FROM users WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await?
            .flatten();
    Ok((rows.into_iter().map(|(id, name)| PositionRef { id, name }).collect(), displayed))
}

/// The position of this name (whole, case-insensitively), for a form that
/// names one. Two of the same name are ambiguous: the chart picks then.
pub async fn by_name(conn: &mut PgConnection, org_id: Uuid, name: &str, field: &str) -> Result<Uuid, AppError> {
    let ids: Vec<Uuid> =
        sqlx::query_scalar("SELECT id FROM positions WHERE org_id = $1 AND lower(name) = lower($2) LIMIT 2")
            .bind(org_id)
            .bind(name.trim())
            .fetch_all(&mut *conn)
            .await?;
    match ids.as_slice() {
        [id] => Ok(*id),
        [] => Err(AppError::field(field, format!("There is no position called \u{201c}{}\u{201d}.", name.trim()))),
        _ => Err(AppError::field(
            field,
            format!("Several positions are called \u{201c}{}\u{201d}: choose one in the org chart.", name.trim()),
        )),
    }
}

/// What the edit form asks of a user's positions: keep the ticked ones,
/// add one by name, display one. Inside the caller's transaction; returns
/// what changed ("A, B → A, C; displayed: A → C"), or None.
pub async fn set_user_positions(
    conn: &mut PgConnection,
    org_id: Uuid,
    user_id: Uuid,
    keep: &[Uuid],
    add: Option<&str>,
    displayed: Option<Uuid>,
) -> Result<Option<String>, AppError> {
    let (before, displayed_before) = of_user(conn, org_id, user_id).await?;
    let mut wanted: Vec<Uuid> = keep.iter().copied().filter(|id| before.iter().any(|p| p.id == *id)).collect();
    if let Some(name) = add.map(str::trim).filter(|n| !n.is_empty()) {
        employee_name(conn, org_id, user_id, "add_position").await?;
        wanted.push(by_name(conn, org_id, name, "add_position").await?);
    }
    for held in &before {
        if !wanted.contains(&held.id) {
            unhold(conn, org_id, user_id, held.id).await?;
        }
    }
    for id in &wanted {
        hold(conn, org_id, user_id, *id).await?;
    }
    if let Some(displayed) = displayed.filter(|d| wanted.contains(d)) {
        sqlx::query("UPDATE users SET displayed_position_id = $3 WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(user_id)
            .bind(displayed)
            .execute(&mut *conn)
            .await?;
    }
    let (after, displayed_after) = of_user(conn, org_id, user_id).await?;
    let names = |list: &[PositionRef]| {
        if list.is_empty() {
            "none".to_owned()
        } else {
            list.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ")
        }
    };
    let shown = |list: &[PositionRef], id: Option<Uuid>| {
        id.and_then(|id| list.iter().find(|p| p.id == id)).map_or("none".to_owned(), |p| p.name.clone())
    };
    let mut changes = Vec::new();
    if before != after {
        changes.push(format!("{} → {}", names(&before), names(&after)));
    }
    if shown(&before, displayed_before) != shown(&after, displayed_after) {
        changes.push(format!("displayed: {} → {}", shown(&before, displayed_before), shown(&after, displayed_after)));
    }
    Ok((!changes.is_empty()).then(|| changes.join("; ")))
}

/// The position and every position below it: what "position, including its
/// whole subtree" filters by. Not found: another organization's.
pub async fn subtree(pool: &Db, org_id: Uuid, id: Uuid) -> Result<Vec<Uuid>, AppError> {
    let ids: Vec<Uuid> = sqlx::query_scalar(
        "WITH RECURSIVE down AS ( \
             SELECT p.id, 0 AS depth FROM positions p WHERE p.org_id = $1 AND p.id = $2 \
             UNION ALL \
             SELECT p.id, down.depth + 1 FROM positions p JOIN down ON p.org_id = $1 AND p.parent_id = down.id \
             WHERE down.depth < 10000) \
         SELECT id FROM down",
    )
    .bind(org_id)
    .bind(id)
    .fetch_all(pool)
    .await?;
    if ids.is_empty() {
        return Err(AppError::NotFound);
    }
    Ok(ids)
}

/// Employees matching `term` who do not hold the position yet (the chart's
/// "Add holder").
pub async fn candidates(pool: &Db, org_id: Uuid, position: Uuid, term: &str) -> Result<Vec<Holder>, AppError> {
    use crate::features::users::server::list::Search;
    use crate::features::users::types::UserListQuery;
    let query = UserListQuery { q: Some(term.to_owned()), ..Default::default() };
    let Some(search) = Search::of(&query) else { return Ok(Vec::new()) };
    if term.chars().any(char::is_control) {
        return Err(AppError::field("find", "The search contains an invisible control character."));
    }
    let mut sql = sqlx::QueryBuilder::new(
        "SELECT u.id, u.first_name || ' ' || u.last_name AS name, u.email FROM users u \
         WHERE u.status <> 'invite_canceled' AND u.kind = 'internal' AND u.org_id = ",
    );
    sql.push_bind(org_id);
    search.push_condition(&mut sql);
    sql.push(" AND NOT EXISTS (SELECT 1 FROM user_positions up WHERE up.org_id = u.org_id AND up.user_id = u.id AND up.position_id = ")
        .push_bind(position)
        .push(") LIMIT 10");
    let rows: Vec<(Uuid, String, String)> = sql.build_query_as().fetch_all(pool).await?;
    let mut found: Vec<Holder> = rows.into_iter().map(|(id, name, email)| Holder { id, name, email }).collect();
    found.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.email.cmp(&b.email)));
    Ok(found)
}
