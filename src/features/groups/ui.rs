//! Group pages: Settings › Groups (the list, a new group) and one group's
//! page (its members in User Management's table, adding and removing
//! them, renaming and deleting the group), and the "Groups" choice of the
//! invite dialog and the edit form. Every form works without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::feedback::{ErrorAlert, ErrorState, LoadingState, SuccessAlert};
use crate::components::form::{Field, action_error, field_error};
use crate::components::resource::server_resource;
use crate::components::server_form::{FormAction, ServerForm};
use crate::error::AppError;
use crate::features::groups::api::{
    AddGroupMember, DeleteGroup, RemoveGroupMember, SaveGroup, group_candidates, list_groups, load_group,
};
use crate::features::groups::types::{
    Group, GroupListQuery, GroupRef, MAX_GROUP_DESCRIPTION_CHARS, MAX_GROUP_NAME_CHARS,
};
use crate::features::users::types::ListPage;
use crate::features::users::ui::{LocalTime, UserList, list_query};

/// Settings › Groups: every group by name, a search, and a new group.
#[component]
pub fn GroupsPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| {
        params.with(|p| GroupListQuery { q: p.get("q").unwrap_or_default(), after: p.get("after").unwrap_or_default() })
    });
    let save = FormAction::new::<SaveGroup>();
    let groups = server_resource(move || query.get(), list_groups);
    let error = action_error(save.value());
    let deleted = move || params.with(|p| p.get("deleted"));
    view! {
        <Title text="Groups" />
        <div class="page-head">
            <div>
                <p class="breadcrumb">"Settings"</p>
                <h1>"Groups"</h1>
                <p class="lead">"Named sets of people: a team, a site, a project. A user can be in many groups."</p>
            </div>
        </div>
        {move || deleted().map(|name| view! {
            <SuccessAlert message=format!("The group \u{201c}{name}\u{201d} was deleted. Its members are still users of your organization.") />
        })}
        <Form method="GET" action="/settings/groups" attr:class="toolbar" attr:role="search">
            <label for="group-search" class="visually-hidden">"Search groups"</label>
            <input id="group-search" name="q" type="search" maxlength="100" placeholder="Search by group name" prop:value=move || query.with(|q| q.q.clone()) value=move || query.with(|q| q.q.clone()) />
            <button type="submit" class="button">"Search"</button>
        </Form>
        <Transition fallback=|| view! { <LoadingState label="Loading groups…" /> }>
            {move || Suspend::new(async move {
                match groups.await {
                    Ok(list) if list.groups.is_empty() => {
                        let searched = query.with_untracked(|q| q.q.trim().to_owned());
                        view! {
                            <div class="state state-empty card">
                                {if searched.is_empty() {
                                    view! { <p class="state-title">"No groups yet."</p><p>"Create the first one below."</p> }.into_any()
                                } else {
                                    view! {
                                        <p class="state-title">{format!("No group's name contains \u{201c}{searched}\u{201d}.")}</p>
                                        <a class="button" href="/settings/groups">"Show every group"</a>
                                    }.into_any()
                                }}
                            </div>
                        }.into_any()
                    }
                    Ok(list) => {
                        let next = list.next.map(|after| query.with_untracked(|q| GroupListQuery { after, ..q.clone() }.href()));
                        let first = query.with_untracked(|q| (!q.after.is_empty()).then(|| GroupListQuery { after: String::new(), ..q.clone() }.href()));
                        view! {
                            <div class="table-wrap">
                                <table class="data-table">
                                    <caption class="visually-hidden">"Groups of your organization"</caption>
                                    <thead>
                                        <tr>
                                            <th scope="col">"Name"</th>
                                            <th scope="col">"Description"</th>
                                            <th scope="col">"Members"</th>
                                            <th scope="col">"Created"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {list.groups.into_iter().map(|group| view! {
                                            <tr>
                                                <td><a href=ListPage::Group(group.id).path()>{group.name}</a></td>
                                                <td class="cell-wrap">{group.description}</td>
                                                <td>{group.members.to_string()}</td>
                                                <td class="cell-time"><LocalTime at=group.created /></td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <nav class="pagination" aria-label="Pagination">
                                {first.map(|href| view! { <a class="button button-small" href=href>"First"</a> })}
                                {match next {
                                    Some(href) => view! { <a class="button button-small" href=href rel="next">"Next ›"</a> }.into_any(),
                                    None => view! { <span class="button button-small" aria-disabled="true">"Next ›"</span> }.into_any(),
                                }}
                            </nav>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorState error /> }.into_any(),
                }
            })}
        </Transition>
        <section class="card form-card narrow-form" aria-labelledby="new-group-title">
            <h2 id="new-group-title">"New group"</h2>
            <ErrorAlert error />
            <ServerForm action=save>
                <Field label="Name" name="name" required=true max_chars=MAX_GROUP_NAME_CHARS autocomplete="off" error=field_error(error, "name") />
                <Field label="Description" name="description" max_chars=MAX_GROUP_DESCRIPTION_CHARS autocomplete="off" error=field_error(error, "description") />
                <button type="submit" class="button button-primary" disabled=move || save.pending().get()>"Create group"</button>
            </ServerForm>
        </section>
    }
}

/// What a group's page does to its members: the table reloads after each.
#[derive(Clone, Copy)]
pub struct GroupActions {
    pub add: FormAction<String>,
    pub remove: FormAction<String>,
}

impl GroupActions {
    pub fn versions(self) -> (usize, usize) {
        (self.add.version().get(), self.remove.version().get())
    }
}

/// `/settings/groups/:id`: the group, its members and "Add members".
#[component]
pub fn GroupPage() -> impl IntoView {
    let params = use_params_map();
    let address = use_query_map();
    let id = params.with_untracked(|p| p.get("id").and_then(|id| uuid::Uuid::parse_str(&id).ok()));
    let save = FormAction::new::<SaveGroup>();
    let delete = FormAction::new::<DeleteGroup>();
    let actions =
        GroupActions { add: FormAction::new::<AddGroupMember>(), remove: FormAction::new::<RemoveGroupMember>() };
    // Every resource is made here, up front (see `DashboardsForm`).
    let group = server_resource(
        move || (save.version().get(), actions.versions()),
        move |_| async move {
            match id {
                Some(id) => load_group(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let term = move || address.with(|p| p.get("add")).unwrap_or_default();
    // Read once a search has loaded (outside any tracking).
    let searched = move || address.with_untracked(|p| p.get("add")).unwrap_or_default();
    let candidates = server_resource(
        move || (term(), actions.versions()),
        move |(term, _)| async move {
            match id {
                Some(id) if !term.trim().is_empty() => group_candidates(id, term).await.map(Some),
                _ => Ok(None),
            }
        },
    );
    let Some(id) = id else {
        return view! { <Title text="Group not found" /><ErrorState error=AppError::NotFound /> }.into_any();
    };
    let query = list_query(ListPage::Group(id));
    // Links on the page open these, so they follow the address.
    let editing = Signal::derive(move || address.with(|p| p.get("edit").is_some()));
    let confirming_delete = Signal::derive(move || address.with(|p| p.get("confirm").as_deref() == Some("delete")));
    let notice = move || {
        address.with(|p| match (p.get("notice").as_deref(), p.get("added"), p.get("removed")) {
            (_, Some(name), _) => Some(format!("{name} was added to the group.")),
            (_, _, Some(name)) => {
                Some(format!("{name} was removed from the group. They are still a user of your organization."))
            }
            (Some("created"), ..) => Some("The group is created. Add its members below.".to_owned()),
            (Some("saved"), ..) => Some("The group is saved.".to_owned()),
            _ => None,
        })
    };
    let save_error = action_error(save.value());
    view! {
        <Suspense fallback=|| view! { <LoadingState label="Loading the group…" /> }>
            {move || Suspend::new(async move {
                match group.await {
                    Ok(group) => view! { <GroupHead group editing confirming_delete save delete save_error /> }.into_any(),
                    Err(error) => {
                        #[cfg(feature = "ssr")]
                        if matches!(error, AppError::NotFound) {
                            if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                                response.set_status(http::StatusCode::NOT_FOUND);
                            }
                        }
                        view! { <Title text="Group not found" /><ErrorState error /> }.into_any()
                    }
                }
            })}
        </Suspense>
        {move || notice().map(|message| view! { <SuccessAlert message /> })}
        <ErrorAlert error=action_error(actions.add.value()) />
        <ErrorAlert error=action_error(actions.remove.value()) />
        <section class="card form-card add-members" aria-labelledby="add-members-title">
            <h2 id="add-members-title">"Add members"</h2>
            <Form method="GET" action=ListPage::Group(id).path() attr:class="toolbar" attr:role="search">
                <label for="member-search">"Find people to add"</label>
                <input id="member-search" name="add" type="search" maxlength="100" placeholder="Name, email or user id" prop:value=term value=term />
                <button type="submit" class="button">"Find"</button>
            </Form>
            <Transition fallback=|| view! { <LoadingState label="Searching…" /> }>
                {move || Suspend::new(async move {
                    match candidates.await {
                        Ok(None) => ().into_any(),
                        Ok(Some(found)) if found.is_empty() => view! {
                            <p class="muted">{format!("Nobody outside the group matches \u{201c}{}\u{201d}.", searched())}</p>
                        }.into_any(),
                        Ok(Some(found)) => view! {
                            <ul class="plain-list candidates" aria-label="People found">
                                {found.into_iter().map(|person| view! {
                                    <li>
                                        <span>{person.name.clone()}<span class="hint">{person.email.clone()}</span></span>
                                        <ServerForm action=actions.add>
                                            <input type="hidden" name="group" value=id.to_string() />
                                            <input type="hidden" name="user" value=person.id.to_string() />
                                            <input type="hidden" name="term" value=searched() />
                                            <button type="submit" class="button button-small" aria-label=format!("Add {} to the group", person.name)>"Add"</button>
                                        </ServerForm>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <ErrorState error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
        <h2 class="section-title">"Members"</h2>
        <UserList query group_actions=actions />
    }
    .into_any()
}

#[component]
fn GroupHead(
    group: Group,
    editing: Signal<bool>,
    confirming_delete: Signal<bool>,
    save: FormAction<()>,
    delete: FormAction<()>,
    save_error: Signal<Option<AppError>>,
) -> impl IntoView {
    let path = ListPage::Group(group.id).path();
    let members = match group.members {
        1 => "1 member".to_owned(),
        n => format!("{n} members"),
    };
    view! {
        <Title text=group.name.clone() />
        <div class="page-head">
            <div>
                <p class="breadcrumb"><a href="/settings/groups">"Groups"</a></p>
                <h1>{group.name.clone()}</h1>
                <p class="lead">{if group.description.is_empty() { members.clone() } else { format!("{} · {members}", group.description) }}</p>
            </div>
            <div class="page-buttons">
                <a class="button" href=format!("{path}?edit=1")>"Edit group"</a>
                <a class="button button-danger-quiet" href=format!("{path}?confirm=delete")>"Delete group"</a>
            </div>
        </div>
        {
            let (group, path) = (group.clone(), path.clone());
            move || editing.get().then(|| {
            let (group, path) = (group.clone(), path.clone());
            view! {
            <section class="card form-card narrow-form" aria-labelledby="edit-group-title">
                <h2 id="edit-group-title">"Edit group"</h2>
                <ErrorAlert error=save_error />
                <ServerForm action=save>
                    <input type="hidden" name="id" value=group.id.to_string() />
                    <Field label="Name" name="name" required=true max_chars=MAX_GROUP_NAME_CHARS autocomplete="off" value=group.name.clone() error=field_error(save_error, "name") />
                    <Field label="Description" name="description" max_chars=MAX_GROUP_DESCRIPTION_CHARS autocomplete="off" value=group.description.clone() error=field_error(save_error, "description") />
                    <div class="panel-actions">
                        <button type="submit" class="button button-primary" disabled=move || save.pending().get()>"Save"</button>
                        <a class="button" href=path.clone()>"Cancel"</a>
                    </div>
                </ServerForm>
            </section>
        }})}
        {move || confirming_delete.get().then(|| {
            let (group, path) = (group.clone(), path.clone());
            view! {
            <section class="card access-confirm" role="alertdialog" aria-labelledby="delete-group-title" aria-describedby="delete-group-what">
                <h2 id="delete-group-title">{format!("Delete the group \u{201c}{}\u{201d}?", group.name)}</h2>
                <p id="delete-group-what">{match group.members {
                    0 => "It has no members. This cannot be undone.".to_owned(),
                    1 => "Its one member stays a user of your organization; only the membership in this group ends. This cannot be undone.".to_owned(),
                    n => format!("Its {n} members stay users of your organization; only their membership in this group ends. This cannot be undone."),
                }}</p>
                <ErrorAlert error=action_error(delete.value()) />
                <ServerForm action=delete>
                    <input type="hidden" name="id" value=group.id.to_string() />
                    <div class="panel-actions">
                        <button type="submit" class="button button-danger" disabled=move || delete.pending().get()>"Delete group"</button>
                        <a class="button" href=path.clone()>"Cancel"</a>
                    </div>
                </ServerForm>
            </section>
        }})}
    }
}

/// "Groups" in the invite dialog and the edit form: a checkbox per group
/// (`<field>[id-<uuid>]`), with a filter when there are many.
#[component]
pub fn GroupChoices(
    /// The form's field, e.g. "invite[groups]".
    field: &'static str,
    choices: Vec<GroupRef>,
    #[prop(optional)] chosen: Vec<uuid::Uuid>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let filter = RwSignal::new(String::new());
    let many = choices.len() > 8;
    view! {
        <fieldset class="field group-choices" aria-describedby=move || error.get().map(|_| "groups-error")>
            <legend>"Groups" <span class="optional">" (optional)"</span></legend>
            {if choices.is_empty() {
                view! { <p class="hint">"Your organization has no groups yet. Create them under Settings › Groups."</p> }.into_any()
            } else {
                view! {
                    {many.then(|| view! {
                        <label class="visually-hidden" for="group-filter">"Filter groups"</label>
                        <input id="group-filter" class="js-only" type="search" placeholder="Filter groups" on:input:target=move |ev| filter.set(ev.target().value().to_lowercase()) />
                    })}
                    <div class="choice-list">
                        {choices.into_iter().map(|group| {
                            let name_lower = group.name.to_lowercase();
                            let checked = chosen.contains(&group.id);
                            view! {
                                <label class="choice" class:hidden=move || filter.with(|f| !f.is_empty() && !name_lower.contains(f.as_str()))>
                                    <input type="checkbox" name=format!("{field}[id-{}]", group.id) value="on" checked=checked />
                                    " " {group.name}
                                </label>
                            }
                        }).collect_view()}
                    </div>
                }.into_any()
            }}
            {move || error.get().map(|message| view! { <p class="field-error" id="groups-error">{message}</p> })}
        </fieldset>
    }
}
