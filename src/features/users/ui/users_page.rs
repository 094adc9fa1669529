use leptos::lazy;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;

use leptos_router::hooks::use_query_map;

use super::seat_counters::SeatCounters;
use super::table::UsersTable;
use super::user_panel::{PanelActions, UserPanel};
use crate::components::feedback::{ErrorState, LoadingState, SuccessAlert};
use crate::components::form::submit_own_form;
use crate::components::layout::signed_in_user;
use crate::components::polling::refresh_while;
use crate::components::resource::server_resource;
use crate::components::server_form::FormAction;
use crate::features::invites::api::{CancelInvite, ResendInvite};
use crate::features::invites::ui::InviteDialog;
use crate::features::users::api::list_users;
use crate::features::users::api::{
    DeleteUser, DisableAccess, EditUser, EnableAccess, SendPasswordRecovery, TransferSuperuser, UnlockAccount,
};
use crate::features::users::types::{ListPage, ShownStatus, StatusFilter, UserListQuery};

/// Settings › User Management: the organization's employees.
#[component]
pub fn UsersPage() -> impl IntoView {
    let query = list_query(ListPage::Users);
    view! {
        <Title text="User Management" />
        <div class="page-head">
            <div>
                <p class="breadcrumb">"Settings"</p>
                <h1>"User Management"</h1>
                <p class="lead">"Everyone in your organization, their role and whether they have activated their account."</p>
            </div>
            <div class="page-actions">
                <SeatCounters />
                <div class="page-buttons">
                    <a class="button" href=move || query.with(|q| q.current_href().replacen("/settings/users", "/settings/users/access", 1))>"Show Access Settings"</a>
                    <a class="button button-primary" href="/settings/users?invite">"Add new user"</a>
                </div>
            </div>
        </div>
        <UserList query />
    }
}

/// Settings › External users: customers and partners (ELMA365's portal
/// users), in the same table, with the same invite and lifecycle.
#[component]
pub fn ExternalUsersPage() -> impl IntoView {
    let query = list_query(ListPage::External);
    view! {
        <Title text="External users" />
        <div class="page-head">
            <div>
                <p class="breadcrumb">"Settings"</p>
                <h1>"External users"</h1>
                <p class="lead">"Customers and partners who use your organization's portal. They hold no position and never manage users."</p>
            </div>
            <div class="page-actions">
                <SeatCounters />
                <div class="page-buttons">
                    <a class="button button-primary" href="/settings/external-users?invite">"Add external user"</a>
                </div>
            </div>
        </div>
        <UserList query />
    }
}

/// The view a list page shows: the URL's query string (search, sort,
/// cursor, page size) on that page.
pub fn list_query(list: ListPage) -> Memo<UserListQuery> {
    let params = use_query_map();
    Memo::new(move |_| params.with(|p| UserListQuery::from_params(|key| p.get(key))).on(list))
}

