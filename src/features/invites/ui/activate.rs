use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::feedback::{ErrorAlert, ErrorState, LoadingState, SuccessAlert};
use crate::components::form::{
    Field, NewPasswordWithConfirmation, SubmitButton, TimeZoneField, action_error, field_error,
};
use crate::components::layout::{CardHeading, CardPage};
use crate::components::resource::server_resource;
use crate::components::server_form::{FormAction, ServerForm};
use crate::features::invites::api::{ActivateAccount, RequestNewLink, activation_link};
use crate::features::invites::types::ActivationLink;
use crate::features::users::types::MAX_NAME_CHARS;

/// `/activate/<token>`: the link from the invitation email. Its state is
/// checked when the page opens, before anyone types a password.
#[component]
pub fn ActivatePage() -> impl IntoView {
    let token = use_params_map().with_untracked(|p| p.get("token").unwrap_or_default());
    // Set after "Send me a new link" (the redirect names the address). The
    // link is looked up again when it changes: it has just been replaced.
    let query = use_query_map();
    let sent_to = Memo::new(move |_| query.with(|p| p.get("sent")));
    let link = {
        let token = token.clone();
        server_resource(move || sent_to.get(), move |_| activation_link(token.clone()))
    };
    view! {
        <CardPage>
                <Suspense fallback=|| view! { <LoadingState label="Checking your link…" /> }>
                    {move || {
                        let token = token.clone();
                        Suspend::new(async move {
                            let sent_to = sent_to.get();
                            match link.await {
                                Ok(ActivationLink::Valid { first_name, last_name, email, time_zone, organization, expires, password_policy }) => view! {
                                    <ActivationForm token first_name last_name email time_zone organization expires password_policy />
                                }.into_any(),
                                Ok(ActivationLink::Expired { organization }) => view! {
                                    <ExpiredLink token organization />
                                }.into_any(),
                                Ok(ActivationLink::Replaced { .. }) if sent_to.is_some() => view! {
                                    <NewLinkSent email=sent_to.unwrap_or_default() />
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
    password_policy: crate::features::auth::types::PasswordPolicy,
) -> impl IntoView {
    let action = FormAction::new::<ActivateAccount>();
    let error = action_error(action.value());
    let pending = action.pending();
    view! {
        <CardHeading title="Activate your account" />
        <p class="lead">{format!("Join {organization} on Roster. You will sign in as {email}.")}</p>
        <ErrorAlert error />
        <ServerForm action>
            <input type="hidden" name="token" value=token />
            <div class="field-row">
                <Field label="First name" name="first_name" required=true max_chars=MAX_NAME_CHARS autocomplete="given-name" value=first_name error=field_error(error, "first_name") />
                <Field label="Last name" name="last_name" required=true max_chars=MAX_NAME_CHARS autocomplete="family-name" value=last_name error=field_error(error, "last_name") />
            </div>
            <TimeZoneField initial=time_zone error=field_error(error, "time_zone") />
            <NewPasswordWithConfirmation error policy=password_policy />
            <p class="form-note">{format!("This link works once and expires on {expires}.")}</p>
            <SubmitButton label="Activate account" pending_label="Activating…" pending />
        </ServerForm>
    }
}

/// An expired link: the invited person gets a fresh one by mail without
/// waiting for an admin (the old link stays dead).
#[component]
fn ExpiredLink(token: String, organization: String) -> impl IntoView {
    let action = FormAction::new::<RequestNewLink>();
    let error = action_error(action.value());
    let pending = action.pending();
    view! {
        <CardHeading title="This link has expired" />
        <p class="lead">{format!(
            "Activation links are valid for a limited time. We can email you a new link to join {organization}; it replaces this one."
        )}</p>
        <ErrorAlert error />
        <ServerForm action>
            <input type="hidden" name="token" value=token />
            <SubmitButton label="Send me a new link" pending_label="Sending…" pending />
        </ServerForm>
    }
}

/// After "Send me a new link".
#[component]
fn NewLinkSent(email: String) -> impl IntoView {
    view! {
        <CardHeading title="Check your email" />
        <SuccessAlert message=format!("We sent a new activation link to {email}.") />
        <p class="lead">"Open the newest email and use its link; this one no longer works. If nothing arrives within a few minutes, check your spam folder or ask your admin."</p>
    }
}

/// A clear page for each way a link can fail, never a stack trace.
#[component]
fn LinkProblem(link: ActivationLink) -> impl IntoView {
    let (title, message, sign_in) = match link {
        ActivationLink::Expired { organization } => (
            "This link has expired",
            format!("Activation links are valid for a limited time. Ask the admin of {organization} to resend your invitation."),
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
        <CardHeading title />
        <p class="lead">{message}</p>
        {sign_in.then(|| view! { <a class="button button-primary button-block" href="/sign-in">"Sign in"</a> })}
    }
}
