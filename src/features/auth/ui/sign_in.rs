use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::AuthCard;
use crate::components::feedback::{ErrorAlert, SuccessAlert};
use crate::components::form::{Field, SubmitButton, action_error, field_error};
use crate::components::server_form::{FormAction, ServerForm};
use crate::features::auth::api::SignIn;
use crate::features::users::types::MAX_EMAIL_CHARS;

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = FormAction::new::<SignIn>();
    let error = action_error(action.value());
    let pending = action.pending();
    let (next, email, notice) = use_query_map().with_untracked(|q| (q.get("next"), q.get("email"), q.get("notice")));
    let notice = match notice.as_deref() {
        Some("password_reset") => Some("Your new password is set and you were signed out everywhere. Sign in with it."),
        Some("email_changed") => Some("Your new email address is confirmed. Sign in with it from now on."),
        _ => None,
    };
    view! {
        <AuthCard title="Sign in" lead="Welcome back. Sign in to manage your organization's users.">
            {notice.map(|message| view! { <SuccessAlert message /> })}
            <ErrorAlert error />
            <ServerForm action>
                {next.map(|next| view! { <input type="hidden" name="next" value=next /> })}
                <Field label="Email" name="email" input_type="email" required=true max_chars=MAX_EMAIL_CHARS autocomplete="username" value=email.unwrap_or_default() error=field_error(error, "email") />
                <Field label="Password" name="password" input_type="password" required=true autocomplete="current-password" error=field_error(error, "password") />
                <p class="field-aside"><a href="/forgot-password">"Forgot password?"</a></p>
                <SubmitButton label="Sign in" pending_label="Signing in…" pending />
            </ServerForm>
            <p class="auth-switch">"New to Roster? " <a href="/sign-up">"Create an organization"</a></p>
        </AuthCard>
    }
}