/// A list of users below its page's head: notices, the invite dialog and
/// details panel its address opens, the search and the table.
#[component]
pub fn UserList(
    query: Memo<UserListQuery>,
    /// On a group's page: adding and removing members reloads the table,
    /// whose rows offer "Remove from group".
    #[prop(optional)]
    group_actions: Option<crate::features::groups::ui::GroupActions>,
) -> impl IntoView {
    let params = use_query_map();
    let list = query.with_untracked(|q| q.page);
    // The details panel's actions live here so the table reloads after each.
    let resend = FormAction::new::<ResendInvite>();
    let cancel = FormAction::new::<CancelInvite>();
    let disable = FormAction::new::<DisableAccess>();
    let enable = FormAction::new::<EnableAccess>();
    let delete = FormAction::new::<DeleteUser>();
    let edit = FormAction::new::<EditUser>();
    let transfer = FormAction::new::<TransferSuperuser>();
    let unlock = FormAction::new::<UnlockAccount>();
    let recover = FormAction::new::<SendPasswordRecovery>();
    // Handing over changes who the signed-in admin is: the layout loads
    // them again (the top bar, the navigation) as it goes to their account.
    if let Some(crate::features::auth::ui::SignedInUser(me)) = use_context() {
        let value = transfer.value();
        Effect::new(move |_| {
            if matches!(value.get(), Some(Ok(_))) {
                me.refetch();
            }
        });
    }
    let actions = PanelActions { resend, cancel, disable, enable, delete, edit, transfer, unlock, recover };
    // Reloaded when the view changes, after an invite (`?invited=`) and
    // after a resend or cancel, so rows and seat counters show it at once.
    let page = server_resource(
        move || {
            (query.get(), params.with(|p| p.get("invited")), actions.versions(), group_actions.map(|g| g.versions()))
        },
        |(query, ..)| list_users(query),
    );
    // A mail on its way turns to "sent" (or "retrying") without a reload.
    refresh_while(
        move || page.get().is_some_and(|p| p.is_ok_and(|p| p.rows.iter().any(|r| r.mail_pending()))),
        move || page.refetch(),
    );
    let panel_user = move || params.with(|p| p.get("user")).and_then(|id| uuid::Uuid::parse_str(&id).ok());
    let notice = Signal::derive(move || params.with(|p| p.get("notice")));
    let inviting = move || params.with(|p| p.get("invite").is_some());
    let invited = move || params.with(|p| p.get("invited"));
    let deleted = move || params.with(|p| p.get("deleted"));
    preload_on_intent();

    view! {
        {move || invited().map(|email| view! {
            <SuccessAlert message=format!("Invitation sent to {email}. They appear below as Invited until they activate their account.") />
        })}
        {move || deleted().map(|name| view! {
            <SuccessAlert message=format!("{name} was deleted. Their seat is free again.") />
        })}
        // A bare `Suspend`, not in a `Suspense`: the server builds it in the
        // same pass as before the split (a `Suspense` defers its children to
        // a later one), so its resources keep the numbers the browser gives
        // them when hydrating.
        {move || inviting().then(|| Suspend::new(invite_dialog(list)))}
        {move || panel_user().map(|id| Suspend::new(user_panel(id, query, notice, actions)))}
        // The toolbar does not read the page's resource: a second reader of
        // a resource outside its Suspense can deadlock Leptos's server
        // rendering (leptos#4578, #4673; seen here as a hung server). A
        // refused date filter is said next to its field from the address, and
        // below, from the awaited answer.
        <UsersToolbar query action=list.path() />
        <Transition fallback=|| view! { <LoadingState label="Loading users…" /> }>
            {move || {
                let me = signed_in_user();
                Suspend::new(async move {
                match page.await {
                    Ok(page) => {
                        let me = me.await;
                        let remove = group_actions.map(|g| g.remove);
                        match remove {
                            Some(remove) => view! { <UsersTable page query=query.get_untracked() me remove /> }.into_any(),
                            None => view! { <UsersTable page query=query.get_untracked() me /> }.into_any(),
                        }
                    }
                    Err(crate::error::AppError::Validation { fields }) => view! {
                        <div class="state state-error" role="alert">
                            <p class="state-title">"Check the filters"</p>
                            <ul>{fields.into_iter().map(|f| view! { <li>{f.message}</li> }).collect_view()}</ul>
                        </div>
                    }.into_any(),
                    Err(error) => view! { <ErrorState error /> }.into_any(),
                }
            })}}
        </Transition>
    }
}

// The details panel and the invite dialog are split out of the main WASM
// bundle (`#[lazy]`): the table is interactive before either is needed.
// When the page's address opens one (`?user=`, `?invite`), the server
// renders it and `preload_opened_by_address` loads its code before
// hydration, so hydrating it finds the code there. Otherwise it is fetched
// when the admin shows they are about to open one (`preload_on_intent`).

#[lazy]
fn user_panel(
    id: uuid::Uuid,
    query: Memo<UserListQuery>,
    notice: Signal<Option<String>>,
    actions: PanelActions,
) -> AnyView {
    view! { <UserPanel id query notice actions /> }.into_any()
}

#[lazy]
fn invite_dialog(list: ListPage) -> AnyView {
    view! { <InviteDialog list /> }.into_any()
}

/// Loads the code of the panel or dialog the address opens (before
/// hydration: see above). Only a user list's own address opens them.
#[cfg(feature = "hydrate")]
pub async fn preload_opened_by_address() {
    let location = window().location();
    if location.pathname().ok().and_then(|path| ListPage::from_path(&path)).is_none() {
        return;
    }
    let search = location.search().unwrap_or_default();
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) else { return };
    if params.has("user") {
        __preload_user_panel().await;
    }
    if params.has("invite") {
        __preload_invite_dialog().await;
    }
}

