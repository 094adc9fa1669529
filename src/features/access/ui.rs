//! Access pages: `/settings/roles` (what Basic and Operator hold by
//! default), `/settings/users/:id/access` (one user's access settings, each
//! permission with why they have it or not) and "My access" on `/account`.
//! Every form posts without JavaScript too.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::feedback::{ErrorAlert, ErrorState, LoadingState, SuccessAlert};
use crate::components::form::{SubmitButton, action_error, field_error};
use crate::components::layout::SettingsHead;
use crate::components::resource::server_resource;
use crate::components::server_form::{FormAction, ServerForm};
use crate::features::access::api::{SaveRoleDefaults, SaveUserAccess, load_role_defaults, load_user_access, my_access};
use crate::features::access::types::{AccessPermission, ExplainedAccess, RoleDefaults, Setting, UserAccess};
use crate::features::dashboards::ui::{DashboardsForm, UserDashboardsForm};
use crate::features::users::types::Role;

fn saved_notice() -> bool {
    use_query_map().with(|q| q.get("notice").as_deref() == Some("saved"))
}

/// Allowed or not, in words and a sign (never colour alone).
#[component]
fn Effective(allowed: bool) -> impl IntoView {
    if allowed {
        view! { <span class="badge badge-ok"><span aria-hidden="true">"✓ "</span>"Allowed"</span> }.into_any()
    } else {
        view! { <span class="badge badge-off"><span aria-hidden="true">"✕ "</span>"Not allowed"</span> }.into_any()
    }
}

/// A permission as a row's header: its name and what it lets one do.
#[component]
fn PermissionHeader(permission: AccessPermission) -> impl IntoView {
    view! {
        <th scope="row">
            <span class="permission-name">{permission.label()}</span>
            <span class="hint">{permission.description()}</span>
        </th>
    }
}

