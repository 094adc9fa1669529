//! `/settings/api-keys`: the keys the organization's other systems use to
//! ask Roster who may do what. A new key is shown once.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::feedback::{ErrorAlert, ErrorState, LoadingState, SuccessAlert};
use crate::components::form::{Field, action_error, field_error};
use crate::components::layout::SettingsHead;
use crate::components::resource::server_resource;
use crate::components::server_form::{FormAction, ServerForm};
use crate::features::api_keys::api::{CreateApiKey, RevokeApiKey, list_api_keys};
use crate::features::api_keys::types::{ApiKey, CreatedApiKey, MAX_KEY_NAME_CHARS};

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let create = FormAction::new::<CreateApiKey>();
    let revoke = FormAction::new::<RevokeApiKey>();
    let keys = server_resource(move || (create.version().get(), revoke.version().get()), |_| list_api_keys());
    let revoked = move || {
        use_query_map().with(|q| q.get("notice").as_deref() == Some("revoked"))
            || matches!(revoke.value().get(), Some(Ok(())))
    };
    let create_error = action_error(create.value());
    view! {
        <SettingsHead title="API keys" lead="Your other systems (sensors, reports, invoicing, alerting) use a key to ask Roster whether a person may do something and who holds a permission. The README shows the requests." />
        {move || revoked().then(|| view! { <SuccessAlert message="The key is revoked: requests with it are refused." /> })}
        <ErrorAlert error=action_error(revoke.value()) />
        <Suspense fallback=|| view! { <LoadingState label="Loading the keys…" /> }>
            {move || Suspend::new(async move {
                match keys.await {
                    Ok(page) => {
                        // Created just now: by this page's form (with
                        // JavaScript) or handed over by the server (without).
                        let created = match create.value().get() {
                            Some(Ok(created)) => Some(created),
                            _ => page.created,
                        };
                        view! {
                            {created.map(|created| view! { <NewKey created /> })}
                            <KeyList keys=page.keys revoke />
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorState error /> }.into_any(),
                }
            })}
        </Suspense>
        <section class="card form-card narrow-form" aria-labelledby="new-key-title">
            <h2 id="new-key-title">"Create a key"</h2>
            <ServerForm action=create>
                <Field label="Name" name="name" required=true max_chars=MAX_KEY_NAME_CHARS autocomplete="off"
                    hint="What will use it, e.g. \u{201c}Sensor alerts\u{201d}." error=field_error(create_error, "name") />
                <button type="submit" class="button button-primary" disabled=move || create.pending().get()>"Create key"</button>
            </ServerForm>
        </section>
    }
}

#[component]
fn NewKey(created: CreatedApiKey) -> impl IntoView {
    view! {
        <div class="alert alert-success new-key" role="status">
            <div>
                <p><strong>{format!("The key \u{201c}{}\u{201d} is ready. Copy it now: it is not shown again.", created.name)}</strong></p>
                <label class="field-label" for="new-key">"Key"</label>
                <input id="new-key" class="key-value" type="text" readonly=true value=created.key />
            </div>
        </div>
    }
}

#[component]
fn KeyList(keys: Vec<ApiKey>, revoke: FormAction<()>) -> impl IntoView {
    if keys.is_empty() {
        return view! {
            <div class="state state-empty card">
                <p class="state-title">"No API keys yet."</p>
                <p>"Create one below for each system that asks Roster."</p>
            </div>
        }
        .into_any();
    }
    view! {
        <div class="card table-wrap">
            <table class="data-table">
                <caption class="visually-hidden">"API keys"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Key"</th>
                        <th scope="col">"Created"</th>
                        <th scope="col">"Last used"</th>
                        <th scope="col">"Status"</th>
                    </tr>
                </thead>
                <tbody>
                    {keys.into_iter().map(|key| {
                        let name = key.name.clone();
                        view! {
                            <tr>
                                <td class="cell-wrap">{key.name}</td>
                                <td><code>{format!("{}…", key.prefix)}</code></td>
                                <td class="cell-wrap">{format!("{} by {}", key.created.local, key.created_by)}</td>
                                <td>{key.last_used.map(|t| t.local).unwrap_or_else(|| "Never".to_owned())}</td>
                                <td>
                                    {match key.revoked {
                                        Some(at) => view! { <span class="badge badge-off">{format!("Revoked {}", at.local)}</span> }.into_any(),
                                        None => view! {
                                            <ServerForm action=revoke>
                                                <input type="hidden" name="id" value=key.id.to_string() />
                                                <button type="submit" class="button button-small button-danger-quiet"
                                                    aria-label=format!("Revoke {name}")>"Revoke"</button>
                                            </ServerForm>
                                        }.into_any(),
                                    }}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
