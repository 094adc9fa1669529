//! Server functions for authentication. Each is a public endpoint
//! (`/api/<name>`); none takes a tenant from the client.

use leptos::prelude::*;

use crate::error::AppError;
use crate::features::auth::types::{CurrentUser, Password};

/// Step 1 of signing up: takes the organization and the registrant, and
/// mails a confirmation link (or, for an address that has an account, a
/// notice to its owner). Public; the answer is the same either way, so it
/// tells nobody whether an address is registered. Sends the browser to
/// "Check your email".
#[server(endpoint = "sign_up")]
pub async fn sign_up(
    organization: String,
    time_zone: String,
    first_name: String,
    last_name: String,
    email: String,
) -> Result<(), AppError> {
    use crate::features::auth::server::sign_up;
    use crate::server::respond::respond;
    respond(|ctx| async move {
        // It sends mail: limited per client like the other link endpoints.
        ctx.state.limits.link_request(ctx.client_ip)?;
        let input = sign_up::SignUpRequest { organization, time_zone, first_name, last_name, email };
        sign_up::request(&ctx.state.pool, &ctx.base_url(), input).await?;
        ctx.redirect("/sign-up/sent");
        Ok(())
    })
    .await
}

/// What a sign-up confirmation link leads to. Public: the token is the
/// credential. Reading it changes nothing.
#[server(endpoint = "sign_up_link")]
pub async fn sign_up_link(token: String) -> Result<crate::features::auth::types::SignUpLink, AppError> {
    use crate::features::auth::server::sign_up::inspect;
    use crate::server::respond::respond;
    respond(|ctx| async move {
        ctx.state.limits.link_request(ctx.client_ip)?;
        inspect(&ctx.state.pool, &token).await
    })
    .await
}

/// Step 2: the registrant chooses a password on the link's page; the
/// organization and its Superuser are created and signed in. Public: the
/// token is the credential.
#[server(endpoint = "confirm_sign_up")]
pub async fn confirm_sign_up(
    token: String,
    password: Password,
    password_confirmation: Password,
) -> Result<(), AppError> {
    use crate::features::auth::server::{session, sign_up};
    use crate::server::respond::respond_on_page;
    let page = sign_up_page(&token);
    respond_on_page(&page, |ctx| async move {
        ctx.state.limits.password_attempt(ctx.client_ip)?;
        let state = &ctx.state;
        let auth = sign_up::confirm(
            &state.pool,
            &state.hasher,
            state.config.default_seats,
            &token,
            &password,
            &password_confirmation,
            &crate::features::audit::server::Origin::of(&ctx, None),
        )
        .await?;
        session::begin(&ctx, auth).await?;
        ctx.redirect("/settings/users");
        Ok(())
    })
    .await
}

/// The page of a sign-up confirmation link, where its form returns to.
#[cfg(feature = "ssr")]
fn sign_up_page(token: &str) -> String {
    format!("/sign-up/confirm/{}", crate::server::respond::path_segment(token))
}

/// Public: checks the credentials and starts a session.
#[server(endpoint = "sign_in")]
pub async fn sign_in(email: String, password: Password, next: Option<String>) -> Result<(), AppError> {
    use crate::features::auth::server::{session, sign_in};
    use crate::features::auth::types::safe_next;
    use crate::server::respond::respond;
    respond(|ctx| async move {
        ctx.state.limits.password_attempt(ctx.client_ip)?;
        let origin = crate::features::audit::server::Origin::of(&ctx, None);
        let auth = sign_in::sign_in(&ctx.state.pool, &ctx.state.hasher, &email, &password, &origin).await?;
        session::begin(&ctx, auth).await?;
        ctx.redirect(&safe_next(next.as_deref()));
        Ok(())
    })
    .await
}

/// Signs out: deletes the session row, so the cookie is dead everywhere.
/// Without a session it does nothing and still lands on the sign-in page.
#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::features::audit::server::{Action, Entry, Origin, record};
    use crate::features::auth::server::guard::Actor;
    use crate::features::auth::server::session;
    use crate::server::respond::respond;
    respond(|ctx| async move {
        if let Some(actor) = Actor::current(&ctx).await? {
            let name = format!("{} {}", actor.first_name, actor.last_name);
            let entry = Entry::new(actor.org_id, Action::SignedOut).about(actor.user_id, &name);
            let mut conn = ctx.state.pool.acquire().await?;
            record(&mut conn, &Origin::of(&ctx, Some(&actor)), entry).await?;
        }
        session::end(&ctx).await?;
        ctx.redirect("/sign-in");
        Ok(())
    })
    .await
}

/// The signed-in user, or `None`. Pages use it to decide whether to show
/// themselves or send the visitor to the sign-in page.
#[server(endpoint = "current_user")]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    use crate::features::auth::server::guard::Actor;
    use crate::server::respond::respond;
    respond(|ctx| async move { Ok(Actor::current(&ctx).await?.map(|actor| actor.to_current_user())) }).await
}

/// Saves the signed-in user's own name and time zone.
#[server(endpoint = "update_profile")]
pub async fn update_profile(first_name: String, last_name: String, time_zone: String) -> Result<(), AppError> {
    use crate::features::audit::server::Origin;
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::features::auth::server::own_account;
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::OwnAccount).await?;
        let origin = Origin::of(&ctx, Some(&actor));
        own_account::update_profile(&ctx.state.pool, &actor, &origin, &first_name, &last_name, &time_zone).await?;
        ctx.redirect("/account?notice=profile_saved");
        Ok(())
    })
    .await
}

/// Changes the signed-in user's password (the current one first); every
/// other session of theirs ends and this one continues.
#[server(endpoint = "change_password")]
pub async fn change_password(
    current_password: Password,
    password: Password,
    password_confirmation: Password,
) -> Result<(), AppError> {
    use crate::features::audit::server::Origin;
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::features::auth::server::{own_account, session};
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::OwnAccount).await?;
        ctx.state.limits.password_attempt(ctx.client_ip)?;
        let origin = Origin::of(&ctx, Some(&actor));
        let state = &ctx.state;
        let auth = own_account::change_password(
            &state.pool,
            &state.hasher,
            &actor,
            &origin,
            &current_password,
            &password,
            &password_confirmation,
        )
        .await?;
        session::begin(&ctx, auth).await?;
        ctx.redirect("/account?notice=password_changed");
        Ok(())
    })
    .await
}
