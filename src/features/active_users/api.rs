//! Active users' server functions: Superuser only (the guard's
//! `ManageSecurity`), each refusal tested in `tests/it/enforcement.rs`.

use leptos::prelude::*;

use crate::error::AppError;
use crate::features::active_users::types::ActiveSession;

/// Who is signed in now: sessions used within the last five minutes.
#[server(endpoint = "active_sessions")]
pub async fn active_sessions() -> Result<Vec<ActiveSession>, AppError> {
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ManageSecurity).await?;
        let current = ctx.session()?.id().map(|id| id.to_string());
        crate::features::active_users::server::active_sessions(
            &ctx.state.pool,
            actor.org_id,
            current.as_deref(),
            ctx.state.clock.now_utc(),
            actor.time_zone,
        )
        .await
    })
    .await
}

/// "Sign out": ends one session; its next request lands on the sign-in
/// page. Audited.
#[server(endpoint = "end_session")]
pub async fn end_session(session: uuid::Uuid) -> Result<String, AppError> {
    use crate::features::audit::server::Origin;
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::server::respond::{path_segment, respond};
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ManageSecurity).await?;
        let origin = Origin::of(&ctx, Some(&actor));
        let name =
            crate::features::active_users::server::end_session(&ctx.state.pool, actor.org_id, &origin, session).await?;
        ctx.redirect(&format!("/settings/active-users?signed_out={}", path_segment(&name)));
        Ok(name)
    })
    .await
}

/// "Sign out everywhere": ends every session of a user. Audited.
#[server(endpoint = "sign_out_everywhere")]
pub async fn sign_out_everywhere(user: uuid::Uuid) -> Result<String, AppError> {
    use crate::features::audit::server::Origin;
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::server::respond::{path_segment, respond};
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ManageSecurity).await?;
        let origin = Origin::of(&ctx, Some(&actor));
        let (name, _) =
            crate::features::active_users::server::end_user_sessions(&ctx.state.pool, actor.org_id, &origin, user)
                .await?;
        ctx.redirect(&format!("/settings/active-users?signed_out_everywhere={}", path_segment(&name)));
        Ok(name)
    })
    .await
}
