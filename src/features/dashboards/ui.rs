//! Dashboard pages: Settings › Dashboards (Superuser), `/dashboards` (each
//! user's own), one dashboard, and the "Dashboard permissions" form of a
//! user's Access settings page. Every form posts without JavaScript too.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::feedback::{ErrorAlert, ErrorState, LoadingState, SuccessAlert};
use crate::components::form::{Field, action_error, field_error};
use crate::components::layout::SettingsHead;
use crate::components::resource::Json;
use crate::components::resource::server_resource;
use crate::components::server_form::{FormAction, ServerForm};
use crate::error::AppError;
use crate::features::access::types::DashboardAccess;
use crate::features::dashboards::api::{
    DeleteDashboard, SaveDashboard, SaveUserDashboards, list_dashboards, my_dashboards, open_dashboard, user_dashboards,
};
use crate::features::dashboards::types::{
    Dashboard, DashboardChoice, MAX_DASHBOARD_DESCRIPTION_CHARS, MAX_DASHBOARD_NAME_CHARS,
};

fn notice() -> Option<String> {
    use_query_map().with(|q| q.get("notice"))
}

#[component]
pub fn DashboardSettingsPage() -> impl IntoView {
    let save = FormAction::new::<SaveDashboard>();
    let delete = FormAction::new::<DeleteDashboard>();
    let dashboards = server_resource(move || (save.version().get(), delete.version().get()), |_| list_dashboards());
    let message = move || match (save.value().get(), delete.value().get(), notice().as_deref()) {
        (Some(Ok(())), ..) | (_, _, Some("saved")) => Some("The dashboard is saved."),
        (_, Some(Ok(())), _) | (_, _, Some("deleted")) => Some("The dashboard is deleted."),
        _ => None,
    };
    let error = action_error(save.value());
    view! {
        <SettingsHead title="Dashboards" lead="The organization's dashboards. Who may open which is set on each user's Access settings (Dashboard permissions); a Superuser opens all." />
        {move || message().map(|m| view! { <SuccessAlert message=m /> })}
        <ErrorAlert error />
        <ErrorAlert error=action_error(delete.value()) />
        <Suspense fallback=|| view! { <LoadingState label="Loading the dashboards…" /> }>
            {move || Suspend::new(async move {
                match dashboards.await {
                    Ok(list) if list.is_empty() => view! {
                        <div class="state state-empty card"><p class="state-title">"No dashboards yet."</p><p>"Create the first one below."</p></div>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul class="plain-list dashboard-list">
                            {list.into_iter().map(|d| view! { <DashboardRow dashboard=d save delete /> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <ErrorState error /> }.into_any(),
                }
            })}
        </Suspense>
        <section class="card form-card narrow-form" aria-labelledby="new-dashboard-title">
            <h2 id="new-dashboard-title">"New dashboard"</h2>
            <ServerForm action=save>
                <Field label="Name" name="name" required=true max_chars=MAX_DASHBOARD_NAME_CHARS autocomplete="off" error=field_error(error, "name") />
                <Field label="Description" name="description" max_chars=MAX_DASHBOARD_DESCRIPTION_CHARS autocomplete="off" error=field_error(error, "description") />
                <button type="submit" class="button button-primary" disabled=move || save.pending().get()>"Create dashboard"</button>
            </ServerForm>
        </section>
    }
}

#[component]
fn DashboardRow(dashboard: Dashboard, save: FormAction<()>, delete: FormAction<()>) -> impl IntoView {
    let id = dashboard.id.to_string();
    let (name_id, description_id) = (format!("dashboard-{id}-name"), format!("dashboard-{id}-description"));
    let delete_id = id.clone();
    let name_label = format!("Name of \u{201c}{}\u{201d}", dashboard.name);
    let description_label = format!("Description of \u{201c}{}\u{201d}", dashboard.name);
    let (save_label, delete_label) = (format!("Save {}", dashboard.name), format!("Delete {}", dashboard.name));
    let (name, description) = (dashboard.name, dashboard.description);
    view! {
        <li class="card dashboard-row">
            <ServerForm action=save>
                <input type="hidden" name="id" value=id />
                <div class="field-row">
                    <div class="field">
                        <label for=name_id.clone()>{name_label}</label>
                        <input id=name_id name="name" required=true maxlength=MAX_DASHBOARD_NAME_CHARS value=name />
                    </div>
                    <div class="field">
                        <label for=description_id.clone()>{description_label}</label>
                        <input id=description_id name="description" maxlength=MAX_DASHBOARD_DESCRIPTION_CHARS value=description />
                    </div>
                </div>
                <button type="submit" class="button button-small">{save_label}</button>
            </ServerForm>
            <ServerForm action=delete>
                <input type="hidden" name="id" value=delete_id />
                <button type="submit" class="button button-small button-danger-quiet">{delete_label}</button>
            </ServerForm>
        </li>
    }
}

/// `/dashboards`: the dashboards the signed-in user may open.
#[component]
pub fn MyDashboardsPage() -> impl IntoView {
    let dashboards = server_resource(|| (), |_| my_dashboards());
    view! {
        <SettingsHead title="My dashboards" lead="The dashboards you may open." />
        <Suspense fallback=|| view! { <LoadingState label="Loading your dashboards…" /> }>
            {move || Suspend::new(async move {
                match dashboards.await {
                    Ok(list) if list.is_empty() => view! {
                        <div class="state state-empty card">
                            <p class="state-title">"No dashboards for you yet."</p>
                            <p>"Your admin chooses which dashboards you may open."</p>
                        </div>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul class="plain-list dashboard-list">
                            {list.into_iter().map(|d| view! {
                                <li class="card"><a class="permission-name" href=format!("/dashboards/{}", d.id)>{d.name}</a><span class="hint">{d.description}</span></li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <ErrorState error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/dashboards/:id`: one of the user's dashboards (another's is "not found").
#[component]
pub fn DashboardPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").unwrap_or_default());
    let dashboard = server_resource(
        move || id.clone(),
        |id| async move {
            match uuid::Uuid::parse_str(&id) {
                Ok(id) => open_dashboard(id).await,
                Err(_) => Err(crate::error::AppError::NotFound),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <LoadingState label="Loading the dashboard…" /> }>
            {move || Suspend::new(async move {
                match dashboard.await {
                    Ok(d) => view! {
                        <Title text=d.name.clone() />
                        <div class="page-head"><div>
                            <p class="breadcrumb"><a href="/dashboards">"My dashboards"</a></p>
                            <h1>{d.name}</h1>
                            <p class="lead">{d.description}</p>
                        </div></div>
                        <p class="muted">"Its charts and sensor analysis come from your sensor system; Roster decides who may open it."</p>
                    }.into_any(),
                    Err(error) => {
                        #[cfg(feature = "ssr")]
                        if matches!(error, crate::error::AppError::NotFound) {
                            if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                                response.set_status(http::StatusCode::NOT_FOUND);
                            }
                        }
                        view! { <Title text="Dashboard not found" /><ErrorState error /> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// The state of a user's "Dashboard permissions" form: its action and what
/// it shows, reloaded after each save. A page creates it where it creates
/// its other resources, never inside a `Suspense`'s resolved branch: the
/// server and the browser number resources in the order they create them,
/// and one created only once another has loaded would get a different
/// number in each, so hydration would find the wrong data.
#[derive(Clone, Copy)]
pub struct DashboardsForm {
    action: FormAction<()>,
    choice: Resource<Result<DashboardChoice, AppError>, Json>,
}

impl DashboardsForm {
    pub fn new(user: impl Fn() -> Option<uuid::Uuid> + Send + Sync + 'static) -> Self {
        let action = FormAction::new::<SaveUserDashboards>();
        let choice = server_resource(
            move || (user(), action.version().get()),
            |(user, _)| async move {
                match user {
                    Some(user) => user_dashboards(user).await,
                    None => Err(AppError::NotFound),
                }
            },
        );
        Self { action, choice }
    }

    /// Waits until the form has what it shows, so a panel can appear whole
    /// instead of with a loading line at its foot.
    pub async fn loaded(self) {
        let _ = self.choice.await;
    }
}

/// "Dashboard permissions" on a user's Access settings page and in their
/// details panel on User Management (`panel_view`: the table's view, which
/// a save without JavaScript returns to, panel open).
#[component]
pub fn UserDashboardsForm(
    user: uuid::Uuid,
    name: String,
    editable: bool,
    form: DashboardsForm,
    #[prop(optional)] panel_view: Option<String>,
) -> impl IntoView {
    let DashboardsForm { action, choice } = form;
    let error = action_error(action.value());
    let saved = move || notice().as_deref() == Some("dashboards_saved") || matches!(action.value().get(), Some(Ok(())));
    let in_panel = panel_view.is_some();
    let intro = format!("Which dashboards {name} may open. Any dashboard also needs See Dashboard & Sensor analysis.");
    let heading = if in_panel {
        view! { <h3 id="dashboards-title">"Dashboard permissions"</h3> }.into_any()
    } else {
        view! { <h2 id="dashboards-title">"Dashboard permissions"</h2> }.into_any()
    };
    view! {
        <section class=if in_panel { "panel-section dashboards-form" } else { "card form-card dashboards-form" } aria-labelledby="dashboards-title">
            {heading}
            <p class="muted">{intro}</p>
            {move || saved().then(|| view! { <SuccessAlert message="The dashboard permissions are saved." /> })}
            <ErrorAlert error />
            // A Transition: after a save the form stays while it reloads.
            <Transition fallback=|| view! { <LoadingState label="Loading the dashboards…" /> }>
                {move || {
                    let panel_view = panel_view.clone();
                    Suspend::new(async move {
                    match choice.await {
                        Ok(choice) => view! {
                            <ServerForm action>
                                <input type="hidden" name="user" value=user.to_string() />
                                {panel_view.map(|view_string| view! {
                                    <input type="hidden" name="panel" value="true" />
                                    <input type="hidden" name="view" value=view_string />
                                })}
                                <fieldset class="form-section" disabled=!editable>
                                    <legend>"Dashboards"</legend>
                                    {DashboardAccess::ALL.into_iter().map(|access| view! {
                                        <label class="choice">
                                            <input type="radio" name="dashboard_access" value=access.param() checked=choice.access == access />
                                            " " {access.label()}
                                        </label>
                                    }).collect_view()}
                                </fieldset>
                                <fieldset class="form-section" disabled=!editable>
                                    <legend>"Selected dashboards"</legend>
                                    {choice.dashboards.is_empty().then(|| view! { <p class="muted">"The organization has no dashboards yet."</p> })}
                                    {choice.dashboards.iter().map(|d| view! {
                                        <label class="choice">
                                            <input type="checkbox" name=format!("dashboards[id-{}]", d.id) value="on" checked=choice.chosen.contains(&d.id) />
                                            " " {d.name.clone()}
                                        </label>
                                    }).collect_view()}
                                    {move || field_error(error, "dashboards").get().map(|m| view! { <p class="field-error">{m}</p> })}
                                </fieldset>
                                {editable.then(|| view! {
                                    <button type="submit" class="button button-primary" disabled=move || action.pending().get()>"Save dashboard permissions"</button>
                                })}
                            </ServerForm>
                        }.into_any(),
                        Err(error) => view! { <ErrorState error /> }.into_any(),
                    }
                    })
                }}
            </Transition>
        </section>
    }
}
