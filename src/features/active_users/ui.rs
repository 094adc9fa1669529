//! `/settings/active-users`: who is signed in now. The list refreshes itself
//! every few seconds while open; "Sign out" and "Sign out everywhere" work
//! without JavaScript too.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::feedback::{ErrorAlert, ErrorState, LoadingState, SuccessAlert};
use crate::components::form::action_error;
use crate::components::layout::SettingsHead;
use crate::components::polling::refresh_while;
use crate::components::resource::server_resource;
use crate::components::server_form::{FormAction, ServerForm};
use crate::features::active_users::api::{EndSession, SignOutEverywhere, active_sessions};
use crate::features::active_users::types::{ACTIVE_MINUTES, ActiveSession};

#[component]
pub fn ActiveUsersPage() -> impl IntoView {
    let end = FormAction::new::<EndSession>();
    let everywhere = FormAction::new::<SignOutEverywhere>();
    let sessions = server_resource(move || (end.version().get(), everywhere.version().get()), |_| active_sessions());
    // Live while open: who came, who left, how long ago.
    refresh_while(|| true, move || sessions.refetch());
    let query = use_query_map();
    let notice = move || {
        let from_url = |key: &str| query.with(|q| q.get(key));
        if let Some(Ok(name)) = end.value().get() {
            return Some(signed_out_message(&name));
        }
        if let Some(Ok(name)) = everywhere.value().get() {
            return Some(everywhere_message(&name));
        }
        from_url("signed_out")
            .map(|n| signed_out_message(&n))
            .or_else(|| from_url("signed_out_everywhere").map(|n| everywhere_message(&n)))
    };
    let error =
        Signal::derive(move || action_error(end.value()).get().or_else(|| action_error(everywhere.value()).get()));
    view! {
        <SettingsHead title="Active users" lead="Who is signed in now: every session used within the last five minutes, with its browser and address. The list updates itself while it is open." />
        {move || notice().map(|message| view! { <SuccessAlert message /> })}
        <ErrorAlert error />
        <Transition fallback=|| view! { <LoadingState label="Loading the active sessions…" /> }>
            {move || Suspend::new(async move {
                match sessions.await {
                    Ok(list) if list.is_empty() => view! {
                        <div class="card state state-empty">
                            <p class="state-title">"Nobody is signed in right now."</p>
                            <p>{format!("A session shows here while it is used, and for {ACTIVE_MINUTES} minutes after.")}</p>
                        </div>
                    }.into_any(),
                    Ok(list) => view! { <SessionTable list end everywhere /> }.into_any(),
                    Err(error) => view! { <ErrorState error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn signed_out_message(name: &str) -> String {
    format!("{name}'s session is signed out: its next click opens the sign-in page.")
}

fn everywhere_message(name: &str) -> String {
    format!("{name} is signed out everywhere: every browser of theirs opens the sign-in page at its next click.")
}

#[component]
fn SessionTable(list: Vec<ActiveSession>, end: FormAction<String>, everywhere: FormAction<String>) -> impl IntoView {
    let count = list.len();
    view! {
        <div class="card table-wrap">
            <table class="data-table active-sessions">
                <caption class="visually-hidden">"Active sessions"</caption>
                <thead>
                    <tr>
                        <th scope="col">"User"</th>
                        <th scope="col">"Last activity"</th>
                        <th scope="col">"Signed in"</th>
                        <th scope="col">"Browser"</th>
                        <th scope="col">"Address"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {list.into_iter().map(|s| {
                        let name = s.name.clone();
                        view! {
                            <tr>
                                <th scope="row">
                                    <span class="permission-name">{s.name.clone()}</span>
                                    {s.current.then(|| view! { " " <span class="role-tag">"This session"</span> })}
                                    <span class="hint">{s.email.clone()}</span>
                                </th>
                                <td><time datetime=s.last_seen.iso.clone() title=s.last_seen.local.clone()>{s.last_seen_ago.clone()}</time></td>
                                <td><time datetime=s.signed_in.iso.clone()>{s.signed_in.local.clone()}</time></td>
                                <td>{s.browser.clone()}</td>
                                <td>{s.address.clone().unwrap_or_else(|| "—".to_owned())}</td>
                                <td class="cell-actions">
                                    <ServerForm action=end>
                                        <input type="hidden" name="session" value=s.handle.to_string() />
                                        <button type="submit" class="button button-small" disabled=move || end.pending().get()
                                            aria-label=format!("Sign out {name} ({})", s.browser)>"Sign out"</button>
                                    </ServerForm>
                                    <ServerForm action=everywhere>
                                        <input type="hidden" name="user" value=s.user_id.to_string() />
                                        <button type="submit" class="button button-small button-danger-quiet" disabled=move || everywhere.pending().get()
                                            aria-label=format!("Sign out {} everywhere", s.name)>"Sign out everywhere"</button>
                                    </ServerForm>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <p class="muted">{format!("{count} active {}", if count == 1 { "session" } else { "sessions" })}</p>
    }
}
