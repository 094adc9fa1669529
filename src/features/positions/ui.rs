//! Settings › Org chart: the positions as a tree (the WAI-ARIA tree
//! pattern: arrow keys, Home/End, Enter; drag a position onto another, or
//! Ctrl+X then Ctrl+V, to move it), a search, and the selected position's
//! details: its place, its holders, rename, add a sub-position, move,
//! delete. The selected position is the address (`?position=`), so every
//! part works without JavaScript too: a link selects, forms post.
//!
//! Only the visible part of the tree is rendered (the tops, and the
//! children of what is expanded), so a chart of thousands of positions
//! costs what its open branches cost.

use std::collections::HashSet;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

use crate::components::feedback::{ErrorAlert, ErrorState, LoadingState, SuccessAlert};
use crate::components::form::{Field, action_error, field_error};
use crate::components::resource::server_resource;
use crate::components::server_form::{FormAction, ServerForm};
use crate::error::AppError;
use crate::features::positions::api::{
    AddPositionHolder, CreatePosition, DeletePosition, MovePosition, RemovePositionHolder, RenamePosition,
    load_position, org_chart, position_candidates,
};
use crate::features::positions::types::{MAX_POSITION_NAME_CHARS, PositionDetails, Tree};

const PATH: &str = "/settings/org-chart";

fn chart_href(position: Option<Uuid>, extra: &str) -> String {
    match position {
        Some(id) => format!("{PATH}?position={id}{extra}"),
        None => PATH.to_owned(),
    }
}

/// Everything the chart's forms do; the chart and the details reload after each.
#[derive(Clone, Copy)]
struct ChartActions {
    create: FormAction<Uuid>,
    rename: FormAction<()>,
    moving: FormAction<String>,
    delete: FormAction<String>,
    add: FormAction<String>,
    remove: FormAction<String>,
}

impl ChartActions {
    fn versions(self) -> [usize; 6] {
        [
            self.create.version().get(),
            self.rename.version().get(),
            self.moving.version().get(),
            self.delete.version().get(),
            self.add.version().get(),
            self.remove.version().get(),
        ]
    }

    fn error(self) -> Signal<Option<AppError>> {
        Signal::derive(move || {
            [
                action_error(self.rename.value()).get(),
                action_error(self.moving.value()).get(),
                action_error(self.delete.value()).get(),
                action_error(self.add.value()).get(),
                action_error(self.remove.value()).get(),
                action_error(self.create.value()).get(),
            ]
            .into_iter()
            .flatten()
            .next()
        })
    }
}

