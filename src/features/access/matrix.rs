//! `/settings/users/access`, "Show Access Settings": the user table's page
//! (same search, status filter, sort and cursor) as a grid of users ×
//! permissions. Each cell shows the access and whether it is the role's
//! default or the user's own setting (a mark, not a colour) and explains
//! itself on hover and focus. A Superuser toggles a cell by click or Space;
//! arrow keys, Home and End move between cells (the WAI-ARIA grid pattern,
//! one tab stop). Each change saves at once, with Undo for 10 seconds; a
//! refused save puts the cell back and says why in its row. Without
//! JavaScript each cell is a submit button of its row's form.

use std::time::Duration;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::feedback::{ErrorState, LoadingState};
use crate::components::resource::server_resource;
use crate::components::server_form::FormAction;
use crate::features::access::api::{ChangePermission, load_access_matrix};
use crate::features::access::types::{AccessMatrix, AccessPermission, Setting, summary, toggled, with_setting};
use crate::features::users::types::{Role, SortColumn, SortDirection, UserListQuery};
use crate::features::users::ui::UsersToolbar;

const PATH: &str = "/settings/users/access";
const COLUMNS: usize = AccessPermission::ALL.len();

/// The same view of the user table, on this page.
fn here(href: String) -> String {
    href.replacen("/settings/users", PATH, 1)
}

