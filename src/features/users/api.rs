//! Server functions for users.

use leptos::prelude::*;

use crate::error::AppError;
use crate::features::users::types::{UserListQuery, UserPage};

/// One page of the organization's users. Requires permission to view users;
/// the organization is always the caller's own.
#[server(endpoint = "list_users")]
pub async fn list_users(#[server(default)] query: UserListQuery) -> Result<UserPage, AppError> {
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::features::users::server::list;
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ViewUsers).await?;
        let state = &ctx.state;
        let size = list::page_size(query.size, actor.page_size);
        if query.size.is_some() && i16::try_from(size).ok() != Some(actor.page_size) {
            list::remember_page_size(&state.pool, actor.org_id, actor.user_id, size).await?;
        }
        list::list_users(&state.pool, actor.org_id, &query, size, actor.time_zone).await
    })
    .await
}

/// Everything about one user of the caller's organization, for the details
/// panel: profile, invite expiry and the state of each invite mail.
#[server(endpoint = "user_details")]
pub async fn user_details(id: uuid::Uuid) -> Result<crate::features::users::types::UserDetails, AppError> {
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::features::users::server::details;
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ViewUsers).await?;
        details::user_details(&ctx.state.pool, actor.org_id, id, actor.time_zone).await
    })
    .await
}