#[component]
pub fn OrgChartPage() -> impl IntoView {
    let address = use_query_map();
    let selected = Memo::new(move |_| address.with(|p| p.get("position").and_then(|id| Uuid::parse_str(&id).ok())));
    let actions = ChartActions {
        create: FormAction::new::<CreatePosition>(),
        rename: FormAction::new::<RenamePosition>(),
        moving: FormAction::new::<MovePosition>(),
        delete: FormAction::new::<DeletePosition>(),
        add: FormAction::new::<AddPositionHolder>(),
        remove: FormAction::new::<RemovePositionHolder>(),
    };
    // Every resource up front (see `DashboardsForm`).
    let chart = server_resource(move || actions.versions(), |_| org_chart());
    let details = server_resource(
        move || (selected.get(), actions.versions()),
        |(id, _)| async move {
            match id {
                Some(id) => load_position(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let find = move || address.with(|p| p.get("find")).unwrap_or_default();
    let candidates = server_resource(
        move || (selected.get(), find(), actions.versions()),
        |(id, term, _)| async move {
            match id {
                Some(id) if !term.trim().is_empty() => position_candidates(id, term).await.map(Some),
                _ => Ok(None),
            }
        },
    );
    let notice = move || {
        address.with(|p| {
            p.get("notice").and_then(|n| match n.as_str() {
                "created" => Some("The position is created."),
                "renamed" => Some("The position is renamed."),
                "moved" => Some("The position is moved, with everything below it."),
                "deleted" => Some("The position is deleted."),
                "holder_added" => Some("The position is given."),
                "holder_removed" => {
                    Some("The position is taken away. The person is still a user of your organization.")
                }
                _ => None,
            })
        })
    };
    let error = actions.error();
    view! {
        <Title text="Org chart" />
        <div class="page-head">
            <div>
                <p class="breadcrumb">"Settings"</p>
                <h1>"Org chart"</h1>
                <p class="lead">"Your organization's positions and who holds them. Select a position to see its holders and change it; drag a position onto another to move it."</p>
            </div>
        </div>
        {move || notice().map(|message| view! { <SuccessAlert message /> })}
        <ErrorAlert error />
        <div class="chart-layout">
            <section class="card chart-card" aria-labelledby="chart-title">
                <h2 id="chart-title" class="visually-hidden">"Positions"</h2>
                <Suspense fallback=|| view! { <LoadingState label="Loading the org chart…" /> }>
                    {move || Suspend::new(async move {
                        match chart.await {
                            Ok(positions) => view! { <ChartTree tree=Tree::new(positions) selected actions /> }.into_any(),
                            Err(error) => view! { <ErrorState error /> }.into_any(),
                        }
                    })}
                </Suspense>
                <ServerForm action=actions.create reset_on_success=true>
                    <input type="hidden" name="parent" value="" />
                    <div class="inline-fields">
                        <Field label="New top position" name="name" id="new-top-position" max_chars=MAX_POSITION_NAME_CHARS autocomplete="off" error=field_error(action_error(actions.create.value()), "name") />
                        <button type="submit" class="button">"Add"</button>
                    </div>
                </ServerForm>
            </section>
            <section class="card chart-details" aria-labelledby="position-title">
                <Suspense fallback=|| view! { <LoadingState label="Loading the position…" /> }>
                    {move || Suspend::new(async move {
                        match details.await {
                            Ok(Some(position)) => view! { <PositionPanel position actions error candidates=candidates /> }.into_any(),
                            Ok(None) => view! {
                                <h2 id="position-title">"No position selected"</h2>
                                <p class="muted">"Select a position in the chart to see who holds it and to change it."</p>
                            }.into_any(),
                            Err(error) => view! { <h2 id="position-title">"Position"</h2><ErrorState error /> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
        </div>
    }
}

/// One row of the visible tree, in order.
#[derive(Clone, PartialEq)]
struct Row {
    index: usize,
    level: usize,
    set_size: usize,
    position_in_set: usize,
    has_children: bool,
    expanded: bool,
}

#[component]
fn ChartTree(tree: Tree, selected: Memo<Option<Uuid>>, actions: ChartActions) -> impl IntoView {
    let tree = StoredValue::new(tree);
    let address = use_query_map();
    let term = RwSignal::new(address.with_untracked(|p| p.get("q")).unwrap_or_default());
    // Open: the tops' children are shown once the path to the selected
    // position is (and, while searching, every path to a match).
    let expanded = RwSignal::new({
        // The tops start open, so the chart's first two levels show.
        let mut open: HashSet<usize> = tree.with_value(|t| t.roots.iter().copied().collect());
        if let Some(id) = selected.get_untracked() {
            tree.with_value(|t| {
                let parent = parents(t);
                let mut at = t.positions.iter().position(|p| p.id == id);
                while let Some(i) = at {
                    open.insert(i);
                    at = parent[i];
                }
            });
        }
        open
    });
    let focused = RwSignal::new(None::<usize>);
    // Ctrl+X marks a position to move; Ctrl+V puts it under the focused one.
    let cut = RwSignal::new(None::<usize>);
    let dragged = RwSignal::new(None::<usize>);
    let announce = RwSignal::new(String::new());
    let rows = Memo::new(move |_| {
        tree.with_value(|t| {
            let matching = term.with(|q| t.matching(q));
            let searching = !term.with(|q| q.trim().is_empty());
            expanded.with(|open| visible_rows(t, open, searching.then_some(&matching)))
        })
    });
    // The one treeitem in the page's tab order (roving tabindex): the
    // focused one, else the selected one, else the first. Read per item, so
    // moving the focus does not render the list again (which would lose it).
    let tab_stop = Memo::new(move |_| {
        rows.with(|list| {
            let shown = |i: &usize| list.iter().any(|r| r.index == *i);
            focused
                .get()
                .filter(shown)
                .or_else(|| {
                    selected.get().and_then(|id| tree.with_value(|t| t.positions.iter().position(|p| p.id == id)))
                })
                .filter(shown)
                .or_else(|| list.first().map(|r| r.index))
        })
    });
    let id_of = move |i: usize| tree.with_value(|t| t.positions[i].id);
    let focus = move |i: usize| {
        focused.set(Some(i));
        #[cfg(feature = "hydrate")]
        if let Some(element) = document().get_element_by_id(&format!("pos-{}", id_of(i))) {
            use wasm_bindgen::JsCast;
            if let Ok(element) = element.dyn_into::<web_sys::HtmlElement>() {
                let _ = element.focus();
            }
        }
    };
    // Opening or closing a branch renders the list anew: the focus goes
    // back to the same position once it has.
    let refocus = move |i: usize| request_animation_frame(move || focus(i));
    let move_under = move |what: usize, under: Option<usize>| {
        let id = id_of(what);
        let parent = under.map(|u| id_of(u).to_string()).unwrap_or_default();
        let name = tree.with_value(|t| t.positions[what].name.clone());
        let target =
            under.map_or("the top of the chart".to_owned(), |u| tree.with_value(|t| t.positions[u].name.clone()));
        announce.set(format!("Moving {name} under {target}…"));
        actions.moving.dispatch(format!("id={id}&parent={parent}"));
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let list = rows.get_untracked();
        let Some(current) = focused.get_untracked().or_else(|| list.first().map(|r| r.index)) else { return };
        let Some(at) = list.iter().position(|r| r.index == current) else { return };
        let row = &list[at];
        let parent_of = |i: usize| tree.with_value(|t| parents(t)[i]);
        match ev.key().as_str() {
            "ArrowDown" => {
                if let Some(next) = list.get(at + 1) {
                    focus(next.index);
                }
            }
            "ArrowUp" if at > 0 => focus(list[at - 1].index),
            "Home" => focus(list[0].index),
            "End" => focus(list[list.len() - 1].index),
            "ArrowRight" if row.has_children && !row.expanded => {
                expanded.update(|e| {
                    e.insert(current);
                });
                refocus(current);
            }
            "ArrowRight" if row.has_children => {
                if let Some(child) = list.get(at + 1) {
                    focus(child.index);
                }
            }
            "ArrowLeft" if row.expanded => {
                expanded.update(|e| {
                    e.remove(&current);
                });
                refocus(current);
            }
            "ArrowLeft" => {
                if let Some(parent) = parent_of(current) {
                    focus(parent);
                }
            }
            "Enter" | " " => {
                let navigate = leptos_router::hooks::use_navigate();
                navigate(&chart_href(Some(id_of(current)), ""), Default::default());
            }
            "x" | "X" if ev.ctrl_key() || ev.meta_key() => {
                cut.set(Some(current));
                let name = tree.with_value(|t| t.positions[current].name.clone());
                announce.set(format!("{name} is ready to move: go to its new parent and press Ctrl+V."));
            }
            "v" | "V" if ev.ctrl_key() || ev.meta_key() => {
                if let Some(what) = cut.get_untracked() {
                    cut.set(None);
                    move_under(what, Some(current));
                }
            }
            _ => return,
        }
        ev.prevent_default();
    };
    view! {
        <Form method="GET" action=PATH attr:class="toolbar" attr:role="search">
            {move || selected.get().map(|id| view! { <input type="hidden" name="position" value=id.to_string() /> })}
            <label for="chart-search" class="visually-hidden">"Search positions"</label>
            <input id="chart-search" name="q" type="search" maxlength="100" placeholder="Search positions" prop:value=move || term.get() value=move || term.get()
                on:input:target=move |ev| term.set(ev.target().value()) />
            <button type="submit" class="button js-hidden">"Search"</button>
        </Form>
        <p class="visually-hidden" role="status" aria-live="polite">{move || announce.get()}</p>
        {move || {
            let list = rows.get();
            if list.is_empty() {
                return view! {
                    <p class="muted chart-empty">{if tree.with_value(|t| t.positions.is_empty()) {
                        "No positions yet. Add the first one below."
                    } else {
                        "No position's name contains that."
                    }}</p>
                }.into_any();
            }
            view! {
                <ul class="chart-tree" role="tree" aria-label="Org chart" on:keydown=on_key>
                    {list.into_iter().map(|row| {
                        let (id, name, holders) = tree.with_value(|t| {
                            let p = &t.positions[row.index];
                            (p.id, p.name.clone(), p.holders)
                        });
                        let index = row.index;
                        let is_selected = move || selected.get() == Some(id);
                        let level = row.level.to_string();
                        view! {
                            <li
                                id=format!("pos-{id}")
                                role="treeitem"
                                class=format!("chart-node chart-level-{}", (row.level - 1).min(12))
                                class:chart-cut=move || cut.get() == Some(index)
                                aria-setsize=row.set_size.to_string()
                                aria-posinset=row.position_in_set.to_string()
                                aria-expanded=row.has_children.then(|| if row.expanded { "true" } else { "false" })
                                aria-selected=move || if is_selected() { "true" } else { "false" }
                                tabindex=move || if tab_stop.get() == Some(index) { "0" } else { "-1" }
                                draggable="true"
                                on:focus=move |_| focused.set(Some(index))
                                on:dragstart=move |ev: leptos::ev::DragEvent| {
                                    dragged.set(Some(index));
                                    // Firefox starts a drag only with data set.
                                    #[cfg(feature = "hydrate")]
                                    if let Some(data) = ev.data_transfer() {
                                        let _ = data.set_data("text/plain", &id.to_string());
                                        data.set_effect_allowed("move");
                                    }
                                    #[cfg(not(feature = "hydrate"))]
                                    let _ = ev;
                                }
                                on:dragover=move |ev: leptos::ev::DragEvent| ev.prevent_default()
                                on:drop=move |ev: leptos::ev::DragEvent| {
                                    ev.prevent_default();
                                    if let Some(what) = dragged.get_untracked().filter(|w| *w != index) {
                                        dragged.set(None);
                                        move_under(what, Some(index));
                                    }
                                }
                            >
                                {if row.has_children {
                                    view! {
                                        <span class="chart-toggle" aria-hidden="true" on:click=move |_| expanded.update(|e| {
                                            if !e.remove(&index) {
                                                e.insert(index);
                                            }
                                        })>{if row.expanded { "▾" } else { "▸" }}</span>
                                    }.into_any()
                                } else {
                                    view! { <span class="chart-toggle chart-leaf" aria-hidden="true"></span> }.into_any()
                                }}
                                <a href=chart_href(Some(id), "") tabindex="-1" class:chart-selected=is_selected>{name}</a>
                                <span class="chart-holders">{match holders {
                                    0 => "vacant".to_owned(),
                                    1 => "1 holder".to_owned(),
                                    n => format!("{n} holders"),
                                }}</span>
                            </li>
                        }
                        // `view!` has no `aria-level` (tachys lacks it).
                        .add_any_attr(leptos::tachys::html::attribute::custom::custom_attribute("aria-level", level))
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
        <p class="hint chart-keys">"Keys: ↑ ↓ move, → opens, ← closes, Enter selects; Ctrl+X then Ctrl+V on another position moves it there."</p>
    }
}

/// Each position's parent (an index), if it has one in the chart.
fn parents(tree: &Tree) -> Vec<Option<usize>> {
    let mut parent = vec![None; tree.positions.len()];
    for (p, kids) in tree.children.iter().enumerate() {
        for &k in kids {
            parent[k] = Some(p);
        }
    }
    parent
}

/// The rows shown, in order: the tops, and the children of each open
/// position; while searching, only the matches and the paths to them, open.
fn visible_rows(tree: &Tree, open: &HashSet<usize>, only: Option<&HashSet<usize>>) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut stack: Vec<(usize, usize, usize, usize)> = Vec::new();
    let keep = |i: &usize| only.is_none_or(|only| only.contains(i));
    let tops: Vec<usize> = tree.roots.iter().copied().filter(keep).collect();
    for (n, &i) in tops.iter().enumerate().rev() {
        stack.push((i, 1, tops.len(), n + 1));
    }
    while let Some((i, level, set_size, position_in_set)) = stack.pop() {
        let kids: Vec<usize> = tree.children[i].iter().copied().filter(keep).collect();
        let expanded = !kids.is_empty() && (open.contains(&i) || only.is_some());
        rows.push(Row { index: i, level, set_size, position_in_set, has_children: !kids.is_empty(), expanded });
        if expanded {
            for (n, &k) in kids.iter().enumerate().rev() {
                stack.push((k, level + 1, kids.len(), n + 1));
            }
        }
    }
    rows
}

#[component]
fn PositionPanel(
    position: PositionDetails,
    actions: ChartActions,
    error: Signal<Option<AppError>>,
    candidates: Resource<
        Result<Option<Vec<crate::features::positions::types::Holder>>, AppError>,
        crate::components::resource::Json,
    >,
) -> impl IntoView {
    let address = use_query_map();
    let id = position.id;
    // The delete link changes only the address: the confirmation follows it.
    let confirming = Signal::derive(move || address.with(|p| p.get("confirm").as_deref() == Some("delete")));
    let position_name = position.name.clone();
    let find = address.with_untracked(|p| p.get("find")).unwrap_or_default();
    let name = position.name.clone();
    let users_href = format!("/settings/users?position={id}");
    let holders_total = position.holders_total;
    let shown = position.holders.len() as i64;
    view! {
        <nav aria-label="Place in the chart" class="breadcrumb">
            {position.path.iter().map(|p| view! { <a href=chart_href(Some(p.id), "")>{p.name.clone()}</a>" › " }).collect_view()}
        </nav>
        <h2 id="position-title">{name.clone()}</h2>
        <p class="muted">{format!(
            "{} · {}",
            match holders_total { 0 => "Vacant".to_owned(), 1 => "1 holder".to_owned(), n => format!("{n} holders") },
            match position.children { 0 => "no sub-positions".to_owned(), 1 => "1 sub-position".to_owned(), n => format!("{n} sub-positions") },
        )}</p>
        <h3>"Holders"</h3>
        {if position.holders.is_empty() {
            view! { <p class="muted">"Nobody holds this position."</p> }.into_any()
        } else {
            view! {
                <ul class="plain-list candidates" aria-label="Holders">
                    {position.holders.into_iter().map(|holder| { let name = name.clone(); view! {
                        <li>
                            <span>{holder.name.clone()}<span class="hint">{holder.email.clone()}</span></span>
                            <ServerForm action=actions.remove>
                                <input type="hidden" name="position" value=id.to_string() />
                                <input type="hidden" name="user" value=holder.id.to_string() />
                                <button type="submit" class="button button-small" aria-label=format!("Remove {} from {}", holder.name, name.clone())>"Remove"</button>
                            </ServerForm>
                        </li>
                    }}).collect_view()}
                </ul>
            }.into_any()
        }}
        {(holders_total > shown).then(|| view! { <p>{format!("{shown} of {holders_total} shown.")}</p> })}
        <p><a href=users_href>"See the holders of this position and everything below it in User Management"</a></p>
        <Form method="GET" action=PATH attr:class="toolbar" attr:role="search">
            <input type="hidden" name="position" value=id.to_string() />
            <label for="holder-search">"Give this position to"</label>
            <input id="holder-search" name="find" type="search" maxlength="100" placeholder="Name or email of an employee" value=find.clone() />
            <button type="submit" class="button">"Find"</button>
        </Form>
        <Transition fallback=|| view! { <LoadingState label="Searching…" /> }>
            {move || Suspend::new(async move {
                match candidates.await {
                    Ok(None) => ().into_any(),
                    Ok(Some(found)) if found.is_empty() => view! { <p class="muted">"No employee without this position matches."</p> }.into_any(),
                    Ok(Some(found)) => view! {
                        <ul class="plain-list candidates" aria-label="Employees found">
                            {found.into_iter().map(|person| view! {
                                <li>
                                    <span>{person.name.clone()}<span class="hint">{person.email.clone()}</span></span>
                                    <ServerForm action=actions.add>
                                        <input type="hidden" name="position" value=id.to_string() />
                                        <input type="hidden" name="user" value=person.id.to_string() />
                                        <button type="submit" class="button button-small" aria-label=format!("Give the position to {}", person.name)>"Give"</button>
                                    </ServerForm>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <ErrorState error /> }.into_any(),
                }
            })}
        </Transition>
        <h3>"Change"</h3>
        <ServerForm action=actions.rename>
            <input type="hidden" name="id" value=id.to_string() />
            <div class="inline-fields">
                <Field label="Name" name="name" id="position-name" required=true max_chars=MAX_POSITION_NAME_CHARS autocomplete="off" value=position.name.clone() error=field_error(error, "name") />
                <button type="submit" class="button">"Rename"</button>
            </div>
        </ServerForm>
        <ServerForm action=actions.create reset_on_success=true>
            <input type="hidden" name="parent" value=id.to_string() />
            <div class="inline-fields">
                <Field label="New sub-position" name="name" id="new-sub-position" max_chars=MAX_POSITION_NAME_CHARS autocomplete="off" error=Signal::derive(|| None::<String>) />
                <button type="submit" class="button">"Add"</button>
            </div>
        </ServerForm>
        <ServerForm action=actions.moving reset_on_success=true>
            <input type="hidden" name="id" value=id.to_string() />
            <div class="inline-fields">
                <Field label="Move under" name="parent_name" max_chars=MAX_POSITION_NAME_CHARS autocomplete="off" hint="The new parent's name; everything below this position moves with it." error=field_error(error, "parent_name") />
                <button type="submit" class="button">"Move"</button>
            </div>
        </ServerForm>
        <ServerForm action=actions.moving>
            <input type="hidden" name="id" value=id.to_string() />
            <input type="hidden" name="parent" value="" />
            <p>
                <button type="submit" class="button" disabled=position.path.is_empty()>"Move to the top of the chart"</button>
                <span class="hint">" To put it under another position, drag it there in the chart, or press Ctrl+X on it and Ctrl+V on the other."</span>
            </p>
        </ServerForm>
        {move || field_error(error, "parent").get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
        {move || if confirming.get() {
            view! {
                <div class="access-confirm" role="alertdialog" aria-labelledby="delete-position-title">
                    <h3 id="delete-position-title">{format!("Delete \u{201c}{}\u{201d}?", position_name)}</h3>
                    <ServerForm action=actions.delete>
                        <input type="hidden" name="id" value=id.to_string() />
                        <div class="panel-actions">
                            <button type="submit" class="button button-danger">"Delete position"</button>
                            <a class="button" href=chart_href(Some(id), "")>"Cancel"</a>
                        </div>
                    </ServerForm>
                </div>
            }.into_any()
        } else {
            view! { <p><a class="button button-danger-quiet" href=chart_href(Some(id), "&confirm=delete")>"Delete position"</a></p> }.into_any()
        }}
    }
}
