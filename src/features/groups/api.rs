//! Server functions for groups. Each checks the session, the organization
//! and the permission (`ManageDirectory`: the user menu) through the guard;
//! every change is audited by the service in its transaction. Without
//! JavaScript each form returns to its page with a notice in the address.

use leptos::prelude::*;

use crate::error::AppError;
use crate::features::groups::types::{Candidate, Group, GroupList, GroupListQuery};

/// A page of the organization's groups (Settings › Groups).
#[server(endpoint = "list_groups")]
pub async fn list_groups(#[server(default)] query: GroupListQuery) -> Result<GroupList, AppError> {
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ManageDirectory).await?;
        crate::features::groups::server::list(&ctx.state.pool, actor.org_id, &query, actor.time_zone).await
    })
    .await
}

/// One group of the organization (its page's head).
#[server(endpoint = "load_group")]
pub async fn load_group(id: uuid::Uuid) -> Result<Group, AppError> {
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ManageDirectory).await?;
        crate::features::groups::server::get(&ctx.state.pool, actor.org_id, id, actor.time_zone).await
    })
    .await
}

/// Creates a group (no `id`) or renames and describes one; goes to its page.
#[server(endpoint = "save_group")]
pub async fn save_group(
    #[server(default)] id: String,
    #[server(default)] name: String,
    #[server(default)] description: String,
) -> Result<(), AppError> {
    use crate::features::audit::server::Origin;
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::features::users::types::ListPage;
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ManageDirectory).await?;
        let id = match id.trim() {
            "" => None,
            id => Some(uuid::Uuid::parse_str(id).map_err(|_| AppError::NotFound)?),
        };
        let origin = Origin::of(&ctx, Some(&actor));
        let pool = &ctx.state.pool;
        let saved = crate::features::groups::server::save(pool, actor.org_id, &origin, id, &name, &description).await?;
        let notice = if id.is_some() { "saved" } else { "created" };
        ctx.redirect(&format!("{}?notice={notice}", ListPage::Group(saved).path()));
        Ok(())
    })
    .await
}

/// Deletes a group (its memberships end; its users stay).
#[server(endpoint = "delete_group")]
pub async fn delete_group(id: uuid::Uuid) -> Result<(), AppError> {
    use crate::features::audit::server::Origin;
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ManageDirectory).await?;
        let origin = Origin::of(&ctx, Some(&actor));
        let (name, _) = crate::features::groups::server::delete(&ctx.state.pool, actor.org_id, &origin, id).await?;
        let back = form_urlencoded::Serializer::new(String::new()).append_pair("deleted", &name).finish();
        ctx.redirect(&format!("/settings/groups?{back}"));
        Ok(())
    })
    .await
}

/// "Add members": people matching `term` who are not in the group yet.
#[server(endpoint = "group_candidates")]
pub async fn group_candidates(group: uuid::Uuid, #[server(default)] term: String) -> Result<Vec<Candidate>, AppError> {
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ManageDirectory).await?;
        let pool = &ctx.state.pool;
        // Another organization's group is not found, even with no matches.
        crate::features::groups::server::get(pool, actor.org_id, group, actor.time_zone).await?;
        crate::features::groups::server::candidates(pool, actor.org_id, group, &term).await
    })
    .await
}

/// Adds a user to a group; returns to the group's page, keeping the search
/// (`term`) so more can be added.
#[server(endpoint = "add_group_member")]
pub async fn add_group_member(
    group: uuid::Uuid,
    user: uuid::Uuid,
    #[server(default)] term: String,
) -> Result<String, AppError> {
    use crate::features::audit::server::Origin;
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::features::users::types::ListPage;
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ManageDirectory).await?;
        let origin = Origin::of(&ctx, Some(&actor));
        let name =
            crate::features::groups::server::add_member(&ctx.state.pool, actor.org_id, &origin, group, user).await?;
        let back = form_urlencoded::Serializer::new(String::new())
            .append_pair("add", term.trim())
            .append_pair("added", &name)
            .finish();
        ctx.redirect(&format!("{}?{back}", ListPage::Group(group).path()));
        Ok(name)
    })
    .await
}

/// Removes a user from a group (never the user); returns to the members'
/// view (`view`).
#[server(endpoint = "remove_group_member")]
pub async fn remove_group_member(
    group: uuid::Uuid,
    user: uuid::Uuid,
    #[server(default)] view: String,
) -> Result<String, AppError> {
    use crate::features::audit::server::Origin;
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::features::users::types::{ListPage, UserListQuery};
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ManageDirectory).await?;
        let origin = Origin::of(&ctx, Some(&actor));
        let name =
            crate::features::groups::server::remove_member(&ctx.state.pool, actor.org_id, &origin, group, user).await?;
        let mut back = UserListQuery::parse(&view);
        if back.page != ListPage::Group(group) {
            back = UserListQuery::default().on(ListPage::Group(group));
        }
        let back = back.current_href();
        let separator = if back.contains('?') { '&' } else { '?' };
        let removed = form_urlencoded::Serializer::new(String::new()).append_pair("removed", &name).finish();
        ctx.redirect(&format!("{back}{separator}{removed}"));
        Ok(name)
    })
    .await
}