/// Loads the panel's or the dialog's code when the admin is about to open
/// one: the pointer over, a finger or button down on, or the keyboard's
/// focus on a link whose address opens it (a user's name, "Add new user").
/// A click follows 100 ms or more later, enough for the code to be there.
///
/// Not at hydration: the two need about 100 small chunks between them,
/// and fetching and instantiating them all made User Management's first
/// task 70 ms longer on this machine (Lighthouse counted it four times
/// over, as blocking), on every visit, most of which open neither.
fn preload_on_intent() {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        // Once each: the loader itself also remembers what it loaded.
        let (panel, dialog) = (StoredValue::new(false), StoredValue::new(false));
        let on_intent = move |target: Option<web_sys::EventTarget>| {
            let Some(href) = target
                .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
                .and_then(|element| element.closest("a[href]").ok().flatten())
                .and_then(|link| link.get_attribute("href"))
            else {
                return;
            };
            let Some(params) =
                href.split_once('?').and_then(|(_, query)| web_sys::UrlSearchParams::new_with_str(query).ok())
            else {
                return;
            };
            if params.has("user") && !panel.get_value() {
                panel.set_value(true);
                leptos::task::spawn_local(__preload_user_panel());
            }
            if params.has("invite") && !dialog.get_value() {
                dialog.set_value(true);
                leptos::task::spawn_local(__preload_invite_dialog());
            }
        };
        let listeners = [
            window_event_listener(leptos::ev::pointerover, move |event| on_intent(event.target())),
            window_event_listener(leptos::ev::pointerdown, move |event| on_intent(event.target())),
            window_event_listener(leptos::ev::focusin, move |event| on_intent(event.target())),
        ];
        on_cleanup(move || listeners.into_iter().for_each(|listener| listener.remove()));
    }
}

