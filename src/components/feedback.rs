//! Feedback states every page uses: errors, loading, empty.

use leptos::prelude::*;

use crate::error::AppError;

/// The error of a failed form submission or page load, as an alert at the
/// top of the form (field messages appear next to their fields as well).
#[component]
pub fn ErrorAlert(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().map(|error| {
            view! {
                <div class="alert alert-error" role="alert">
                    <span class="alert-icon" aria-hidden="true">"!"</span>
                    <span>{error.to_string()}</span>
                </div>
            }
        })
    }
}

/// The confirmation of something that worked, announced to screen readers.
#[component]
pub fn SuccessAlert(#[prop(into)] message: String) -> impl IntoView {
    view! {
        <div class="alert alert-success" role="status">
            <span class="alert-icon" aria-hidden="true">"✓"</span>
            <span>{message}</span>
        </div>
    }
}

/// A whole-area error with a way out.
#[component]
pub fn ErrorState(error: AppError) -> impl IntoView {
    let signed_out = matches!(error, AppError::Unauthorized);
    // The session ended while the page was open (signed out elsewhere, by an
    // admin, or disabled): in the browser, go where one signs in again, as a
    // full page load would. The message stays for the moment it takes.
    if signed_out {
        let navigate = leptos_router::hooks::use_navigate();
        Effect::new(move |_| navigate("/sign-in", Default::default()));
    }
    view! {
        <div class="state state-error" role="alert">
            <p class="state-title">{if signed_out { "Your session has ended." } else { "This could not be loaded." }}</p>
            <p>{error.to_string()}</p>
            {if signed_out {
                view! { <a class="button" href="/sign-in">"Sign in again"</a> }.into_any()
            } else {
                view! { <a class="button" href="">"Try again"</a> }.into_any()
            }}
        </div>
    }
}

#[component]
pub fn LoadingState(#[prop(into)] label: String) -> impl IntoView {
    view! {
        <div class="state state-loading" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            <span>{label}</span>
        </div>
    }
}