#[component]
pub fn RolesPage() -> impl IntoView {
    let action = FormAction::new::<SaveRoleDefaults>();
    let defaults = server_resource(move || action.version().get(), |_| load_role_defaults());
    view! {
        <SettingsHead title="Roles" lead="What each role may do unless a user's own access settings say otherwise. A change applies to every user of the role at their next click." />
        {move || (saved_notice() || matches!(action.value().get(), Some(Ok(())))).then(|| view! {
            <SuccessAlert message="The roles are saved." />
        })}
        <Suspense fallback=|| view! { <LoadingState label="Loading the roles…" /> }>
            {move || Suspend::new(async move {
                match defaults.await {
                    Ok(defaults) => view! { <RolesForm defaults action /> }.into_any(),
                    Err(error) => view! { <ErrorState error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn RolesForm(defaults: RoleDefaults, action: FormAction<()>) -> impl IntoView {
    let error = action_error(action.value());
    let pending = action.pending();
    view! {
        <ErrorAlert error />
        <ServerForm action>
            <div class="card table-wrap">
                <table class="data-table access-table">
                    <caption class="visually-hidden">"Permissions each role holds by default"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Permission"</th>
                            <th scope="col" class="access-cell">"Basic"</th>
                            <th scope="col" class="access-cell">"Operator"</th>
                            <th scope="col" class="access-cell">"Superuser"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {AccessPermission::ALL.into_iter().map(|p| {
                            let label = p.label();
                            view! {
                                <tr>
                                    <PermissionHeader permission=p />
                                    <td class="access-cell">
                                        <input type="checkbox" name=format!("basic[{}]", p.key()) value="on"
                                            checked=defaults.basic.contains(p) aria-label=format!("Basic: {label}") />
                                    </td>
                                    <td class="access-cell">
                                        <input type="checkbox" name=format!("operator[{}]", p.key()) value="on"
                                            checked=defaults.operator.contains(p) aria-label=format!("Operator: {label}") />
                                    </td>
                                    <td class="access-cell">
                                        <input type="checkbox" checked=true disabled=true
                                            aria-label=format!("Superuser: {label} (always)") />
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <p class="muted">"A Superuser holds every permission, always."</p>
            <div class="form-actions-inline">
                <SubmitButton label="Save" pending_label="Saving…" pending />
            </div>
        </ServerForm>
    }
}

/// `/settings/users/:id/access`.
#[component]
pub fn UserAccessPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").unwrap_or_default());
    let action = FormAction::new::<SaveUserAccess>();
    let dashboards = {
        let user = id.parse::<uuid::Uuid>().ok();
        DashboardsForm::new(move || user)
    };
    let access = server_resource(
        move || (id.clone(), action.version().get()),
        |(id, _)| async move {
            match id.parse::<uuid::Uuid>() {
                Ok(id) => load_user_access(id).await,
                Err(_) => Err(crate::error::AppError::NotFound),
            }
        },
    );
    view! {
        <Title text="Access settings" />
        {move || (saved_notice() || matches!(action.value().get(), Some(Ok(())))).then(|| view! {
            <SuccessAlert message="The access settings are saved." />
        })}
        <Suspense fallback=|| view! { <LoadingState label="Loading the access settings…" /> }>
            {move || Suspend::new(async move {
                match access.await {
                    Ok(access) => view! { <UserAccessForm access action dashboards /> }.into_any(),
                    Err(error) => view! {
                        <div class="page-head"><div><p class="breadcrumb">"User Management"</p><h1>"Access settings"</h1></div></div>
                        <ErrorState error />
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn UserAccessForm(access: UserAccess, action: FormAction<()>, dashboards: DashboardsForm) -> impl IntoView {
    let error = action_error(action.value());
    let pending = action.pending();
    let editable = access.editable;
    let user = access.user_id.to_string();
    let first_name = access.name.split(' ').next().unwrap_or_default().to_owned();
    view! {
        <div class="page-head">
            <div>
                <p class="breadcrumb"><a href="/settings/users">"User Management"</a></p>
                <h1>{format!("Access settings: {}", access.name)}</h1>
                <p class="muted">{format!("{} · {}", access.role.label(), access.summary)}</p>
            </div>
        </div>
        <ErrorAlert error />
        <ServerForm action>
            <input type="hidden" name="user" value=user />
            <div class="card table-wrap">
                <table class="data-table access-table">
                    <caption class="visually-hidden">{format!("Access settings of {}", access.name)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Permission"</th>
                            <th scope="col">"Role default"</th>
                            <th scope="col">"Setting"</th>
                            <th scope="col">"Access"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {access.permissions.into_iter().map(|line| view! { <AccessRow line editable error /> }).collect_view()}
                    </tbody>
                </table>
            </div>
            {editable.then(|| view! {
                <p class="muted">"A setting equal to the role's default is not kept: the user follows the role again."</p>
                <div class="form-actions-inline">
                    <SubmitButton label="Save access settings" pending_label="Saving…" pending />
                </div>
            })}
        </ServerForm>
        {(access.role != Role::Superuser).then(|| view! {
            <UserDashboardsForm user=access.user_id name=first_name editable form=dashboards />
        })}
    }
}

#[component]
fn AccessRow(line: ExplainedAccess, editable: bool, error: Signal<Option<crate::error::AppError>>) -> impl IntoView {
    let p = line.permission;
    let label = p.label();
    let select_id = format!("access-{}", p.key());
    let why_id = format!("access-{}-why", p.key());
    let message = field_error(error, p.key());
    let setting_cell = if editable {
        let choice = |setting: Setting, text: &'static str| {
            view! { <option value=setting.param() selected=line.setting == setting>{text}</option> }
        };
        view! {
            <label class="visually-hidden" for=select_id.clone()>{format!("Setting for {label}")}</label>
            <select id=select_id name=format!("settings[{}]", p.key()) aria-describedby=why_id.clone()>
                {choice(Setting::Default, "Role default")}
                {choice(Setting::Granted, "Granted")}
                {choice(Setting::Denied, "Denied")}
            </select>
            {move || message.get().map(|m| view! { <p class="field-error">{m}</p> })}
        }
        .into_any()
    } else {
        let text = match line.setting {
            Setting::Default => "Role default",
            Setting::Granted => "Granted",
            Setting::Denied => "Denied",
        };
        view! { <span>{text}</span> }.into_any()
    };
    view! {
        <tr>
            <PermissionHeader permission=p />
            <td>{if line.role_default { "Granted" } else { "Not granted" }}</td>
            <td>{setting_cell}</td>
            <td class="access-why">
                <Effective allowed=line.allowed />
                <span class="hint" id=why_id>{line.explanation}</span>
            </td>
        </tr>
    }
}

/// Each permission, allowed or not, with the sentence that says why (the
/// one the check itself gives): "My access" and a user's details panel.
#[component]
pub fn AccessList(permissions: Vec<ExplainedAccess>) -> impl IntoView {
    view! {
        <ul class="access-list">
            {permissions.into_iter().map(|line| view! {
                <li>
                    <Effective allowed=line.allowed />
                    " "<span class="permission-name">{line.permission.label()}</span>
                    <span class="hint">{line.explanation}</span>
                </li>
            }).collect_view()}
        </ul>
    }
}

/// "My access" on `/account`: every permission, whether the user holds it,
/// and why.
#[component]
pub fn MyAccess() -> impl IntoView {
    let access = server_resource(|| (), |_| my_access());
    view! {
        <section class="card form-card my-access" aria-labelledby="my-access-title">
            <h2 id="my-access-title">"My access"</h2>
            <Suspense fallback=|| view! { <LoadingState label="Loading your access…" /> }>
                {move || Suspend::new(async move {
                    match access.await {
                        Ok(access) => view! {
                            <p class="muted">{format!("{} · {}", access.role.label(), access.summary)}</p>
                            <AccessList permissions=access.permissions />
                        }.into_any(),
                        Err(error) => view! { <ErrorState error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
