//! Settings › Additional data (the organization's own fields), and the
//! inputs of messenger accounts and of those fields that the invite dialog
//! and the edit form share, and how the profile shows them.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::feedback::{ErrorAlert, ErrorState, LoadingState, SuccessAlert};
use crate::components::form::{Field, action_error, field_error};
use crate::components::layout::SettingsHead;
use crate::components::resource::server_resource;
use crate::components::server_form::{FormAction, ServerForm};
use crate::error::AppError;
use crate::features::profile::api::{CreateCustomField, DeleteCustomField, list_custom_fields};
use crate::features::profile::types::{
    CustomField, FieldKind, FieldValue, MAX_FIELD_LABEL_CHARS, Messenger, MessengerKind,
};

#[component]
pub fn AdditionalDataPage() -> impl IntoView {
    let create = FormAction::new::<CreateCustomField>();
    let delete = FormAction::new::<DeleteCustomField>();
    let fields = server_resource(move || (create.version().get(), delete.version().get()), |_| list_custom_fields());
    let notice = move || {
        use_query_map().with(|q| match q.get("notice").as_deref() {
            Some("created") => Some("The field is added. It appears in the invite dialog and the edit form."),
            Some("deleted") => Some("The field is removed, with every user's value of it."),
            _ => None,
        })
    };
    let error = action_error(create.value());
    view! {
        <SettingsHead title="Additional data" lead="Fields of your own on every employee's profile (ELMA365's Additional data): text, a number, a date or a choice from a list. They appear in the invite dialog, the edit form and the profile." />
        {move || notice().map(|m| view! { <SuccessAlert message=m /> })}
        <ErrorAlert error=action_error(delete.value()) />
        <Suspense fallback=|| view! { <LoadingState label="Loading the fields…" /> }>
            {move || Suspend::new(async move {
                match fields.await {
                    Ok(list) if list.is_empty() => view! {
                        <div class="state state-empty card"><p class="state-title">"No fields yet."</p><p>"Add the first one below."</p></div>
                    }.into_any(),
                    Ok(list) => view! {
                        <div class="table-wrap">
                            <table class="data-table">
                                <caption class="visually-hidden">"Additional data fields"</caption>
                                <thead><tr><th scope="col">"Field"</th><th scope="col">"Type"</th><th scope="col">"Required"</th><th scope="col">"Action"</th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|field| {
                                        let kind = match field.kind {
                                            FieldKind::Choice => format!("{}: {}", field.kind.label(), field.choices.join(", ")),
                                            other => other.label().to_owned(),
                                        };
                                        view! {
                                            <tr>
                                                <td>{field.label.clone()}</td>
                                                <td class="cell-wrap">{kind}</td>
                                                <td>{if field.required { "Yes" } else { "No" }}</td>
                                                <td>
                                                    <ServerForm action=delete>
                                                        <input type="hidden" name="id" value=field.id.to_string() />
                                                        <button type="submit" class="button button-small button-danger-quiet" aria-label=format!("Remove the field {}", field.label)>"Remove"</button>
                                                    </ServerForm>
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                    Err(error) => view! { <ErrorState error /> }.into_any(),
                }
            })}
        </Suspense>
        <section class="card form-card narrow-form" aria-labelledby="new-field-title">
            <h2 id="new-field-title">"New field"</h2>
            <ErrorAlert error />
            <ServerForm action=create reset_on_success=true>
                <Field label="Name" name="label" required=true max_chars=MAX_FIELD_LABEL_CHARS autocomplete="off" error=field_error(error, "label") />
                <div class="field" class:field-invalid=move || field_error(error, "kind").get().is_some()>
                    <label for="field-kind">"Type"</label>
                    <select id="field-kind" name="kind">
                        {FieldKind::ALL.into_iter().map(|k| view! { <option value=k.param()>{k.label()}</option> }).collect_view()}
                    </select>
                    {move || field_error(error, "kind").get().map(|m| view! { <p class="field-error">{m}</p> })}
                </div>
                <div class="field" class:field-invalid=move || field_error(error, "choices").get().is_some()>
                    <div class="field-label"><label for="field-choices">"Options"</label><span class="optional">" (for a choice)"</span></div>
                    <textarea id="field-choices" name="choices" rows="4" aria-describedby="field-choices-hint"></textarea>
                    <p class="hint" id="field-choices-hint">"One option per line."</p>
                    {move || field_error(error, "choices").get().map(|m| view! { <p class="field-error">{m}</p> })}
                </div>
                <label class="choice"><input type="checkbox" name="required" value="on" />" Required: every invite and edit must fill it in"</label>
                <button type="submit" class="button button-primary" disabled=move || create.pending().get()>"Add field"</button>
            </ServerForm>
        </section>
    }
}

/// The inputs of "Additional data" and messenger accounts in a form whose
/// fields are named `<prefix>[fields][id-<uuid>]` and
/// `<prefix>[messengers][kind-N|handle-N]`.
#[component]
pub fn ProfileInputs(
    prefix: &'static str,
    fields: Vec<CustomField>,
    #[prop(optional)] values: Vec<FieldValue>,
    #[prop(optional)] messengers: Vec<Messenger>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let named_error = move |name: String| Signal::derive(move || error.get().and_then(|e| e.field_message(&name)));
    // The accounts there are, and one empty row to add another.
    let rows: Vec<Option<Messenger>> = messengers.into_iter().map(Some).chain(std::iter::once(None)).collect();
    view! {
        {(!fields.is_empty()).then(|| view! {
            <fieldset class="form-section">
                <legend>"Additional data"</legend>
                {fields.into_iter().map(|field| {
                    let id = format!("custom-{}", field.id);
                    let name = format!("{prefix}[fields][id-{}]", field.id);
                    let value = values.iter().find(|v| v.field_id == field.id).map(|v| v.value.clone()).unwrap_or_default();
                    let message = named_error(format!("field-{}", field.id));
                    let input = match field.kind {
                        FieldKind::Choice => view! {
                            <select id=id.clone() name=name>
                                <option value="">"—"</option>
                                {field.choices.iter().map(|c| view! { <option value=c.clone() selected=*c == value>{c.clone()}</option> }).collect_view()}
                            </select>
                        }.into_any(),
                        kind => {
                            let input_type = match kind { FieldKind::Number => "text", FieldKind::Date => "date", _ => "text" };
                            let mode = (kind == FieldKind::Number).then_some("decimal");
                            view! { <input id=id.clone() name=name type=input_type inputmode=mode maxlength="500" value=value aria-invalid=move || if message.get().is_some() { "true" } else { "false" } /> }.into_any()
                        }
                    };
                    view! {
                        <div class="field" class:field-invalid=move || message.get().is_some()>
                            <div class="field-label">
                                <label for=id>{field.label.clone()}</label>
                                {if field.required {
                                    view! { <span class="required" aria-hidden="true">" *"</span> }.into_any()
                                } else {
                                    view! { <span class="optional">" (optional)"</span> }.into_any()
                                }}
                            </div>
                            {input}
                            {move || message.get().map(|m| view! { <p class="field-error">{m}</p> })}
                        </div>
                    }
                }).collect_view()}
                {move || field_error(error, "fields").get().map(|m| view! { <p class="field-error">{m}</p> })}
            </fieldset>
        })}
        <fieldset class="form-section messengers">
            <legend>"Messengers and social accounts"</legend>
            {rows.into_iter().enumerate().map(|(n, account)| {
                let kind = account.as_ref().map(|a| a.kind);
                let handle = account.map(|a| a.handle).unwrap_or_default();
                let message = named_error(format!("messenger-{n}"));
                let (kind_id, handle_id) = (format!("messenger-kind-{n}"), format!("messenger-handle-{n}"));
                view! {
                    <div class="messenger-row" class:field-invalid=move || message.get().is_some()>
                        <label class="visually-hidden" for=kind_id.clone()>{format!("Service {}", n + 1)}</label>
                        <select id=kind_id name=format!("{prefix}[messengers][kind-{n}]")>
                            {MessengerKind::ALL.into_iter().map(|k| view! { <option value=k.param() selected=kind == Some(k)>{k.label()}</option> }).collect_view()}
                        </select>
                        <label class="visually-hidden" for=handle_id.clone()>{format!("Account {}", n + 1)}</label>
                        <input id=handle_id name=format!("{prefix}[messengers][handle-{n}]") maxlength="200" autocomplete="off" placeholder="@username, number or address" value=handle />
                        {move || message.get().map(|m| view! { <p class="field-error">{m}</p> })}
                    </div>
                }
            }).collect_view()}
            <p class="hint">"Leave an account empty to remove it. After saving, another empty row lets you add one more."</p>
            {move || field_error(error, "messengers").get().map(|m| view! { <p class="field-error">{m}</p> })}
        </fieldset>
    }
}

/// A user's accounts, each a link where the service has one.
#[component]
pub fn MessengerList(messengers: Vec<Messenger>) -> impl IntoView {
    if messengers.is_empty() {
        return view! { <span class="muted">"None"</span> }.into_any();
    }
    view! {
        <ul class="group-links">
            {messengers.into_iter().map(|m| {
                let text = format!("{}: {}", m.kind.label(), m.handle);
                match m.kind.link(&m.handle) {
                    Some(href) => view! { <li><a href=href rel="noopener noreferrer" target="_blank">{text}</a></li> }.into_any(),
                    None => view! { <li>{text}</li> }.into_any(),
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}
