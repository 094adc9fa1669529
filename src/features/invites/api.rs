//! Server functions for invites.

use leptos::prelude::*;

use crate::error::AppError;
use crate::features::invites::types::{InviteForm, InvitedUser};

/// Invites a user: creates them as Invited, holds a seat of their role and
/// queues the activation email, all or nothing. Superuser only.
#[server(endpoint = "invite_user")]
pub async fn invite_user(#[server(default)] invite: InviteForm) -> Result<InvitedUser, AppError> {
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::features::invites::server::create::{Inviter, create_invite, expiry_text};
    use crate::features::invites::server::validate;
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ManageUsers).await?;
        let valid = validate::invite(&invite, actor.organization_time_zone)?;
        let inviter = Inviter {
            org_id: actor.org_id,
            user_id: actor.user_id,
            name: format!("{} {}", actor.first_name, actor.last_name),
            organization: actor.organization.clone(),
        };
        let created = create_invite(&ctx.state.pool, &inviter, &valid, &ctx.base_url()).await?;
        let back: String = form_urlencoded::Serializer::new(String::new()).append_pair("invited", &valid.email).finish();
        ctx.redirect(&format!("/settings/users?{back}"));
        Ok(InvitedUser {
            id: created.user_id,
            email: valid.email,
            expires: expiry_text(created.expires_at, actor.time_zone),
        })
    })
    .await
}

/// The invite dialog's choices. Superuser only (it reveals seat usage).
#[server(endpoint = "invite_options")]
pub async fn invite_options() -> Result<crate::features::invites::types::InviteOptions, AppError> {
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::features::invites::types::InviteOptions;
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::ManageUsers).await?;
        Ok(InviteOptions {
            seats: crate::features::orgs::server::seat_usage(&ctx.state.pool, actor.org_id).await?,
            organization_time_zone: actor.organization_time_zone.name().to_owned(),
            phone_countries: crate::features::invites::server::validate::phone_countries().to_vec(),
        })
    })
    .await
}