#[component]
pub fn AccessMatrixPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| params.with(|p| UserListQuery::from_params(|key| p.get(key))));
    let matrix = server_resource(move || query.get(), load_access_matrix);
    view! {
        <Title text="Access Settings" />
        <div class="page-head">
            <div>
                <p class="breadcrumb"><a href="/settings/users">"User Management"</a></p>
                <h1>"Access Settings"</h1>
                <p class="lead">"Every user's access rights at once. ✓ allowed, ✕ not allowed; ● marks a user's own grant or denial (otherwise the role's default)."</p>
            </div>
            <div class="page-actions">
                <a class="button" href=move || query.with(|q| q.current_href())>"Show user table"</a>
            </div>
        </div>
        <UsersToolbar query action=PATH />
        <Transition fallback=|| view! { <LoadingState label="Loading the access settings…" /> }>
            {move || Suspend::new(async move {
                match matrix.await {
                    Ok(matrix) => view! { <MatrixGrid matrix query=query.get_untracked() /> }.into_any(),
                    Err(error) => view! { <ErrorState error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Why a cell was put back, next to it. A row whose user is gone (someone
/// deleted them meanwhile) says so rather than a bare "Not found".
fn refusal(permission: AccessPermission, error: &crate::error::AppError) -> String {
    use crate::error::AppError;
    let why = match error {
        AppError::NotFound => {
            "this user no longer exists. Reload the page to see the users as they are now.".to_owned()
        }
        AppError::Forbidden => "you may no longer change access settings.".to_owned(),
        other => other.to_string(),
    };
    format!("{} was not saved: {why}", permission.label())
}

/// A change waiting for the server: the cell to put back if it is refused.
#[derive(Clone, Copy)]
struct Pending {
    row: usize,
    permission: AccessPermission,
    before: crate::features::access::types::AccessProfile,
}

/// The last change, undoable for 10 seconds.
#[derive(Clone)]
struct LastChange {
    row: usize,
    permission: AccessPermission,
    previous: Setting,
    message: String,
    serial: u32,
}

#[component]
fn MatrixGrid(matrix: AccessMatrix, query: UserListQuery) -> impl IntoView {
    let editable = matrix.editable;
    let view_string = query.current_href().split_once('?').map(|(_, q)| q.to_owned()).unwrap_or_default();
    let count = matrix.rows.len();
    let rows = StoredValue::new(matrix.rows.into_iter().map(RwSignal::new).collect::<Vec<_>>());
    let row = move |r: usize| rows.with_value(|rows| rows[r]);
    let active = RwSignal::new((0usize, 0usize));
    // The explanation of the focused cell, kept current as its row changes.
    let touched = RwSignal::new(false);
    let why = move || {
        let (r, c) = active.get();
        (touched.get() && r < count).then(|| row(r).with(|d| d.explain(AccessPermission::ALL[c]))).unwrap_or_default()
    };
    let action = FormAction::new::<ChangePermission>();
    let pending = RwSignal::new(None::<Pending>);
    let last = RwSignal::new(None::<LastChange>);
    let refused = RwSignal::new(None::<(usize, String)>);
    let serial = StoredValue::new(0u32);

    // The server's answer: the row as stored, or the cell put back.
    Effect::new(move |_| match action.value().get() {
        Some(Ok(saved)) => {
            pending.set(None);
            let index =
                rows.with_value(|rows| rows.iter().position(|r| r.with_untracked(|r| r.user_id == saved.user_id)));
            if let Some(index) = index {
                row(index).set(saved);
            }
        }
        Some(Err(error)) => {
            if let Some(p) = pending.get_untracked() {
                pending.set(None);
                row(p.row).update(|r| r.profile = p.before);
                refused.set(Some((p.row, refusal(p.permission, &error))));
                last.set(None);
            }
        }
        None => {}
    });

    let change = move |r: usize, permission: AccessPermission, setting: Setting, undoable: bool| {
        let target = row(r);
        let before = target.get_untracked();
        target.update(|row| row.profile = with_setting(row.profile, permission, setting));
        pending.set(Some(Pending { row: r, permission, before: before.profile }));
        refused.set(None);
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("user", &before.user_id.to_string())
            .append_pair("change", &format!("{}:{}", permission.key(), setting.param()))
            .finish();
        action.dispatch(body);
        if !undoable {
            last.set(None);
            return;
        }
        let now = target.with_untracked(|row| row.profile.allows(permission));
        let message = if now {
            format!("{} can now {}.", before.name(), permission.label())
        } else {
            format!("{} can no longer {}.", before.name(), permission.label())
        };
        let n = serial.get_value() + 1;
        serial.set_value(n);
        last.set(Some(LastChange {
            row: r,
            permission,
            previous: before.profile.setting(permission),
            message,
            serial: n,
        }));
        set_timeout(
            move || {
                if last.with_untracked(|l| l.as_ref().map(|l| l.serial)) == Some(n) {
                    last.set(None);
                }
            },
            Duration::from_secs(10),
        );
    };

    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if count == 0 {
            return;
        }
        let (r, c) = active.get_untracked();
        let next = match ev.key().as_str() {
            "ArrowRight" => (r, (c + 1).min(COLUMNS - 1)),
            "ArrowLeft" => (r, c.saturating_sub(1)),
            "ArrowDown" => ((r + 1).min(count - 1), c),
            "ArrowUp" => (r.saturating_sub(1), c),
            "Home" if ev.ctrl_key() => (0, 0),
            "End" if ev.ctrl_key() => (count - 1, COLUMNS - 1),
            "Home" => (r, 0),
            "End" => (r, COLUMNS - 1),
            _ => return,
        };
        ev.prevent_default();
        active.set(next);
        focus_cell(next);
    };

    let (sort, direction) = (query.sort_column(), query.direction());
    let sort_href = |column: SortColumn| {
        let next = if column == sort { direction.flipped() } else { SortDirection::Asc };
        here(query.href(|q| {
            q.sort = Some(column.param().to_owned());
            q.dir = Some(next.param().to_owned());
        }))
    };
    let aria_sort = |column: SortColumn| match (column == sort, direction) {
        (false, _) => "none",
        (true, SortDirection::Asc) => "ascending",
        (true, SortDirection::Desc) => "descending",
    };
    let prev_href = matrix.prev.clone().map(|cursor| here(query.href(|q| q.before = Some(cursor))));
    let next_href = matrix.next.clone().map(|cursor| here(query.href(|q| q.after = Some(cursor))));

    view! {
        <div class="matrix-status" aria-live="polite">
            {move || last.get().map(|done| {
                let (r, permission, previous) = (done.row, done.permission, done.previous);
                view! {
                    <p class="alert alert-success matrix-undo" role="status">
                        <span>{done.message}</span>
                        " "
                        <button type="button" class="button button-small" on:click=move |_| {
                            change(r, permission, previous, false);
                            focus_cell((r, AccessPermission::ALL.iter().position(|p| *p == permission).unwrap_or(0)));
                        }>"Undo"</button>
                    </p>
                }
            })}
        </div>
        <p class="matrix-why" id="matrix-why" aria-live="polite">{why}</p>
        <div class="card table-wrap">
            <table class="data-table matrix" role="grid" aria-label="Access settings of the users on this page"
                aria-describedby="matrix-why" aria-readonly=(!editable).then_some("true") on:keydown=on_keydown>
                <thead>
                    <tr>
                        <th scope="col" aria-sort=aria_sort(SortColumn::LastName)>
                            <a class="sort-link" href=sort_href(SortColumn::LastName)>"User"</a>
                        </th>
                        <th scope="col" aria-sort=aria_sort(SortColumn::Role)>
                            <a class="sort-link" href=sort_href(SortColumn::Role)>"Role"</a>
                        </th>
                        {AccessPermission::ALL.into_iter().map(|p| view! {
                            <th scope="col" class="matrix-head" title=p.description()>{p.label()}</th>
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {(0..count).map(|r| {
                        let data = row(r).get_untracked();
                        let form_id = format!("matrix-row-{}", data.user_id);
                        let can_edit = editable && data.profile.role != Role::Superuser;
                        view! {
                            <tr>
                                <th scope="row" class="matrix-user">
                                    <span class="permission-name">{data.name()}</span>
                                    <span class="hint">{data.email.clone()}</span>
                                    {can_edit.then(|| view! {
                                        <form id=form_id.clone() action="/api/change_permission" method="post">
                                            <input type="hidden" name="user" value=data.user_id.to_string() />
                                            <input type="hidden" name="view" value=view_string.clone() />
                                        </form>
                                    })}
                                    {move || refused.get().filter(|(at, _)| *at == r).map(|(_, message)| view! {
                                        <p class="field-error" role="alert">{message}</p>
                                    })}
                                </th>
                                <td class="matrix-role">
                                    {data.profile.role.label()}
                                    <span class="hint">{move || row(r).with(|d| summary(d.profile.role, d.profile.departures()))}</span>
                                </td>
                                {AccessPermission::ALL.into_iter().enumerate().map(|(c, p)| {
                                    let cell = row(r);
                                    let allowed = move || cell.with(|d| d.profile.allows(p));
                                    let own = move || cell.with(|d| d.profile.role != Role::Superuser && d.profile.setting(p) != Setting::Default);
                                    let explanation = move || cell.with(|d| d.explain(p));
                                    view! {
                                        <td role="gridcell" class="matrix-cell">
                                            <button
                                                id=format!("cell-{r}-{c}")
                                                type=if can_edit { "submit" } else { "button" }
                                                form=can_edit.then(|| form_id.clone())
                                                name="change"
                                                value=move || cell.with(|d| format!("{}:{}", p.key(), toggled(&d.profile, p).param()))
                                                class="matrix-toggle"
                                                class:matrix-allowed=allowed
                                                tabindex=move || if active.get() == (r, c) { 0 } else { -1 }
                                                aria-pressed=move || if allowed() { "true" } else { "false" }
                                                // Saving: the cell shows where it is going, and says it is not there yet.
                                                aria-busy=move || pending.with(|waiting| waiting.as_ref().is_some_and(|w| w.row == r && w.permission == p)).then_some("true")
                                                aria-disabled=(!can_edit).then_some("true")
                                                aria-label=explanation
                                                title=explanation
                                                on:click=move |ev| {
                                                    ev.prevent_default();
                                                    active.set((r, c));
                                                    if can_edit {
                                                        let wanted = cell.with_untracked(|d| toggled(&d.profile, p));
                                                        change(r, p, wanted, true);
                                                    }
                                                }
                                                on:focus=move |_| {
                                                    active.set((r, c));
                                                    touched.set(true);
                                                }
                                            >
                                                <span aria-hidden="true">{move || if allowed() { "✓" } else { "✕" }}</span>
                                                {move || own().then(|| view! { <span class="matrix-own" aria-hidden="true">"●"</span> })}
                                            </button>
                                        </td>
                                    }
                                }).collect_view()}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {(count == 0).then(|| view! {
                <div class="state state-empty">
                    <p class="state-title">"No users on this page."</p>
                    <a class="button" href=PATH>"Show everyone"</a>
                </div>
            })}
        </div>
        <div class="table-footer">
            <p class="table-meta">{format!("{count} shown")}</p>
            <nav class="pagination" aria-label="Pagination">
                {match prev_href {
                    Some(href) => view! { <a class="button button-small" href=href rel="prev">"‹ Previous"</a> }.into_any(),
                    None => view! { <span class="button button-small" aria-disabled="true">"‹ Previous"</span> }.into_any(),
                }}
                {match next_href {
                    Some(href) => view! { <a class="button button-small" href=href rel="next">"Next ›"</a> }.into_any(),
                    None => view! { <span class="button button-small" aria-disabled="true">"Next ›"</span> }.into_any(),
                }}
            </nav>
        </div>
    }
}

/// Moves the keyboard focus to a cell (the grid's one tab stop follows).
fn focus_cell((r, c): (usize, usize)) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        if let Some(cell) = document().get_element_by_id(&format!("cell-{r}-{c}")) {
            let _ = cell.unchecked_into::<web_sys::HtmlElement>().focus();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (r, c);
}
