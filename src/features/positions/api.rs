//! Server functions for positions and the org chart. Each checks the
//! session, the organization and the permission (`ManageDirectory`) through
//! the guard; every change is audited by the service in its transaction.
//! Without JavaScript each form returns to the chart with the position open
//! and a notice in the address.

use leptos::prelude::*;

use crate::error::AppError;
use crate::features::positions::types::{Holder, Position, PositionDetails};

/// Where a chart form returns: the position open, and what happened.
#[cfg(feature = "ssr")]
fn back(position: Option<uuid::Uuid>, notice: &str) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    if let Some(position) = position {
        query.append_pair("position", &position.to_string());
    }
    query.append_pair("notice", notice);
    format!("/settings/org-chart?{}", query.finish())
}

/// "" is the top of the chart; anything else a position's id.
#[cfg(feature = "ssr")]
fn parent_of(value: &str) -> Result<Option<uuid::Uuid>, AppError> {
    match value.trim() {
        "" => Ok(None),
        id => uuid::Uuid::parse_str(id)
            .map(Some)
            .map_err(|_| AppError::field("parent", "Choose the new place from the chart.")),
    }
}

/// Every position of the organization (the chart).
#[server(endpoint = "org_chart")]
pub async fn org_chart() -> Result<Vec<Position>, AppError> {
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ManageDirectory).await?;
        crate::features::positions::server::chart(&ctx.state.pool, actor.org_id).await
    })
    .await
}

#[server(endpoint = "load_position")]
pub async fn load_position(id: uuid::Uuid) -> Result<PositionDetails, AppError> {
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ManageDirectory).await?;
        crate::features::positions::server::details(&ctx.state.pool, actor.org_id, id).await
    })
    .await
}

/// Creates a position under `parent` ("" for the top of the chart).
#[server(endpoint = "create_position")]
pub async fn create_position(
    #[server(default)] parent: String,
    #[server(default)] name: String,
) -> Result<uuid::Uuid, AppError> {
    use crate::features::audit::server::Origin;
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ManageDirectory).await?;
        let parent = parent_of(&parent)?;
        let origin = Origin::of(&ctx, Some(&actor));
        let id =
            crate::features::positions::server::create(&ctx.state.pool, actor.org_id, &origin, parent, &name).await?;
        ctx.redirect(&back(Some(id), "created"));
        Ok(id)
    })
    .await
}

#[server(endpoint = "rename_position")]
pub async fn rename_position(id: uuid::Uuid, #[server(default)] name: String) -> Result<(), AppError> {
    use crate::features::audit::server::Origin;
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ManageDirectory).await?;
        let origin = Origin::of(&ctx, Some(&actor));
        crate::features::positions::server::rename(&ctx.state.pool, actor.org_id, &origin, id, &name).await?;
        ctx.redirect(&back(Some(id), "renamed"));
        Ok(())
    })
    .await
}

/// Moves a position (and all below it) under `parent` ("" for the top).
#[server(endpoint = "move_position")]
/// `parent_name`, when given, names the new parent instead (a form without
/// the chart).
pub async fn move_position(
    id: uuid::Uuid,
    #[server(default)] parent: String,
    #[server(default)] parent_name: String,
) -> Result<String, AppError> {
    use crate::features::audit::server::Origin;
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ManageDirectory).await?;
        let parent = match parent_name.trim() {
            "" => parent_of(&parent)?,
            named => {
                let mut conn = ctx.state.pool.acquire().await?;
                Some(crate::features::positions::server::by_name(&mut conn, actor.org_id, named, "parent_name").await?)
            }
        };
        let origin = Origin::of(&ctx, Some(&actor));
        let name =
            crate::features::positions::server::move_to(&ctx.state.pool, actor.org_id, &origin, id, parent).await?;
        ctx.redirect(&back(Some(id), "moved"));
        Ok(name)
    })
    .await
}

/// Deletes a position nobody holds and with no sub-positions.
#[server(endpoint = "delete_position")]
pub async fn delete_position(id: uuid::Uuid) -> Result<String, AppError> {
    use crate::features::audit::server::Origin;
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ManageDirectory).await?;
        let origin = Origin::of(&ctx, Some(&actor));
        let name = crate::features::positions::server::delete(&ctx.state.pool, actor.org_id, &origin, id).await?;
        ctx.redirect(&back(None, "deleted"));
        Ok(name)
    })
    .await
}

/// Employees matching `term` who do not hold the position yet.
#[server(endpoint = "position_candidates")]
pub async fn position_candidates(
    position: uuid::Uuid,
    #[server(default)] term: String,
) -> Result<Vec<Holder>, AppError> {
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ManageDirectory).await?;
        let pool = &ctx.state.pool;
        crate::features::positions::server::subtree(pool, actor.org_id, position).await?;
        crate::features::positions::server::candidates(pool, actor.org_id, position, &term).await
    })
    .await
}

#[server(endpoint = "add_position_holder")]
pub async fn add_position_holder(position: uuid::Uuid, user: uuid::Uuid) -> Result<String, AppError> {
    use crate::features::audit::server::Origin;
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ManageDirectory).await?;
        let origin = Origin::of(&ctx, Some(&actor));
        let pool = &ctx.state.pool;
        let name = crate::features::positions::server::add_holder(pool, actor.org_id, &origin, position, user).await?;
        ctx.redirect(&back(Some(position), "holder_added"));
        Ok(name)
    })
    .await
}

#[server(endpoint = "remove_position_holder")]
pub async fn remove_position_holder(position: uuid::Uuid, user: uuid::Uuid) -> Result<String, AppError> {
    use crate::features::audit::server::Origin;
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ManageDirectory).await?;
        let origin = Origin::of(&ctx, Some(&actor));
        let pool = &ctx.state.pool;
        let name =
            crate::features::positions::server::remove_holder(pool, actor.org_id, &origin, position, user).await?;
        ctx.redirect(&back(Some(position), "holder_removed"));
        Ok(name)
    })
    .await
}
