//! Password recovery pages: "Forgot password?", "Check your email", and the
//! recovery link's page where a new password is chosen.

use leptos::prelude::*;

use crate::components::link_page::link_page;

use super::AuthCard;
use crate::components::feedback::ErrorAlert;
use crate::components::form::{Field, NewPasswordWithConfirmation, SubmitButton, action_error, field_error};
use crate::components::layout::CardHeading;
use crate::components::server_form::{FormAction, ServerForm};
use crate::features::auth::api::{ForgotPassword, RecoverPassword, recovery_link};
use crate::features::auth::types::{RecoveryLink, RecoveryLinkState};
use crate::features::users::types::MAX_EMAIL_CHARS;

/// `/forgot-password`: the address to mail a recovery link to.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = FormAction::new::<ForgotPassword>();
    let error = action_error(action.value());
    let pending = action.pending();
    view! {
        <AuthCard title="Forgot your password?" lead="Enter the email you sign in with. If it belongs to an active account, we will email you a link to choose a new password.">
            <ErrorAlert error />
            <ServerForm action>
                <Field label="Email" name="email" input_type="email" required=true max_chars=MAX_EMAIL_CHARS autocomplete="username" error=field_error(error, "email") />
                <SubmitButton label="Send me a link" pending_label="Sending…" pending />
            </ServerForm>
            <p class="auth-switch">"Remembered it? " <a href="/sign-in">"Sign in"</a></p>
        </AuthCard>
    }
}

/// `/forgot-password/sent`: the same page whether or not the address has
/// an account.
#[component]
pub fn ForgotPasswordSentPage() -> impl IntoView {
    view! {
        <AuthCard title="Check your email" lead="If the address belongs to an active Roster account, a link to choose a new password is on its way.">
            <ul class="plain-list">
                <li>"The link works once and expires in one hour."</li>
                <li>"Nothing arrived within a few minutes? Check your spam folder, or ask your organization's admin to send you a link."</li>
            </ul>
            <p class="auth-switch"><a href="/sign-in">"Back to sign in"</a></p>
        </AuthCard>
    }
}

/// `/recover/<token>`: the link from a recovery (or lockout) mail. Its
/// state is checked when the page opens, before anyone types a password.
#[component]
pub fn RecoverPage() -> impl IntoView {
    link_page(recovery_link, |token, link: RecoveryLink| match link.state {
        RecoveryLinkState::Valid => view! { <ChooseNewPassword token link /> }.into_any(),
        state => view! { <RecoveryLinkProblem state /> }.into_any(),
    })
}

#[component]
fn ChooseNewPassword(token: String, link: RecoveryLink) -> impl IntoView {
    let action = FormAction::new::<RecoverPassword>();
    let error = action_error(action.value());
    let pending = action.pending();
    view! {
        <CardHeading title="Choose a new password" />
        <p class="lead">{format!(
            "For {} at {}. Setting it signs you out everywhere and unlocks your account if it was locked.",
            link.email, link.organization
        )}</p>
        <ErrorAlert error />
        <ServerForm action>
            <input type="hidden" name="token" value=token />
            // Lets password managers file the new password under the login.
            <input type="hidden" autocomplete="username" value=link.email.clone() />
            <NewPasswordWithConfirmation error label="New password" policy=link.password_policy />
            <p class="form-note">{format!("This link works once and expires on {}.", link.expires)}</p>
            <SubmitButton label="Set new password" pending_label="Setting your password…" pending />
        </ServerForm>
    }
}

/// A clear page for each way a recovery link can fail.
#[component]
fn RecoveryLinkProblem(state: RecoveryLinkState) -> impl IntoView {
    let (title, message) = match state {
        RecoveryLinkState::Expired => {
            ("This link has expired", "Recovery links work for one hour. Ask for a new one below.")
        }
        RecoveryLinkState::Used => {
            ("This link has been used", "Your new password is set. Sign in with it, or ask for a new link below.")
        }
        RecoveryLinkState::Replaced => (
            "This link has been replaced",
            "A newer link was sent since this one. Use the link in the most recent email, or ask for a new one.",
        ),
        RecoveryLinkState::Unknown | RecoveryLinkState::Valid => (
            "This link is not valid",
            "Check that you opened the whole address from the email, or ask for a new link below.",
        ),
    };
    view! {
        <CardHeading title />
        <p class="lead">{message}</p>
        <a class="button button-primary button-block" href="/forgot-password">"Ask for a new link"</a>
        <p class="auth-switch"><a href="/sign-in">"Back to sign in"</a></p>
    }
}
