//! Server functions for organizations.

use leptos::prelude::*;

use crate::error::AppError;
use crate::features::orgs::types::SeatUsage;

/// The seat counters shown in the top right of User Management.
#[server(endpoint = "seat_usage")]
pub async fn get_seat_usage() -> Result<Vec<SeatUsage>, AppError> {
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::server::respond::respond_read;
    respond_read("seat_usage".to_owned(), |ctx| async move {
        let actor = Actor::require(&ctx, Permission::UserMenu).await?;
        crate::features::orgs::server::seat_usage(&ctx.state.pool, actor.org_id).await
    })
    .await
}
