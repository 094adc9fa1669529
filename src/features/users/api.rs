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
    use crate::server::respond::respond_read;
    let key = format!("list_users {}", serde_json::to_string(&query).unwrap_or_default());
    respond_read(key, |ctx| async move {
        let actor = Actor::require(&ctx, Permission::UserMenu).await?;
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
/// `choices`: also every group of the organization (for the edit form).
pub async fn user_details(
    id: uuid::Uuid,
    #[server(default)] choices: bool,
) -> Result<crate::features::users::types::UserDetails, AppError> {
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::features::users::server::details;
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::UserMenu).await?;
        let mut user = details::user_details(&ctx.state.pool, actor.org_id, id, actor.time_zone).await?;
        if choices {
            user.group_choices = crate::features::groups::server::choices(&ctx.state.pool, actor.org_id).await?;
            let mut conn = ctx.state.pool.acquire().await?;
            user.custom_fields = crate::features::profile::server::fields(&mut conn, actor.org_id).await?;
        }
        Ok(user)
    })
    .await
}

/// "Disable Access": the user can no longer sign in and every session of
/// theirs ends at once; their seat stays theirs. Not oneself, not the last
/// active Superuser. `view` is the table's query string to return to.
#[server(endpoint = "disable_access")]
pub async fn disable_access(user: uuid::Uuid, #[server(default)] view: String) -> Result<(), AppError> {
    change_access(user, view, false).await
}

/// "Enable Access": a disabled user may sign in again.
#[server(endpoint = "enable_access")]
pub async fn enable_access(user: uuid::Uuid, #[server(default)] view: String) -> Result<(), AppError> {
    change_access(user, view, true).await
}

/// What disabling and enabling share: the permission check, the audit
/// origin, and the way back to the table with the panel and a notice.
#[cfg(feature = "ssr")]
async fn change_access(user: uuid::Uuid, view: String, enable: bool) -> Result<(), AppError> {
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::features::users::server::access::{Admin, disable_access, enable_access};
    use crate::features::users::types::UserListQuery;
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::UserMenu).await?;
        let admin = Admin::of(&ctx, &actor);
        let pool = &ctx.state.pool;
        let notice = if enable {
            enable_access(pool, &admin, user).await?;
            "access_enabled"
        } else {
            disable_access(pool, &admin, user).await?;
            "access_disabled"
        };
        ctx.redirect(&UserListQuery::parse(&view).href_with_panel(user, Some(notice)));
        Ok(())
    })
    .await
}

/// "Account is locked" → Unlock: ends an automatic lockout now.
#[server(endpoint = "unlock_account")]
pub async fn unlock_account(user: uuid::Uuid, #[server(default)] view: String) -> Result<(), AppError> {
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::features::users::server::access::{Admin, unlock};
    use crate::features::users::types::UserListQuery;
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::UserMenu).await?;
        unlock(&ctx.state.pool, &Admin::of(&ctx, &actor), user).await?;
        ctx.redirect(&UserListQuery::parse(&view).href_with_panel(user, Some("unlocked")));
        Ok(())
    })
    .await
}

/// "Recover password" on a user's profile: mails them a link to choose a
/// new password (valid for an hour; earlier recovery links stop working).
#[server(endpoint = "send_password_recovery")]
pub async fn send_password_recovery(user: uuid::Uuid, #[server(default)] view: String) -> Result<(), AppError> {
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::features::auth::server::recovery;
    use crate::features::users::server::access::Admin;
    use crate::features::users::types::UserListQuery;
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::UserMenu).await?;
        let admin = Admin::of(&ctx, &actor);
        recovery::send_by_admin(&ctx.state.pool, &admin, user, &ctx.base_url()).await?;
        ctx.redirect(&UserListQuery::parse(&view).href_with_panel(user, Some("recovery_sent")));
        Ok(())
    })
    .await
}

