//! Signing up: the form, "Check your email", and the confirmation link's
//! page where the registrant chooses a password.

use leptos::prelude::*;

use crate::components::link_page::link_page;

use super::AuthCard;
use crate::components::feedback::ErrorAlert;
use crate::components::form::{
    Field, NewPasswordWithConfirmation, SubmitButton, TimeZoneField, action_error, field_error,
};
use crate::components::layout::CardHeading;
use crate::components::server_form::{FormAction, ServerForm};
use crate::features::auth::api::{ConfirmSignUp, SignUp, sign_up_link};
use crate::features::auth::types::{MAX_ORG_NAME_CHARS, SignUpLink, SignUpLinkState};
use crate::features::users::types::{MAX_EMAIL_CHARS, MAX_NAME_CHARS};

/// `/sign-up`: the organization and who sets it up. The password comes
/// later, on the page the confirmation mail links to.
#[component]
pub fn SignUpPage() -> impl IntoView {
    let action = FormAction::new::<SignUp>();
    let error = action_error(action.value());
    let pending = action.pending();
    view! {
        <AuthCard title="Create your organization" lead="Set up Roster for your organization. You will be its Superuser.">
            <ErrorAlert error />
            <ServerForm action>
                <fieldset class="form-section">
                    <legend>"Organization"</legend>
                    <Field label="Organization name" name="organization" required=true max_chars=MAX_ORG_NAME_CHARS autocomplete="organization" error=field_error(error, "organization") />
                    <TimeZoneField initial="UTC" prefer_browser_zone=true error=field_error(error, "time_zone") />
                </fieldset>
                <fieldset class="form-section">
                    <legend>"You"</legend>
                    <div class="field-row">
                        <Field label="First name" name="first_name" required=true max_chars=MAX_NAME_CHARS autocomplete="given-name" error=field_error(error, "first_name") />
                        <Field label="Last name" name="last_name" required=true max_chars=MAX_NAME_CHARS autocomplete="family-name" error=field_error(error, "last_name") />
                    </div>
                    <Field label="Email" name="email" input_type="email" required=true max_chars=MAX_EMAIL_CHARS autocomplete="email" hint="We will email you a link to confirm it. You will sign in with this address." error=field_error(error, "email") />
                </fieldset>
                <p class="form-note"><span aria-hidden="true">"* "</span>"Required fields are marked with an asterisk."</p>
                <SubmitButton label="Continue" pending_label="Sending the link…" pending />
            </ServerForm>
            <p class="auth-switch">"Already have an account? " <a href="/sign-in">"Sign in"</a></p>
        </AuthCard>
    }
}

/// `/sign-up/sent`: the same page whether or not the address has an
/// account (it names no address, so it tells nothing).
#[component]
pub fn SignUpSentPage() -> impl IntoView {
    view! {
        <AuthCard title="Check your email" lead="We sent a link to the address you entered. Open it to choose your password and create your organization.">
            <ul class="plain-list">
                <li>"The link works once and expires in 24 hours."</li>
                <li>"Nothing arrived within a few minutes? Check your spam folder, or sign up again for a new link."</li>
            </ul>
            <p class="auth-switch">"Already have an account? " <a href="/sign-in">"Sign in"</a></p>
        </AuthCard>
    }
}

/// `/sign-up/confirm/<token>`: the link from the confirmation mail. Its
/// state is checked when the page opens, before anyone types a password.
#[component]
pub fn ConfirmSignUpPage() -> impl IntoView {
    link_page(sign_up_link, |token, link: SignUpLink| match link.state {
        SignUpLinkState::Valid => view! { <ChoosePassword token link /> }.into_any(),
        _ => view! { <SignUpLinkProblem link /> }.into_any(),
    })
}

#[component]
fn ChoosePassword(token: String, link: SignUpLink) -> impl IntoView {
    let action = FormAction::new::<ConfirmSignUp>();
    let error = action_error(action.value());
    let pending = action.pending();
    view! {
        <CardHeading title=format!("Create {}", link.organization) />
        <p class="lead">{format!(
            "Your address is confirmed. Choose a password to create {} on Roster; you will be its Superuser and sign in as {}.",
            link.organization, link.email
        )}</p>
        <ErrorAlert error />
        <ServerForm action>
            <input type="hidden" name="token" value=token />
            // Lets password managers file the new password under the login.
            <input type="hidden" autocomplete="username" value=link.email.clone() />
            <NewPasswordWithConfirmation error />
            <p class="form-note">{format!("This link works once and expires on {}.", link.expires)}</p>
            <SubmitButton label="Create organization" pending_label="Creating your organization…" pending />
        </ServerForm>
    }
}

/// A clear page for each way a confirmation link can fail.
#[component]
fn SignUpLinkProblem(link: SignUpLink) -> impl IntoView {
    let (title, message, sign_in) = match link.state {
        SignUpLinkState::Expired => (
            "This link has expired",
            "Confirmation links work for 24 hours. Sign up again to get a new one.".to_owned(),
            false,
        ),
        SignUpLinkState::Used => (
            "This organization already exists",
            format!("{} has been created with this link. Sign in with your email and password.", link.organization),
            true,
        ),
        SignUpLinkState::Replaced => (
            "This link has been replaced",
            "You signed up again since this mail was sent. Use the link in the most recent email.".to_owned(),
            false,
        ),
        SignUpLinkState::Unknown | SignUpLinkState::Valid => (
            "This link is not valid",
            "Check that you opened the whole address from the email, or sign up again.".to_owned(),
            false,
        ),
    };
    view! {
        <CardHeading title />
        <p class="lead">{message}</p>
        {if sign_in {
            view! { <a class="button button-primary button-block" href="/sign-in">"Sign in"</a> }.into_any()
        } else {
            view! { <a class="button button-primary button-block" href="/sign-up">"Sign up again"</a> }.into_any()
        }}
    }
}
