//! Server functions for "Additional data" (the fields an organization
//! defines): a Superuser's settings page. Values and messenger accounts
//! travel with the invite and the edit form.

use leptos::prelude::*;

use crate::error::AppError;
use crate::features::profile::types::CustomField;

#[server(endpoint = "list_custom_fields")]
pub async fn list_custom_fields() -> Result<Vec<CustomField>, AppError> {
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ManageFields).await?;
        let mut conn = ctx.state.pool.acquire().await?;
        crate::features::profile::server::fields(&mut conn, actor.org_id).await
    })
    .await
}

/// Defines a field: `kind` text, number, date or choice (with `choices`,
/// one per line); `required` "on" when ticked.
#[server(endpoint = "create_custom_field")]
pub async fn create_custom_field(
    #[server(default)] label: String,
    #[server(default)] kind: String,
    #[server(default)] choices: String,
    #[server(default)] required: String,
) -> Result<(), AppError> {
    use crate::features::audit::server::Origin;
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ManageFields).await?;
        let origin = Origin::of(&ctx, Some(&actor));
        let required = !required.trim().is_empty();
        let pool = &ctx.state.pool;
        crate::features::profile::server::create_field(pool, actor.org_id, &origin, &label, &kind, &choices, required)
            .await?;
        ctx.redirect("/settings/additional-data?notice=created");
        Ok(())
    })
    .await
}

/// Deletes a field and every user's value of it.
#[server(endpoint = "delete_custom_field")]
pub async fn delete_custom_field(id: uuid::Uuid) -> Result<(), AppError> {
    use crate::features::audit::server::Origin;
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ManageFields).await?;
        let origin = Origin::of(&ctx, Some(&actor));
        crate::features::profile::server::delete_field(&ctx.state.pool, actor.org_id, &origin, id).await?;
        ctx.redirect("/settings/additional-data?notice=deleted");
        Ok(())
    })
    .await
}
