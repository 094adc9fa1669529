//! Server functions for organizations.

use leptos::prelude::*;

use crate::error::AppError;
use crate::features::orgs::types::SeatUsage;

/// The seat counters shown in the top right of User Management.
#[server(endpoint = "seat_usage")]
pub async fn get_seat_usage() -> Result<Vec<SeatUsage>, AppError> {
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::server::{AppState, respond::respond};
    respond(async move {
        let actor = Actor::require(Permission::ViewUsers).await?;
        crate::features::orgs::server::seat_usage(&AppState::current().pool, actor.org_id).await
    })
    .await
}
