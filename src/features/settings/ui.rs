//! `/settings/security`: the organization's Security settings.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::feedback::{ErrorAlert, ErrorState, LoadingState, SuccessAlert};
use crate::components::form::{SubmitButton, action_error, field_error};
use crate::components::layout::SettingsHead;
use crate::components::resource::server_resource;
use crate::components::server_form::{FormAction, ServerForm};
use crate::error::AppError;
use crate::features::auth::types::PasswordPolicy;
use crate::features::settings::api::{SaveSecuritySettings, load_security_settings};
use crate::features::settings::types::{
    AUDIT_RETENTION_DAYS, LOCKOUT_MINUTES, LOCKOUT_THRESHOLD, LOCKOUT_WINDOW_MINUTES, SecuritySettings,
};

#[component]
pub fn SecurityPage() -> impl IntoView {
    let action = FormAction::new::<SaveSecuritySettings>();
    let settings = server_resource(move || action.version().get(), |_| load_security_settings());
    let saved = move || use_query_map().with(|q| q.get("notice").as_deref() == Some("saved"));
    view! {
        <SettingsHead title="Security" />
        {move || (saved() || matches!(action.value().get(), Some(Ok(())))).then(|| view! {
            <SuccessAlert message="The security settings are saved." />
        })}
        <Suspense fallback=|| view! { <LoadingState label="Loading the settings…" /> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(settings) => view! { <SecuritySettingsForm settings action /> }.into_any(),
                    Err(error) => view! { <ErrorState error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A number input with its label, unit, range (as its hint) and error,
/// laid out like `Field`.
#[component]
fn NumberField(
    label: &'static str,
    name: &'static str,
    field: &'static str,
    value: i32,
    range: (i32, i32),
    unit: &'static str,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let id = format!("security-{field}");
    let (hint_id, error_id) = (format!("{id}-hint"), format!("{id}-error"));
    let message = field_error(error, field);
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || if message.get().is_some() { format!("{hint_id} {error_id}") } else { hint_id.clone() }
    };
    view! {
        <div class="field" class:field-invalid=move || message.get().is_some()>
            <div class="field-label"><label for=id.clone()>{label}</label></div>
            <span class="input-with-unit">
                <input
                    id=id
                    name=name
                    type="number"
                    inputmode="numeric"
                    required=true
                    min=range.0
                    max=range.1
                    value=value
                    aria-invalid=move || if message.get().is_some() { "true" } else { "false" }
                    aria-describedby=described_by
                />
                <span class="unit" aria-hidden="true">{unit}</span>
            </span>
            <p class="hint" id=hint_id>{format!("From {} to {} {unit}.", range.0, range.1)}</p>
            {move || message.get().map(|m| view! { <p class="field-error" id=error_id.clone()>{m}</p> })}
        </div>
    }
}

#[component]
fn SecuritySettingsForm(settings: SecuritySettings, action: FormAction<()>) -> impl IntoView {
    let error = action_error(action.value());
    let pending = action.pending();
    let timed = settings.lockout_minutes.is_some();
    view! {
        <ErrorAlert error />
        <ServerForm action>
            <section class="card form-card" aria-labelledby="lockout-title">
                <h2 id="lockout-title">"Automatic lockout"</h2>
                <p class="muted">"Failed sign-ins are counted per account. Reaching the limit within the window locks the account: its owner is mailed a link to choose a new password, and the row in User Management says \"Account is locked\" until it ends."</p>
                <NumberField label="Failed sign-ins before the lock" name="settings[lockout_threshold]" field="lockout_threshold" value=settings.lockout_threshold range=LOCKOUT_THRESHOLD unit="attempts" error />
                <NumberField label="Counted within" name="settings[lockout_window_minutes]" field="lockout_window_minutes" value=settings.lockout_window_minutes range=LOCKOUT_WINDOW_MINUTES unit="minutes" error />
                <fieldset class="form-section">
                    <legend>"The lock ends"</legend>
                    <label class="choice">
                        <input type="radio" name="settings[lockout_ends]" value="timed" checked=timed />
                        " After a time (set below)"
                    </label>
                    <label class="choice">
                        <input type="radio" name="settings[lockout_ends]" value="until_unlocked" checked=!timed />
                        " Only when an admin unlocks it, or its owner chooses a new password"
                    </label>
                    {move || field_error(error, "lockout_ends").get().map(|m| view! { <p class="field-error">{m}</p> })}
                </fieldset>
                <NumberField label="Lock duration" name="settings[lockout_minutes]" field="lockout_minutes" value=settings.lockout_minutes.unwrap_or(15) range=LOCKOUT_MINUTES unit="minutes" error />
            </section>
            <section class="card form-card" aria-labelledby="passwords-title">
                <h2 id="passwords-title">"Passwords"</h2>
                <p class="muted">"For every password chosen from now on (activation, recovery, change). Either way, the most common passwords and ones that are easy to guess from the person's name or address are refused."</p>
                <fieldset class="form-section">
                    <legend>"Password policy"</legend>
                    <label class="choice">
                        <input type="radio" name="settings[password_policy]" value="composition" checked=settings.password_policy == PasswordPolicy::Composition />
                        " At least 8 characters with an upper-case letter, a lower-case letter, a digit and a special character"
                    </label>
                    <label class="choice">
                        <input type="radio" name="settings[password_policy]" value="length" checked=settings.password_policy == PasswordPolicy::Length />
                        " At least 15 characters, no other rules (NIST SP 800-63B)"
                    </label>
                    {move || field_error(error, "password_policy").get().map(|m| view! { <p class="field-error">{m}</p> })}
                </fieldset>
            </section>
            <section class="card form-card" aria-labelledby="email-title">
                <h2 id="email-title">"Email addresses"</h2>
                <label class="choice">
                    <input type="checkbox" name="settings[email_editable]" value="on" checked=settings.email_editable />
                    " Admins may change a user's email address"
                </label>
                <p class="muted">"The new address takes effect only when its owner confirms it by a link mailed there; the old address is told. Off by default: an address is also the login."</p>
            </section>
            <section class="card form-card" aria-labelledby="audit-title">
                <h2 id="audit-title">"Audit log"</h2>
                <NumberField label="Keep entries for" name="settings[audit_retention_days]" field="audit_retention_days" value=settings.audit_retention_days range=AUDIT_RETENTION_DAYS unit="days" error />
                <p class="muted">"Older entries are removed in the background, a thousand at a time."</p>
            </section>
            <SubmitButton label="Save" pending_label="Saving…" pending />
        </ServerForm>
    }
}
