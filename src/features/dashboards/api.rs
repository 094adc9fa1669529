//! Server functions for dashboards.

use std::collections::HashMap;

use leptos::prelude::*;

use crate::error::AppError;
use crate::features::dashboards::types::{Dashboard, DashboardChoice};

/// Every dashboard of the organization (Settings › Dashboards).
#[server(endpoint = "list_dashboards")]
pub async fn list_dashboards() -> Result<Vec<Dashboard>, AppError> {
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ManageDashboards).await?;
        crate::features::dashboards::server::list(&ctx.state.pool, actor.org_id).await
    })
    .await
}

/// Creates a dashboard (no `id`) or renames and describes one.
#[server(endpoint = "save_dashboard")]
pub async fn save_dashboard(
    #[server(default)] id: String,
    #[server(default)] name: String,
    #[server(default)] description: String,
) -> Result<(), AppError> {
    use crate::features::audit::server::Origin;
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ManageDashboards).await?;
        let id = match id.trim() {
            "" => None,
            id => Some(uuid::Uuid::parse_str(id).map_err(|_| AppError::NotFound)?),
        };
        let origin = Origin::of(&ctx, Some(&actor));
        crate::features::dashboards::server::save(&ctx.state.pool, actor.org_id, &origin, id, &name, &description)
            .await?;
        ctx.redirect("/settings/dashboards?notice=saved");
        Ok(())
    })
    .await
}

#[server(endpoint = "delete_dashboard")]
pub async fn delete_dashboard(id: uuid::Uuid) -> Result<(), AppError> {
    use crate::features::audit::server::Origin;
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ManageDashboards).await?;
        let origin = Origin::of(&ctx, Some(&actor));
        crate::features::dashboards::server::delete(&ctx.state.pool, actor.org_id, &origin, id).await?;
        ctx.redirect("/settings/dashboards?notice=deleted");
        Ok(())
    })
    .await
}

/// The dashboards the signed-in user may open (`/dashboards`).
#[server(endpoint = "my_dashboards")]
pub async fn my_dashboards() -> Result<Vec<Dashboard>, AppError> {
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::OwnAccount).await?;
        crate::features::dashboards::server::visible(&ctx.state.pool, actor.org_id, actor.user_id).await
    })
    .await
}

/// One dashboard, if the signed-in user may open it; anyone else's is not
/// found (404), never "forbidden": its existence is not theirs to know.
#[server(endpoint = "open_dashboard")]
pub async fn open_dashboard(id: uuid::Uuid) -> Result<Dashboard, AppError> {
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::OwnAccount).await?;
        crate::features::dashboards::server::visible(&ctx.state.pool, actor.org_id, actor.user_id)
            .await?
            .into_iter()
            .find(|d| d.id == id)
            .ok_or(AppError::NotFound)
    })
    .await
}

/// A user's dashboard permissions (their Access settings page).
#[server(endpoint = "user_dashboards")]
pub async fn user_dashboards(id: uuid::Uuid) -> Result<DashboardChoice, AppError> {
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::UserMenu).await?;
        crate::features::dashboards::server::choice(&ctx.state.pool, actor.org_id, id).await
    })
    .await
}

/// Sets a user's dashboard permissions: `dashboard_access` none, selected
/// or all; with selected, `dashboards[id-<id>]=on` for each. Audited.
/// Without JavaScript it returns to the form's page: with `panel`, the
/// user's details panel in the table's `view`.
#[server(endpoint = "save_user_dashboards")]
pub async fn save_user_dashboards(
    user: uuid::Uuid,
    #[server(default)] dashboard_access: String,
    #[server(default)] dashboards: HashMap<String, String>,
    #[server(default)] panel: bool,
    #[server(default)] view: String,
) -> Result<(), AppError> {
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::features::dashboards::server;
    use crate::features::users::server::access::Admin;
    use crate::features::users::types::UserListQuery;
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ManageAccess).await?;
        let (access, ids) = server::parse_choice(&dashboard_access, &dashboards)?;
        server::set_choice(&ctx.state.pool, &Admin::of(&ctx, &actor), user, access, &ids).await?;
        // Back where the form was: the user's details panel (in the table's
        // view) or their Access settings page.
        if panel {
            ctx.redirect(&UserListQuery::parse(&view).href_with_panel(user, Some("dashboards_saved")));
        } else {
            ctx.redirect(&format!("/settings/users/{user}/access?notice=dashboards_saved"));
        }
        Ok(())
    })
    .await
}
