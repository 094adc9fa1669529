use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::components::feedback::{ErrorAlert, ErrorState, LoadingState};
use crate::components::layout::CardPage;
use crate::components::form::{Field, NewPasswordField, SubmitButton, TimeZoneField, action_error, field_error};
use crate::features::invites::api::{ActivateAccount, activation_link};
use crate::features::invites::types::ActivationLink;
use crate::features::users::types::MAX_NAME_CHARS;

/// `/activate/<token>`: the link from the invitation email. Its state is
/// checked when the page opens, before anyone types a password.
#[component]
pub fn ActivatePage() -> impl IntoView {
    let token = use_params_map().with_untracked(|p| p.get("token").unwrap_or_default());
    let link = {
        let token = token.clone();
        Resource::new(|| (), move |_| activation_link(token.clone()))
    };
    view! {
        <CardPage>
                <Suspense fallback=|| view! { <LoadingState label="Checking your link…" /> }>
                    {move || {
                        let token = token.clone();
                        Suspend::new(async move {
                            match link.await {
                                Ok(ActivationLink::Valid { first_name, last_name, email, time_zone, organization, expires }) => view! {
                                    <ActivationForm token first_name last_name email time_zone organization expires />
                                }.into_any(),
                                Ok(other) => view! { <LinkProblem link=other /> }.into_any(),
                                Err(error) => view! { <ErrorState error /> }.into_any(),
                            }
                        })
                    }}
                </Suspense>
        </CardPage>
    }
}

#[component]
fn ActivationForm(
    token: String,
    first_name: String,
    last_name: String,
    email: String,
    time_zone: String,
    organization: String,
    expires: String,
) -> impl IntoView {
    let action = ServerAction::<ActivateAccount>::new();
    let error = action_error(action.value());
    let pending = action.pending();
    view! {
        <Title text="Activate your account" />
        <h1 id="auth-title">"Activate your account"</h1>
        <p class="lead">{format!("Join {organization} on Roster. You will sign in as {email}.")}</p>
        <ErrorAlert error />
        <ActionForm action>
            <input type="hidden" name="token" value=token />
            <div class="field-row">
                <Field label="First name" name="first_name" required=true max_chars=MAX_NAME_CHARS autocomplete="given-name" value=first_name error=field_error(error, "first_name") />
                <Field label="Last name" name="last_name" required=true max_chars=MAX_NAME_CHARS autocomplete="family-name" value=last_name error=field_error(error, "last_name") />
            </div>
            <TimeZoneField initial=time_zone error=field_error(error, "time_zone") />
            <NewPasswordField error=field_error(error, "password") />
            <Field label="Confirm password" name="password_confirmation" input_type="password" required=true autocomplete="new-password" error=field_error(error, "password_confirmation") />
            <p class="form-note">{format!("This link works once and expires on {expires}.")}</p>
            <SubmitButton label="Activate account" pending_label="Activating…" pending />
        </ActionForm>
    }
}

/// A clear page for each way a link can fail, never a stack trace.
#[component]
fn LinkProblem(link: ActivationLink) -> impl IntoView {
    let (title, message, sign_in) = match link {
        ActivationLink::Expired { organization } => (
            "This link has expired",
            format!("Activation links are valid for a limited time. Ask the admin of {organization} to resend your invitation; the new email has a fresh link."),
            false,
        ),
        ActivationLink::Used { organization } => (
            "This link has already been used",
            format!("Your account at {organization} is active. Sign in with your email and password."),
            true,
        ),
        ActivationLink::Replaced { organization } => (
            "This link has been replaced",
            format!("{organization} sent you a newer invitation. Use the link in the most recent email."),
            false,
        ),
        ActivationLink::Canceled { organization, admin } => (
            "This invitation was cancelled",
            match admin {
                Some(admin) => format!("{admin} cancelled your invitation to {organization}. Ask them if you should have access."),
                None => format!("Your invitation to {organization} was cancelled. Ask its admin if you should have access."),
            },
            false,
        ),
        ActivationLink::Unknown | ActivationLink::Valid { .. } => (
            "This link is not valid",
            "Check that you opened the whole address from the email. If it still does not work, ask your admin to resend the invitation.".to_owned(),
            false,
        ),
    };
    view! {
        <Title text=title />
        <h1 id="auth-title">{title}</h1>
        <p class="lead">{message}</p>
        {sign_in.then(|| view! { <a class="button button-primary button-block" href="/sign-in">"Sign in"</a> })}
    }
}
