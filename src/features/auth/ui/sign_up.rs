use leptos::prelude::*;

use super::AuthCard;
use crate::components::feedback::ErrorAlert;
use crate::components::form::{Field, NewPasswordField, SubmitButton, TimeZoneField, action_error, field_error};
use crate::components::server_form::{FormAction, ServerForm};
use crate::features::auth::api::SignUp;
use crate::features::auth::types::MAX_ORG_NAME_CHARS;
use crate::features::users::types::{MAX_EMAIL_CHARS, MAX_NAME_CHARS};

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
                    <Field label="Email" name="email" input_type="email" required=true max_chars=MAX_EMAIL_CHARS autocomplete="email" hint="You will sign in with this address." error=field_error(error, "email") />
                    <NewPasswordField error=field_error(error, "password") />
                </fieldset>
                <p class="form-note"><span aria-hidden="true">"* "</span>"Required fields are marked with an asterisk."</p>
                <SubmitButton label="Create organization" pending_label="Creating your organization…" pending />
            </ServerForm>
            <p class="auth-switch">"Already have an account? " <a href="/sign-in">"Sign in"</a></p>
        </AuthCard>
    }
}
