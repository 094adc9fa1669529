use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::feedback::{ErrorAlert, ErrorState, LoadingState, SuccessAlert};
use crate::components::form::{
    Field, NewPasswordWithConfirmation, SubmitButton, TimeZoneField, action_error, field_error,
};
use crate::components::layout::{SettingsHead, signed_in_user};
use crate::components::server_form::{FormAction, ServerForm};
use crate::error::AppError;
use crate::features::access::ui::MyAccess;
use crate::features::auth::api::{ChangePassword, UpdateProfile};
use crate::features::auth::types::CurrentUser;
use crate::features::auth::ui::SignedInUser;
use crate::features::users::types::MAX_NAME_CHARS;

/// `/account`: your own profile (name, time zone) and password. Where Basic
/// and Operator users land. Rendered inside the settings layout, which has
/// loaded the signed-in user.
#[component]
pub fn AccountPage() -> impl IntoView {
    let params = use_query_map();
    let saved = move || match params.with(|p| p.get("notice")).as_deref() {
        Some("profile_saved") => Some("Your profile is saved."),
        Some("password_changed") => {
            Some("Your password is changed. Everywhere else you were signed in has been signed out.")
        }
        Some("handed_over") => Some("You handed over the Superuser role. Your role now is shown below."),
        _ => None,
    };
    view! {
        <SettingsHead title="Your account" />
        {move || saved().map(|message| view! { <SuccessAlert message /> })}
        <Transition fallback=|| view! { <LoadingState label="Loading your profile…" /> }>
            {move || {
                let me = signed_in_user();
                Suspend::new(async move {
                    match me.await {
                        Some(user) => view! {
                            <div class="account-grid">
                                <ProfileForm user=user.clone() />
                                <PasswordForm policy=user.password_policy />
                            </div>
                        }.into_any(),
                        None => view! { <ErrorState error=AppError::Unauthorized /> }.into_any(),
                    }
                })
            }}
        </Transition>
        // Outside the Transition: it loads its own data, once.
        <MyAccess />
    }
}

#[component]
fn ProfileForm(user: CurrentUser) -> impl IntoView {
    let action = FormAction::new::<UpdateProfile>();
    let error = action_error(action.value());
    let pending = action.pending();
    // The name in the top bar and the times everywhere follow the saved
    // profile: the layout loads the signed-in user again.
    if let Some(SignedInUser(me)) = use_context::<SignedInUser>() {
        let value = action.value();
        Effect::new(move |_| {
            if matches!(value.get(), Some(Ok(_))) {
                me.refetch();
            }
        });
    }
    view! {
        <section class="card form-card" aria-labelledby="profile-title">
            <h2 id="profile-title">"Profile"</h2>
            <dl class="facts">
                <dt>"Email"</dt><dd>{user.email.clone()}</dd>
                <dt>"Organization"</dt><dd>{user.organization.clone()}</dd>
                <dt>"Role"</dt><dd>{user.role.label()}</dd>
            </dl>
            <ErrorAlert error />
            <ServerForm action>
                <div class="field-row">
                    <Field label="First name" name="first_name" required=true max_chars=MAX_NAME_CHARS autocomplete="given-name" value=user.first_name.clone() error=field_error(error, "first_name") />
                    <Field label="Last name" name="last_name" required=true max_chars=MAX_NAME_CHARS autocomplete="family-name" value=user.last_name.clone() error=field_error(error, "last_name") />
                </div>
                <Field label="Mobile phone" name="mobile_phone" input_type="tel" autocomplete="tel" value=user.mobile_phone.clone().unwrap_or_default() hint="With its country code, e.g. +41 79 123 45 67." error=field_error(error, "mobile_phone") />
                <TimeZoneField initial=user.time_zone.clone() error=field_error(error, "time_zone") />
                <SubmitButton label="Save profile" pending_label="Saving…" pending />
            </ServerForm>
        </section>
    }
}

#[component]
fn PasswordForm(policy: crate::features::auth::types::PasswordPolicy) -> impl IntoView {
    let action = FormAction::new::<ChangePassword>();
    let error = action_error(action.value());
    let pending = action.pending();
    view! {
        <section class="card form-card" aria-labelledby="password-title">
            <h2 id="password-title">"Change password"</h2>
            <p class="muted">"You stay signed in here; everywhere else you are signed out. We mail you that it changed."</p>
            <ErrorAlert error />
            <ServerForm action>
                <Field label="Current password" name="current_password" input_type="password" required=true autocomplete="current-password" error=field_error(error, "current_password") />
                <NewPasswordWithConfirmation error label="New password" policy />
                <SubmitButton label="Change password" pending_label="Changing…" pending />
            </ServerForm>
        </section>
    }
}