/// Search, status filter and advanced search ("Filters", ELMA365's filter
/// icon) of a user list (and of its access matrix, `action`): one GET form,
/// so it works without JavaScript, every view has an address, and the sort
/// and page size stay. The filters fold into a disclosure that is open
/// whenever one of them is set. A date that is not one, or a range that
/// ends before it starts, is said next to its field, worked out from the
/// address (`date_filter_errors`, the server's own rule): the toolbar must
/// not read the list's resource (see `UserList`).
#[component]
pub fn UsersToolbar(query: Memo<UserListQuery>, #[prop(into)] action: String) -> impl IntoView {
    use crate::features::users::types::{ALL_KINDS, DATE_FILTERS, Role, UserKind};
    let status_filter = move || query.with(|q| q.status_filter());
    let search = move || query.with(|q| q.search().map(str::to_owned)).unwrap_or_default();
    let page = query.with_untracked(|q| q.page);
    let active = move || query.with(|q| q.advanced_filters());
    let field_error = move |name: &'static str| {
        Signal::derive(move || {
            query.with(|q| q.date_filter_errors().into_iter().find(|(field, _)| *field == name).map(|(_, m)| m))
        })
    };
    let text =
        move |get: fn(&UserListQuery) -> Option<&str>| move || query.with(|q| get(q).unwrap_or_default().to_owned());
    let clear_href = move || {
        query.with(|q| {
            q.href(|q| {
                q.kind = None;
                q.group_name = None;
                q.position = None;
                q.role = None;
                q.department = None;
                q.created_from = None;
                q.created_to = None;
                q.signed_in_from = None;
                q.signed_in_to = None;
                if !matches!(q.page, ListPage::Group(_)) {
                    q.group = None;
                }
            })
        })
    };
    let date_field = move |i: usize| {
        let (name, label) = DATE_FILTERS[i];
        let id = format!("filter-{name}");
        let error = field_error(name);
        let value = move || query.with(|q| q.date_filters()[i].1.unwrap_or_default().to_owned());
        view! {
            <div class="field" class:field-invalid=move || error.get().is_some()>
                <label for=id.clone()>{label}</label>
                <input id=id name=name type="date" prop:value=value value=value aria-invalid=move || if error.get().is_some() { "true" } else { "false" } />
                {move || error.get().map(|message| view! { <p class="field-error">{message}</p> })}
            </div>
        }
    };
    let kind_now = move || query.with(|q| q.kind.clone().unwrap_or_default());
    view! {
        <Form method="GET" action=action attr:class="toolbar-form" attr:role="search">
            {move || query.with(|q| q.sort.clone()).map(|s| view! { <input type="hidden" name="sort" value=s /> })}
            {move || query.with(|q| q.dir.clone()).map(|d| view! { <input type="hidden" name="dir" value=d /> })}
            {move || query.with(|q| q.size).map(|s| view! { <input type="hidden" name="size" value=s.to_string() /> })}
            {move || query.with(|q| q.group.filter(|_| !matches!(q.page, ListPage::Group(_)))).map(|g| view! { <input type="hidden" name="group" value=g.to_string() /> })}
            {move || query.with(|q| q.position).map(|p| view! { <input type="hidden" name="position" value=p.to_string() /> })}
            <div class="toolbar">
                <label for="user-search" class="visually-hidden">"Search users"</label>
                <input id="user-search" name="q" type="search" maxlength="100" placeholder="Search by name, email or user id" prop:value=search value=search />
                <label for="status-filter" class="toolbar-label">"Status"</label>
                <select id="status-filter" name="status" on:change=submit_own_form>
                    <option value="" selected=move || status_filter() == StatusFilter::Default>"All but cancelled"</option>
                    {ShownStatus::ALL.into_iter().map(|status| view! {
                        <option value=status.param() selected=move || status_filter() == StatusFilter::Only(status)>{status.label()}</option>
                    }).collect_view()}
                    <option value="all" selected=move || status_filter() == StatusFilter::All>"All statuses"</option>
                </select>
                <button type="submit" class="button">"Search"</button>
            </div>
            <details class="filters" open=move || { active() > 0 }>
                <summary>
                    "Filters"
                    {move || (active() > 0).then(|| view! { <span class="filter-count">{format!(" ({} on)", active())}</span> })}
                </summary>
                <div class="filter-grid">
                    {(page != ListPage::External).then(|| view! {
                        <div class="field">
                            <label for="filter-kind">"Type"</label>
                            <select id="filter-kind" name="kind">
                                {(page != ListPage::Users).then(|| view! { <option value="" selected=move || kind_now().is_empty()>"Everyone"</option> })}
                                <option value=UserKind::Internal.param() selected=move || kind_now() == UserKind::Internal.param()>"Employees"</option>
                                <option value=UserKind::External.param() selected=move || kind_now() == UserKind::External.param()>"External users"</option>
                                {(page == ListPage::Users).then(|| view! { <option value=ALL_KINDS selected=move || kind_now() == ALL_KINDS>"Everyone"</option> })}
                            </select>
                        </div>
                    })}
                    <div class="field">
                        <label for="filter-role">"Role"</label>
                        <select id="filter-role" name="role">
                            <option value="" selected=move || query.with(|q| q.role().is_none())>"Any role"</option>
                            {Role::ALL.into_iter().rev().map(|role| view! {
                                <option value=role.param() selected=move || query.with(|q| q.role() == Some(role))>{role.label()}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    {(!matches!(page, ListPage::Group(_))).then(|| view! {
                        <div class="field">
                            <label for="filter-group">"Group"</label>
                            <input id="filter-group" name="group_name" maxlength="100" autocomplete="off" prop:value=text(UserListQuery::group_name) value=text(UserListQuery::group_name) />
                        </div>
                    })}
                    <div class="field">
                        <label for="filter-department">"Department"</label>
                        <input id="filter-department" name="department" maxlength="100" autocomplete="off" prop:value=text(UserListQuery::department) value=text(UserListQuery::department) />
                    </div>
                    {(0..DATE_FILTERS.len()).map(date_field).collect_view()}
                </div>
                {move || query.with(|q| q.position.map(|p| (p, q.href(|q| q.position = None)))).map(|(position, without)| view! {
                    <p class="filter-note">
                        "Showing the holders of "
                        <a href=format!("/settings/org-chart?position={position}")>"a position"</a>
                        " and of every position below it. "
                        <a href=without>"Remove this filter"</a>
                    </p>
                })}
                <div class="filter-actions">
                    <button type="submit" class="button button-primary">"Apply filters"</button>
                    <a class="button button-quiet" href=clear_href>"Clear filters"</a>
                </div>
            </details>
        </Form>
    }
}
