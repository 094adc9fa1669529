//! `/settings/audit`: the organization's audit log, newest first, with
//! filters in the URL (so they work without JavaScript and can be shared).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::components::feedback::{ErrorState, LoadingState};
use crate::components::resource::server_resource;
use crate::features::audit::api::list_audit;
use crate::features::audit::types::{AUDIT_ACTIONS, AuditPage, AuditQuery, AuditRow};

#[component]
pub fn AuditPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| {
        params.with(|p| AuditQuery {
            action: p.get("action").unwrap_or_default(),
            actor: p.get("actor").unwrap_or_default(),
            subject: p.get("subject").unwrap_or_default(),
            from: p.get("from").unwrap_or_default(),
            to: p.get("to").unwrap_or_default(),
            after: p.get("after").unwrap_or_default(),
        })
    });
    let page = server_resource(move || query.get(), list_audit);
    view! {
        <Title text="Audit log" />
        <div class="page-header">
            <div>
                <h1>"Audit log"</h1>
                <p class="lead">"Who did what in your organization, newest first. Entries are kept as they were written and cannot be changed."</p>
            </div>
        </div>
        <Form method="GET" action="/settings/audit" attr:class="toolbar toolbar-wide" attr:role="search">
            {move || query.with(|q| (!q.actor.is_empty()).then(|| view! { <input type="hidden" name="actor" value=q.actor.clone() /> }))}
            {move || query.with(|q| (!q.subject.is_empty()).then(|| view! { <input type="hidden" name="subject" value=q.subject.clone() /> }))}
            <label for="audit-action" class="toolbar-label">"Action"</label>
            <select id="audit-action" name="action">
                <option value="" selected=move || query.with(|q| q.action.is_empty())>"All actions"</option>
                {AUDIT_ACTIONS.iter().map(|(key, label)| view! {
                    <option value=*key selected=move || query.with(|q| q.action == *key)>{*label}</option>
                }).collect_view()}
            </select>
            <label for="audit-from" class="toolbar-label">"From"</label>
            <input id="audit-from" name="from" type="date" prop:value=move || query.with(|q| q.from.clone()) value=move || query.with(|q| q.from.clone()) />
            <label for="audit-to" class="toolbar-label">"To"</label>
            <input id="audit-to" name="to" type="date" prop:value=move || query.with(|q| q.to.clone()) value=move || query.with(|q| q.to.clone()) />
            <button type="submit" class="button">"Filter"</button>
        </Form>
        <Transition fallback=|| view! { <LoadingState label="Loading the audit log…" /> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <AuditTable page query=query.get_untracked() /> }.into_any(),
                    Err(error) => view! { <ErrorState error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn AuditTable(page: AuditPage, query: AuditQuery) -> impl IntoView {
    let filters = [
        page.actor_name
            .clone()
            .map(|name| (format!("By {name}"), AuditQuery { actor: String::new(), ..query.first_page() })),
        page.subject_name
            .clone()
            .map(|name| (format!("About {name}"), AuditQuery { subject: String::new(), ..query.first_page() })),
    ];
    let people = filters.into_iter().flatten().collect::<Vec<_>>();
    let next = page.next.clone().map(|after| AuditQuery { after, ..query.clone() }.href());
    let newest = (!query.after.is_empty()).then(|| query.first_page().href());
    let empty = page.rows.is_empty();
    let filtered = query.is_filtered();
    view! {
        {(!people.is_empty()).then(|| view! {
            <p class="active-filters">
                {people.into_iter().map(|(label, without)| {
                    let remove = format!("Remove filter: {label}");
                    view! {
                        <span class="filter-chip">{label}" "<a href=without.href() aria-label=remove>"×"</a></span>
                    }
                }).collect_view()}
            </p>
        })}
        {if empty {
            view! {
                <div class="table-wrap">
                    <div class="state state-empty">
                        <p class="state-title">{if filtered { "No entries match these filters." } else { "Nothing has been recorded yet." }}</p>
                        {filtered.then(|| view! { <a class="button" href="/settings/audit">"Show all entries"</a> })}
                    </div>
                </div>
            }.into_any()
        } else {
            let rows = page.rows.clone();
            view! {
                <div class="table-wrap">
                    <table class="data-table audit-table">
                        <caption class="visually-hidden">"Audit log entries, newest first"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Time"</th>
                                <th scope="col">"Who"</th>
                                <th scope="col">"Action"</th>
                                <th scope="col">"About"</th>
                                <th scope="col">"Details"</th>
                                <th scope="col">"From"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {rows.into_iter().map(|row| view! { <AuditRowView row query=query.clone() /> }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
        <div class="table-footer">
            <p class="table-meta">
                {format!("{} shown · times in {} · entries are kept for {} days", page.rows.len(), page.time_zone, page.retention_days)}
                {match page.pruned_at.clone() {
                    Some(at) => view! { "; older ones were last removed " <time datetime=at.iso>{at.local}</time> }.into_any(),
                    None => view! { "; none has been removed yet" }.into_any(),
                }}
            </p>
            <nav class="pagination" aria-label="Pagination">
                {newest.map(|href| view! { <a class="button button-small" href=href>"Newest"</a> })}
                {match next {
                    Some(href) => view! { <a class="button button-small" href=href rel="next">"Older ›"</a> }.into_any(),
                    None => view! { <span class="button button-small" aria-disabled="true">"Older ›"</span> }.into_any(),
                }}
            </nav>
        </div>
    }
}

/// One entry; the people in it link to their entries.
#[component]
fn AuditRowView(row: AuditRow, query: AuditQuery) -> impl IntoView {
    let person = |id: Option<uuid::Uuid>, name: Option<String>, by: bool| match (id, name) {
        (Some(id), Some(name)) => {
            let filtered = if by {
                AuditQuery { actor: id.to_string(), ..query.first_page() }
            } else {
                AuditQuery { subject: id.to_string(), ..query.first_page() }
            };
            let label = if by { format!("Entries by {name}") } else { format!("Entries about {name}") };
            view! { <a href=filtered.href() title=label>{name}</a> }.into_any()
        }
        (_, Some(name)) => view! { <span>{name}</span> }.into_any(),
        _ => view! { <span class="muted">{if by { "A visitor" } else { "—" }}</span> }.into_any(),
    };
    let actor = person(row.actor_id, row.actor.clone(), true);
    let subject = person(row.subject_id, row.subject.clone(), false);
    let client = row.client_ip.clone().unwrap_or_default();
    let agent = row.user_agent.clone().unwrap_or_default();
    view! {
        <tr>
            <td><time datetime=row.at.iso.clone()>{row.at.local.clone()}</time></td>
            <td>{actor}</td>
            <td>{row.action_label.clone()}</td>
            <td>{subject}</td>
            <td class="audit-details">
                {row.details.iter().map(|(key, value)| view! { <span class="detail"><span class="muted">{format!("{key}: ")}</span>{value.clone()}</span> }).collect_view()}
            </td>
            <td class="audit-client" title=agent>{client}</td>
        </tr>
    }
}
