//! Form fields with a label, the required marker, a hint and the error
//! message next to the field, wired for screen readers.

use leptos::prelude::*;

use crate::error::AppError;
use crate::features::auth::types::{PasswordPolicy, password_rules};

/// `on:change` for a select that applies its choice at once: submits the
/// select's form as its submit button would (so Leptos's `<Form>` navigates
/// without a reload). A handler rather than an `onchange` attribute, which
/// the Content-Security-Policy forbids; without JavaScript the form's own
/// button applies the choice.
pub fn submit_own_form(event: leptos::ev::Event) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let form = event.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()).and_then(|s| s.form());
        if let Some(form) = form {
            let _ = form.request_submit();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = event;
}

/// The error of a server action, if its last run failed.
pub fn action_error<O, S>(value: S) -> Signal<Option<AppError>>
where
    O: Send + Sync + Clone + 'static,
    S: Get<Value = Option<Result<O, AppError>>> + Send + Sync + 'static,
{
    Signal::derive(move || value.get().and_then(Result::err))
}

/// The message for field `name` from a form's error.
pub fn field_error(error: Signal<Option<AppError>>, name: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || error.get().and_then(|e| e.field_message(name)))
}

#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    /// The input's id, where two fields of one page share a `name`.
    #[prop(optional)]
    id: Option<&'static str>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] required: bool,
    /// Required or not depending on another choice of the form: marked as
    /// the choice stands, checked by the server only (a browser check could
    /// not follow the choice without JavaScript).
    #[prop(optional, into)]
    required_when: Option<Signal<bool>>,
    #[prop(optional)] max_chars: Option<usize>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional, into)] value: Option<String>,
    #[prop(optional)] list: Option<&'static str>,
    #[prop(optional)] node_ref: Option<NodeRef<leptos::html::Input>>,
    /// Called with the text as the user types.
    #[prop(optional, into)]
    on_input: Option<Callback<String>>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let id = id.map_or_else(|| format!("field-{name}"), str::to_owned);
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let hint_text = match (&hint, max_chars) {
        (Some(hint), _) => Some(hint.clone()),
        (None, Some(max)) => Some(format!("Up to {max} characters.")),
        (None, None) => None,
    };
    let described_by = {
        let hint_id = hint_id.clone();
        let error_id = error_id.clone();
        let has_hint = hint_text.is_some();
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let node_ref = node_ref.unwrap_or_default();
    // The required/optional markers sit outside <label>, so the field's
    // accessible name is exactly its label.
    view! {
        <div class="field" class:field-invalid=move || error.get().is_some()>
            <div class="field-label">
                <label for=id.clone()>{label}</label>
                {move || {
                    if required || required_when.is_some_and(|r| r.get()) {
                        view! { <span class="required" aria-hidden="true">" *"</span> }.into_any()
                    } else {
                        view! { <span class="optional">" (optional)"</span> }.into_any()
                    }
                }}
            </div>
            <input
                id=id
                name=name
                type=input_type
                required=required
                maxlength=max_chars
                autocomplete=autocomplete
                list=list
                value=value
                node_ref=node_ref
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=described_by
                on:input:target=move |ev| {
                    if let Some(on_input) = on_input {
                        on_input.run(ev.target().value());
                    }
                }
            />
            {hint_text.map(|hint| view! { <p class="hint" id=hint_id>{hint}</p> })}
            {children.map(|children| children())}
            {move || error.get().map(|message| view! { <p class="field-error" id=error_id.clone()>{message}</p> })}
        </div>
    }
}

/// A password field with ELPRO's policy shown rule by rule as the user types.
/// A new password with its live checklist, and its confirmation: wherever a
/// person chooses a password (activation, sign-up confirmation). The
/// fields are `password` and `password_confirmation`.
#[component]
pub fn NewPasswordWithConfirmation(
    error: Signal<Option<AppError>>,
    #[prop(default = "Password")] label: &'static str,
    /// The organization's policy (the checklist follows it).
    #[prop(optional)]
    policy: PasswordPolicy,
) -> impl IntoView {
    view! {
        <NewPasswordField label policy error=field_error(error, "password") />
        <Field label="Confirm password" name="password_confirmation" input_type="password" required=true autocomplete="new-password" error=field_error(error, "password_confirmation") />
    }
}

#[component]
pub fn NewPasswordField(
    #[prop(default = "Password")] label: &'static str,
    #[prop(default = "password")] name: &'static str,
    #[prop(optional)] policy: PasswordPolicy,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let password = RwSignal::new(String::new());
    view! {
        <Field
            label
            name
            input_type="password"
            required=true
            max_chars=crate::features::auth::types::MAX_PASSWORD_CHARS
            autocomplete="new-password"
            hint="Your password needs:"
            error
            on_input=Callback::new(move |v| password.set(v))
        >
            <ul class="checklist" aria-label="Password requirements">
                {move || {
                    password_rules(policy, &password.get())
                        .into_iter()
                        .map(|rule| {
                            view! {
                                <li class:met=rule.met>
                                    <span class="check" aria-hidden="true">{if rule.met { "✓" } else { "○" }}</span>
                                    {rule.label}
                                    <span class="visually-hidden">{if rule.met { " (met)" } else { " (not met yet)" }}</span>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </Field>
    }
}

/// An IANA time-zone picker: a text field searchable through the datalist of
/// every zone the server knows (`TimeZoneScript`, loaded once and cached). With JavaScript it starts at the browser's
/// zone (`prefer_browser_zone`), else at `initial`.
#[component]
pub fn TimeZoneField(
    #[prop(default = "time_zone")] name: &'static str,
    #[prop(into)] initial: String,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] prefer_browser_zone: bool,
) -> impl IntoView {
    let node_ref = NodeRef::<leptos::html::Input>::new();
    #[cfg(feature = "hydrate")]
    if prefer_browser_zone {
        let initial = initial.clone();
        Effect::new(move |_| {
            if let (Some(input), Some(zone)) = (node_ref.get(), browser_time_zone()) {
                if input.value() == initial {
                    input.set_value(&zone);
                }
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = prefer_browser_zone;
    view! {
        <Field
            label="Time zone"
            name
            required=true
            list="time-zone-options"
            autocomplete="off"
            value=initial
            hint="Start typing a city or region, e.g. Europe/Zurich."
            error
            node_ref
        />
    }
}

/// The browser's IANA zone, from `Intl.DateTimeFormat().resolvedOptions()`.
#[cfg(feature = "hydrate")]
fn browser_time_zone() -> Option<String> {
    let options = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new()).resolved_options();
    js_sys::Reflect::get(&options, &"timeZone".into()).ok()?.as_string()
}

/// A form's main button: disabled with a progress label while the action runs.
#[component]
pub fn SubmitButton(
    label: &'static str,
    pending_label: &'static str,
    #[prop(into)] pending: Signal<bool>,
) -> impl IntoView {
    view! {
        <button type="submit" class="button button-primary button-block" disabled=move || pending.get()>
            {move || if pending.get() { pending_label } else { label }}
        </button>
    }
}

/// The script that gives every `TimeZoneField` its suggestions (the
/// `<datalist>` of all IANA zone names; see `server::time_zones`). In the
/// server-rendered shell, outside the hydrated app.
#[component]
pub fn TimeZoneScript() -> impl IntoView {
    #[cfg(feature = "ssr")]
    let src = crate::server::time_zones::script_path();
    #[cfg(not(feature = "ssr"))]
    let src = "";
    view! { <script src=src defer nonce=leptos::nonce::use_nonce()></script> }
}
