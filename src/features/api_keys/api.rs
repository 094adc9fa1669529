//! Server functions for the API keys page (Superuser).

use leptos::prelude::*;

use crate::error::AppError;
use crate::features::api_keys::types::{ApiKeys, CreatedApiKey};

/// Where a key created by a plain form post waits for the page that shows
/// it once (the key must never travel in a URL).
#[cfg(feature = "ssr")]
const NEW_KEY_SESSION_KEY: &str = "roster.new_api_key";

/// A key waiting in the session, and the request that showed it: a page's
/// render may read it more than once; the next request no longer finds it.
#[cfg(feature = "ssr")]
#[derive(serde::Serialize, serde::Deserialize)]
struct WaitingKey {
    key: CreatedApiKey,
    shown_by: Option<String>,
}

/// The key a form post created, for this request only.
#[cfg(feature = "ssr")]
async fn take_waiting_key(ctx: &crate::server::respond::RequestContext) -> Result<Option<CreatedApiKey>, AppError> {
    use crate::features::auth::server::session::failure;
    let session = ctx.session()?;
    let waiting: Option<WaitingKey> = session.get(NEW_KEY_SESSION_KEY).await.map_err(|e| failure("session read", e))?;
    let Some(mut waiting) = waiting else { return Ok(None) };
    match &waiting.shown_by {
        Some(request) if *request != ctx.request_id => {
            session.remove::<WaitingKey>(NEW_KEY_SESSION_KEY).await.map_err(|e| failure("session write", e))?;
            Ok(None)
        }
        Some(_) => Ok(Some(waiting.key)),
        None => {
            waiting.shown_by = Some(ctx.request_id.clone());
            session.insert(NEW_KEY_SESSION_KEY, &waiting).await.map_err(|e| failure("session write", e))?;
            Ok(Some(waiting.key))
        }
    }
}

/// The organization's keys, and the one just created by a form post (shown
/// once: reading it removes it).
#[server(endpoint = "list_api_keys")]
pub async fn list_api_keys() -> Result<ApiKeys, AppError> {
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ManageApiKeys).await?;
        let keys = crate::features::api_keys::server::list(&ctx.state.pool, actor.org_id, actor.time_zone).await?;
        let created = take_waiting_key(&ctx).await?;
        Ok(ApiKeys { keys, created })
    })
    .await
}

/// Creates a key named `name`; its secret is in the answer (with
/// JavaScript) or on the page it returns to (without), and nowhere after.
#[server(endpoint = "create_api_key")]
pub async fn create_api_key(#[server(default)] name: String) -> Result<CreatedApiKey, AppError> {
    use crate::features::audit::server::Origin;
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::features::auth::server::session::failure;
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ManageApiKeys).await?;
        let origin = Origin::of(&ctx, Some(&actor));
        let created =
            crate::features::api_keys::server::create(&ctx.state.pool, actor.org_id, actor.user_id, &origin, &name)
                .await?;
        if ctx.is_form_post() {
            let waiting = WaitingKey { key: created.clone(), shown_by: None };
            ctx.session()?.insert(NEW_KEY_SESSION_KEY, &waiting).await.map_err(|e| failure("session write", e))?;
            ctx.redirect("/settings/api-keys");
        }
        Ok(created)
    })
    .await
}

/// Revokes a key: requests with it are refused from now on.
#[server(endpoint = "revoke_api_key")]
pub async fn revoke_api_key(id: uuid::Uuid) -> Result<(), AppError> {
    use crate::features::audit::server::Origin;
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ManageApiKeys).await?;
        let origin = Origin::of(&ctx, Some(&actor));
        crate::features::api_keys::server::revoke(&ctx.state.pool, actor.org_id, &origin, id).await?;
        ctx.redirect("/settings/api-keys?notice=revoked");
        Ok(())
    })
    .await
}
