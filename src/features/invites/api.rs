//! Server functions for invites.

use leptos::prelude::*;

use crate::error::AppError;
use crate::features::invites::types::{InviteForm, InvitedUser};

/// Invites a user: creates them as Invited, holds a seat of their role and
/// queues the activation email, all or nothing. Superuser only.
#[server(endpoint = "invite_user")]
pub async fn invite_user(#[server(default)] invite: InviteForm) -> Result<InvitedUser, AppError> {
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::features::invites::server::create::{Inviter, create_invite};
    use crate::features::invites::server::link::expiry_text;
    use crate::features::invites::server::validate;
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::UserMenu).await?;
        let mut valid = validate::invite(&invite, actor.organization_time_zone)?;
        // "Additional data" follows the organization's own fields.
        let fields =
            crate::features::profile::server::fields(&mut *ctx.state.pool.acquire().await?, actor.org_id).await?;
        valid.field_values = crate::features::profile::server::parse_values(&fields, &invite.fields)?;
        // Dashboard permissions are access settings: the Superuser's.
        if !invite.dashboard_access.trim().is_empty() {
            use crate::features::dashboards::server::parse_choice;
            let (access, ids) = parse_choice(&invite.dashboard_access, &invite.dashboards)?;
            if access != crate::features::access::types::DashboardAccess::None && !actor.may(Permission::ManageAccess) {
                return Err(AppError::field("dashboard_access", "Only a Superuser sets dashboard permissions."));
            }
            valid.dashboard_access = access;
            valid.dashboards =
                if access == crate::features::access::types::DashboardAccess::Selected { ids } else { Vec::new() };
        }
        let inviter = Inviter::of(&ctx, &actor);
        let created = create_invite(&ctx.state.pool, &inviter, &valid, &ctx.base_url()).await?;
        let back: String =
            form_urlencoded::Serializer::new(String::new()).append_pair("invited", &valid.email).finish();
        let list = match valid.kind {
            crate::features::users::types::UserKind::Internal => crate::features::users::types::ListPage::Users,
            crate::features::users::types::UserKind::External => crate::features::users::types::ListPage::External,
        };
        ctx.redirect(&format!("{}?{back}", list.path()));
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
        let actor = Actor::require(&ctx, Permission::UserMenu).await?;
        Ok(InviteOptions {
            seats: crate::features::orgs::server::seat_usage(&ctx.state.pool, actor.org_id).await?,
            organization_time_zone: actor.organization_time_zone.name().to_owned(),
            phone_countries: crate::features::invites::server::validate::phone_countries().to_vec(),
            dashboards: if actor.may(Permission::ManageAccess) {
                crate::features::dashboards::server::list(&ctx.state.pool, actor.org_id).await?
            } else {
                Vec::new()
            },
            groups: crate::features::groups::server::choices(&ctx.state.pool, actor.org_id).await?,
            custom_fields: crate::features::profile::server::fields(
                &mut *ctx.state.pool.acquire().await?,
                actor.org_id,
            )
            .await?,
        })
    })
    .await
}

/// What an activation link leads to. Public: the token is the credential.
/// Reading it changes nothing (mail scanners may open links).
#[server(endpoint = "activation_link")]
pub async fn activation_link(token: String) -> Result<crate::features::invites::types::ActivationLink, AppError> {
    use crate::features::invites::server::activate::inspect;
    use crate::server::respond::respond;
    respond(|ctx| async move {
        ctx.state.limits.link_request(ctx.client_ip).await?;
        inspect(&ctx.state.pool, &token).await
    })
    .await
}

/// Sets the password, activates the account and signs the user in, in one
/// step. Public: the token is the credential.
#[server(endpoint = "activate_account")]
pub async fn activate_account(
    token: String,
    first_name: String,
    last_name: String,
    time_zone: String,
    password: crate::features::auth::types::Password,
    password_confirmation: crate::features::auth::types::Password,
) -> Result<(), AppError> {
    use crate::features::auth::server::session;
    use crate::features::invites::server::activate::{Activation, activate};
    use crate::server::respond::respond_on_page;
    respond_on_page(&activation_page(&token), |ctx| async move {
        ctx.state.limits.link_request(ctx.client_ip).await?;
        let origin = crate::features::audit::server::Origin::of(&ctx, None);
        let input = Activation { first_name, last_name, time_zone, password, password_confirmation, origin };
        let auth = activate(&ctx.state.pool, &ctx.state.hasher, &token, input).await?;
        session::begin(&ctx, auth).await?;
        ctx.redirect("/");
        Ok(())
    })
    .await
}

/// Resends an invite: a new link and mail, the old link dead, the expiry
/// reset; a cancelled invite becomes Invited again if a seat is free.
/// Superuser only. `view` is the user table's query string to return to.
#[server(endpoint = "resend_invite")]
pub async fn resend_invite(user: uuid::Uuid, #[server(default)] view: String) -> Result<(), AppError> {
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::features::invites::server::create::Inviter;
    use crate::features::invites::server::lifecycle::resend;
    use crate::features::users::types::UserListQuery;
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::UserMenu).await?;
        resend(&ctx.state.pool, &Inviter::of(&ctx, &actor), user, &ctx.base_url()).await?;
        ctx.redirect(&UserListQuery::parse(&view).href_with_panel(user, Some("invite_resent")));
        Ok(())
    })
    .await
}

/// Cancels an invite: its link stops working, its seat is freed, the user
/// shows as Invite canceled. Superuser only.
#[server(endpoint = "cancel_invite")]
pub async fn cancel_invite(user: uuid::Uuid, #[server(default)] view: String) -> Result<(), AppError> {
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::features::invites::server::create::Inviter;
    use crate::features::invites::server::lifecycle::cancel;
    use crate::features::users::types::UserListQuery;
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::UserMenu).await?;
        cancel(&ctx.state.pool, &Inviter::of(&ctx, &actor), user).await?;
        ctx.redirect(&UserListQuery::parse(&view).href_with_panel(user, Some("invite_canceled")));
        Ok(())
    })
    .await
}

/// "Send me a new link", from an expired link's page. Public: the expired
/// link is the credential; rate limited per client and per user.
#[server(endpoint = "request_new_link")]
pub async fn request_new_link(token: String) -> Result<crate::features::invites::types::NewLinkSent, AppError> {
    use crate::features::invites::server::lifecycle;
    use crate::features::invites::server::link::expiry_text;
    use crate::features::invites::types::NewLinkSent;
    use crate::server::respond::respond_on_page;
    respond_on_page(&activation_page(&token), |ctx| async move {
        ctx.state.limits.link_request(ctx.client_ip).await?;
        let origin = crate::features::audit::server::Origin::of(&ctx, None);
        let sent = lifecycle::request_new_link(&ctx.state.pool, &token, &ctx.base_url(), &origin).await?;
        let back: String = form_urlencoded::Serializer::new(String::new()).append_pair("sent", &sent.email).finish();
        ctx.redirect(&format!("{}?{back}", activation_page(&token)));
        Ok(NewLinkSent { email: sent.email, expires: expiry_text(sent.expires_at, sent.time_zone) })
    })
    .await
}

/// The page of an activation link, where its forms return to.
#[cfg(feature = "ssr")]
fn activation_page(token: &str) -> String {
    format!("/activate/{}", crate::server::respond::path_segment(token))
}