/// Deletes a user once the acting Superuser has re-entered their own
/// password: the user, their sessions, links and mail go and their seat is
/// freed. Not oneself, not the last Superuser. Password attempts count
/// against the same per-client limit as sign-in. Returns to `view`.
#[server(endpoint = "delete_user")]
pub async fn delete_user(
    user: uuid::Uuid,
    password: crate::features::auth::types::Password,
    #[server(default)] view: String,
) -> Result<(), AppError> {
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::features::users::server::access::Admin;
    use crate::features::users::server::delete;
    use crate::features::users::types::UserListQuery;
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::DeleteUsers).await?;
        ctx.state.limits.password_attempt(ctx.client_ip).await?;
        let admin = Admin::of(&ctx, &actor);
        let name = delete::delete_user(&ctx.state.pool, &ctx.state.hasher, &admin, &password, user).await?;
        let back = UserListQuery::parse(&view).current_href();
        let separator = if back.contains('?') { '&' } else { '?' };
        let notice: String = form_urlencoded::Serializer::new(String::new()).append_pair("deleted", &name).finish();
        ctx.redirect(&format!("{back}{separator}{notice}"));
        Ok(())
    })
    .await
}

/// Edit → Save on a user's profile. The form carries the version it was
/// opened with; a save over someone else's newer one is refused (409).
#[server(endpoint = "edit_user")]
pub async fn edit_user(
    user: uuid::Uuid,
    #[server(default)] edit: crate::features::users::types::EditForm,
    #[server(default)] view: String,
) -> Result<(), AppError> {
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::features::users::server::access::Admin;
    use crate::features::users::server::edit;
    use crate::features::users::types::UserListQuery;
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::UserMenu).await?;
        let admin = Admin::of(&ctx, &actor);
        edit::edit_user(&ctx.state.pool, &admin, user, &edit, &ctx.base_url()).await?;
        ctx.redirect(&UserListQuery::parse(&view).href_with_panel(user, Some("saved")));
        Ok(())
    })
    .await
}

/// What an email-change link leads to. Public: the token is the
/// credential. Reading it changes nothing.
#[server(endpoint = "email_change_link")]
pub async fn email_change_link(token: String) -> Result<crate::features::users::types::EmailChangeLink, AppError> {
    use crate::features::users::server::email_change;
    use crate::server::respond::respond;
    respond(|ctx| async move {
        ctx.state.limits.link_request(ctx.client_ip).await?;
        email_change::inspect(&ctx.state.pool, &token).await
    })
    .await
}

/// Confirms a new email address (its owner clicks the button on the
/// link's page): it becomes the login at once, and the browser goes to the
/// sign-in page with it filled in. Public: the token is the credential.
#[server(endpoint = "confirm_email_change")]
pub async fn confirm_email_change(token: String) -> Result<(), AppError> {
    use crate::features::audit::server::Origin;
    use crate::features::users::server::email_change;
    use crate::server::respond::{path_segment, respond_on_page};
    let page = format!("/confirm-email/{}", path_segment(&token));
    respond_on_page(&page, |ctx| async move {
        ctx.state.limits.link_request(ctx.client_ip).await?;
        let email = email_change::confirm(&ctx.state.pool, &token, &Origin::of(&ctx, None)).await?;
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("email", &email)
            .append_pair("notice", "email_changed")
            .finish();
        ctx.redirect(&format!("/sign-in?{query}"));
        Ok(())
    })
    .await
}

/// Transfer Superuser: hands the role to an active user of the
/// organization (the acting Superuser re-enters their password); the old
/// Superuser becomes an Operator, or a Basic user. Sends them to their
/// account, as User Management is the Superuser's.
#[server(endpoint = "transfer_superuser")]
pub async fn transfer_superuser(
    user: uuid::Uuid,
    password: crate::features::auth::types::Password,
) -> Result<(), AppError> {
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::features::users::server::access::Admin;
    use crate::features::users::server::transfer;
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::TransferSuperuser).await?;
        ctx.state.limits.password_attempt(ctx.client_ip).await?;
        let admin = Admin::of(&ctx, &actor);
        transfer::transfer_superuser(&ctx.state.pool, &ctx.state.hasher, &admin, &password, user).await?;
        ctx.redirect("/account?notice=handed_over");
        Ok(())
    })
    .await
}
