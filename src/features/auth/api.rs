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
        ctx.state.limits.link_request(ctx.client_ip).await?;
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
        ctx.state.limits.link_request(ctx.client_ip).await?;
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
        ctx.state.limits.password_attempt(ctx.client_ip).await?;
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
        ctx.state.limits.password_attempt(ctx.client_ip).await?;
        let origin = crate::features::audit::server::Origin::of(&ctx, None);
        let state = &ctx.state;
        let auth = sign_in::sign_in(&state.pool, &state.hasher, &email, &password, &origin, &ctx.base_url()).await;
        let result = match &auth {
            Ok(_) => "success",
            Err(AppError::InvalidCredentials) => "failure",
            Err(AppError::Busy { .. }) => "busy",
            Err(_) => "error",
        };
        metrics::counter!(crate::server::metrics::SIGN_INS, "result" => result).increment(1);
        session::begin(&ctx, auth?).await?;
        ctx.redirect(&safe_next(next.as_deref()));
        Ok(())
    })
    .await
}

/// "Forgot password?": always answers "Check your email" at once; a
/// recovery link is mailed afterwards if the address has an active account
/// (at most 3 an hour), so neither the answer nor its timing tells whether
/// it has. Limited per client like the other link endpoints.
#[server(endpoint = "forgot_password")]
pub async fn forgot_password(email: String) -> Result<(), AppError> {
    use crate::features::audit::server::Origin;
    use crate::features::auth::server::recovery;
    use crate::server::respond::respond;
    respond(|ctx| async move {
        ctx.state.limits.link_request(ctx.client_ip).await?;
        let (pool, base_url, origin) = (ctx.state.pool.clone(), ctx.base_url(), Origin::of(&ctx, None));
        tokio::spawn(async move {
            if let Err(error) = recovery::request(&pool, &email, &base_url, &origin).await {
                tracing::error!(?error, "could not handle a password recovery request");
            }
        });
        ctx.redirect("/forgot-password/sent");
        Ok(())
    })
    .await
}

/// What a password recovery link leads to. Public: the token is the
/// credential. Reading it changes nothing.
#[server(endpoint = "recovery_link")]
pub async fn recovery_link(token: String) -> Result<crate::features::auth::types::RecoveryLink, AppError> {
    use crate::features::auth::server::recovery;
    use crate::server::respond::respond;
    respond(|ctx| async move {
        ctx.state.limits.link_request(ctx.client_ip).await?;
        recovery::inspect(&ctx.state.pool, &token).await
    })
    .await
}

/// Sets a new password with a recovery link: every session of the user
/// ends, a lockout is cleared, and the browser lands on the sign-in page
/// with the email filled in. Public: the token is the credential.
#[server(endpoint = "recover_password")]
pub async fn recover_password(
    token: String,
    password: Password,
    password_confirmation: Password,
) -> Result<(), AppError> {
    use crate::features::audit::server::Origin;
    use crate::features::auth::server::recovery;
    use crate::server::respond::{path_segment, respond_on_page};
    let page = format!("/recover/{}", path_segment(&token));
    respond_on_page(&page, |ctx| async move {
        ctx.state.limits.password_attempt(ctx.client_ip).await?;
        let state = &ctx.state;
        let origin = Origin::of(&ctx, None);
        let email =
            recovery::recover(&state.pool, &state.hasher, &token, &password, &password_confirmation, &origin).await?;
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("email", &email)
            .append_pair("notice", "password_reset")
            .finish();
        ctx.redirect(&format!("/sign-in?{query}"));
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

/// Saves the signed-in user's own name, time zone and mobile phone.
#[server(endpoint = "update_profile")]
pub async fn update_profile(
    first_name: String,
    last_name: String,
    time_zone: String,
    #[server(default)] mobile_phone: String,
) -> Result<(), AppError> {
    use crate::features::audit::server::Origin;
    use crate::features::auth::server::guard::{Actor, Permission};
    use crate::features::auth::server::own_account;
    use crate::server::respond::respond;
    respond(|ctx| async move {
        let actor = Actor::require(&ctx, Permission::OwnAccount).await?;
        let origin = Origin::of(&ctx, Some(&actor));
        let pool = &ctx.state.pool;
        own_account::update_profile(pool, &actor, &origin, &first_name, &last_name, &time_zone, &mobile_phone).await?;
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
        ctx.state.limits.password_attempt(ctx.client_ip).await?;
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
