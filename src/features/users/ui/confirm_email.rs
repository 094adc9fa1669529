//! `/confirm-email/<token>`: the link mailed to a new address. Opening it
//! changes nothing (mail scanners open links); the button confirms.

use leptos::prelude::*;

use crate::components::link_page::link_page;

use crate::components::feedback::ErrorAlert;
use crate::components::form::{SubmitButton, action_error};
use crate::components::layout::CardHeading;
use crate::components::server_form::{FormAction, ServerForm};
use crate::features::users::api::{ConfirmEmailChange, email_change_link};
use crate::features::users::types::{EmailChangeLink, EmailChangeState};

#[component]
pub fn ConfirmEmailPage() -> impl IntoView {
    link_page(email_change_link, |token, link: EmailChangeLink| match link.state {
        EmailChangeState::Valid => view! { <ConfirmNewAddress token link /> }.into_any(),
        state => view! { <EmailLinkProblem state /> }.into_any(),
    })
}

#[component]
fn ConfirmNewAddress(token: String, link: EmailChangeLink) -> impl IntoView {
    let action = FormAction::new::<ConfirmEmailChange>();
    let error = action_error(action.value());
    let pending = action.pending();
    view! {
        <CardHeading title="Confirm your new email address" />
        <p class="lead">{format!(
            "Your Roster account at {} will use {} from now on: you sign in with it, and mail goes there.",
            link.organization, link.new_email
        )}</p>
        <ErrorAlert error />
        <ServerForm action>
            <input type="hidden" name="token" value=token />
            <SubmitButton label="Confirm new address" pending_label="Confirming…" pending />
        </ServerForm>
    }
}

#[component]
fn EmailLinkProblem(state: EmailChangeState) -> impl IntoView {
    let (title, message) = match state {
        EmailChangeState::Expired => (
            "This link has expired",
            "Links to confirm an address work for 24 hours. Ask your admin to change it again.",
        ),
        EmailChangeState::Used => ("This address is already confirmed", "Sign in with your new address."),
        EmailChangeState::Replaced => (
            "This link has been replaced",
            "A newer change was asked for since. Use the link in the most recent email.",
        ),
        EmailChangeState::Unknown | EmailChangeState::Valid => {
            ("This link is not valid", "Check that you opened the whole address from the email.")
        }
    };
    view! {
        <CardHeading title />
        <p class="lead">{message}</p>
        <a class="button button-primary button-block" href="/sign-in">"Sign in"</a>
    }
}
