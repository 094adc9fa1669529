//! Server functions for the audit log.

use leptos::prelude::*;

use crate::error::AppError;
use crate::features::audit::types::{AuditPage, AuditQuery};

/// One page of the organization's audit log, newest first. Superuser only.
#[server(endpoint = "list_audit")]
pub async fn list_audit(#[server(default)] query: AuditQuery) -> Result<AuditPage, AppError> {
    use crate::features::audit::server::list;
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ViewAudit).await?;
        list(&ctx.state.pool, actor.org_id, actor.time_zone, &query).await
    })
    .await
}
