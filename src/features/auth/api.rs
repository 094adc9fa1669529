//! Server functions for authentication. Each is a public endpoint
//! (`/api/<name>`); none takes a tenant from the client.

use leptos::prelude::*;

use crate::error::AppError;
use crate::features::auth::types::{CurrentUser, Password};

/// Creates an organization with the caller as its Superuser, signs them in
/// and sends them to User Management. Public: anyone may sign up.
#[server(endpoint = "sign_up")]
pub async fn sign_up(
    organization: String,
    time_zone: String,
    first_name: String,
    last_name: String,
    email: String,
    password: Password,
) -> Result<(), AppError> {
    use crate::features::auth::server::{session, sign_up};
    use crate::server::respond::respond;
    respond(|ctx| async move {
        ctx.state.limits.password_attempt(ctx.client_ip)?;
        let state = &ctx.state;
        let input = sign_up::SignUp { organization, time_zone, first_name, last_name, email, password };
        let auth = sign_up::sign_up(&state.pool, &state.hasher, state.config.default_seats, input).await?;
        session::begin(&ctx, auth).await?;
        ctx.redirect("/settings/users");
        Ok(())
    })
    .await
}

/// Public: checks the credentials and starts a session.
#[server(endpoint = "sign_in")]
pub async fn sign_in(email: String, password: Password, next: Option<String>) -> Result<(), AppError> {
    use crate::features::auth::server::{session, sign_in};
    use crate::features::auth::types::safe_next;
    use crate::server::respond::respond;
    respond(|ctx| async move {
        ctx.state.limits.password_attempt(ctx.client_ip)?;
        let auth = sign_in::sign_in(&ctx.state.pool, &ctx.state.hasher, &email, &password).await?;
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
    use crate::features::auth::server::session;
    use crate::server::respond::respond;
    respond(|ctx| async move {
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
