//! Server functions for access settings: "My access", one user's access
//! settings, and the Roles page.

use std::collections::HashMap;

use leptos::prelude::*;

use crate::error::AppError;
use crate::features::access::types::{AccessMatrix, MatrixRow, RoleDefaults, UserAccess};

/// "My access": what the signed-in user may do, each with its reason.
#[server(endpoint = "my_access")]
pub async fn my_access() -> Result<UserAccess, AppError> {
    use crate::features::access::server;
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::OwnAccount).await?;
        server::user_access(&ctx.state.pool, actor.org_id, actor.user_id, actor.time_zone, true, false).await
    })
    .await
}

/// One user's access settings, as User Management shows them; editable
/// for a Superuser.
#[server(endpoint = "load_user_access")]
pub async fn load_user_access(id: uuid::Uuid) -> Result<UserAccess, AppError> {
    use crate::features::access::server;
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::UserMenu).await?;
        let editable = actor.may(Permission::ManageAccess);
        server::user_access(&ctx.state.pool, actor.org_id, id, actor.time_zone, false, editable).await
    })
    .await
}

/// Saves a user's own grants and denials (`settings[<key>]` = default,
/// granted or denied). Superuser only; audited, old → new.
#[server(endpoint = "save_user_access")]
pub async fn save_user_access(
    user: uuid::Uuid,
    #[server(default)] settings: HashMap<String, String>,
) -> Result<(), AppError> {
    use crate::features::access::server;
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::features::users::server::access::Admin;
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ManageAccess).await?;
        let settings = server::parse_settings(&settings)?;
        server::set_user_access(&ctx.state.pool, &Admin::of(&ctx, &actor), user, &settings).await?;
        ctx.redirect(&format!("/settings/users/{user}/access?notice=saved"));
        Ok(())
    })
    .await
}

/// What Basic and Operator users hold by default.
#[server(endpoint = "load_role_defaults")]
pub async fn load_role_defaults() -> Result<RoleDefaults, AppError> {
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ManageRoles).await?;
        crate::features::access::server::role_defaults(&ctx.state.pool, actor.org_id).await
    })
    .await
}

/// Saves the Roles page: the ticked permissions of each role
/// (`basic[<key>]=on`, `operator[<key>]=on`). Audited, old → new.
#[server(endpoint = "save_role_defaults")]
pub async fn save_role_defaults(
    #[server(default)] basic: HashMap<String, String>,
    #[server(default)] operator: HashMap<String, String>,
) -> Result<(), AppError> {
    use crate::error::Validator;
    use crate::features::access::server;
    use crate::features::audit::server::Origin;
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::features::users::types::Role;
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ManageRoles).await?;
        let mut v = Validator::new();
        let defaults = RoleDefaults {
            basic: server::parse_role_form(&mut v, Role::Basic, &basic),
            operator: server::parse_role_form(&mut v, Role::Operator, &operator),
        };
        v.finish()?;
        let origin = Origin::of(&ctx, Some(&actor));
        server::save_role_defaults(&ctx.state.pool, actor.org_id, &origin, defaults).await?;
        ctx.redirect("/settings/roles?notice=saved");
        Ok(())
    })
    .await
}

/// "Show Access Settings": the user table's page (same search, filter,
/// sort and cursor) with each user's access.
#[server(endpoint = "load_access_matrix")]
pub async fn load_access_matrix(
    #[server(default)] query: crate::features::users::types::UserListQuery,
) -> Result<AccessMatrix, AppError> {
    use crate::features::access::server;
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::features::users::server::list;
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::UserMenu).await?;
        let pool = &ctx.state.pool;
        let size = list::page_size(query.size, actor.page_size);
        let page = list::list_users(pool, actor.org_id, &query, size, actor.time_zone).await?;
        let ids: Vec<uuid::Uuid> = page.rows.iter().map(|r| r.id).collect();
        let rows = server::matrix_rows(pool, actor.org_id, &ids, actor.time_zone).await?;
        Ok(AccessMatrix { rows, next: page.next, prev: page.prev, editable: actor.may(Permission::ManageAccess) })
    })
    .await
}

/// One cell of the matrix: `change` is `<key>:<setting>` (default, granted
/// or denied). Answers with the user's row as it now is; a form posted
/// without JavaScript returns to the matrix (`view`: its query string).
#[server(endpoint = "change_permission")]
pub async fn change_permission(
    user: uuid::Uuid,
    #[server(default)] change: String,
    #[server(default)] view: String,
) -> Result<MatrixRow, AppError> {
    use crate::features::access::server;
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::features::users::server::access::Admin;
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ManageAccess).await?;
        let change = server::parse_change(&change)?;
        let pool = &ctx.state.pool;
        server::set_user_access(pool, &Admin::of(&ctx, &actor), user, &[change]).await?;
        let row =
            server::matrix_rows(pool, actor.org_id, &[user], actor.time_zone).await?.pop().ok_or(AppError::NotFound)?;
        if ctx.is_form_post() {
            let view = view.trim_start_matches('?');
            let separator = if view.is_empty() { "" } else { "&" };
            ctx.redirect(&format!("/settings/users/access?{view}{separator}changed={user}"));
        }
        Ok(row)
    })
    .await
}
