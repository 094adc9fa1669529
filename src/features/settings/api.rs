//! Server functions for the Security settings. Superuser only.

use leptos::prelude::*;

use crate::error::AppError;
use crate::features::settings::types::{SecurityForm, SecuritySettings};

/// The organization's Security settings.
#[server(endpoint = "load_security_settings")]
pub async fn load_security_settings() -> Result<SecuritySettings, AppError> {
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ManageSecurity).await?;
        crate::features::settings::server::load(&ctx.state.pool, actor.org_id).await
    })
    .await
}

/// Saves the Security settings; the change is audited, old → new.
#[server(endpoint = "save_security_settings")]
pub async fn save_security_settings(#[server(default)] settings: SecurityForm) -> Result<(), AppError> {
    use crate::features::audit::server::Origin;
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ManageSecurity).await?;
        let origin = Origin::of(&ctx, Some(&actor));
        crate::features::settings::server::save(&ctx.state.pool, actor.org_id, &origin, &settings).await?;
        ctx.redirect("/settings/security?notice=saved");
        Ok(())
    })
    .await
}
