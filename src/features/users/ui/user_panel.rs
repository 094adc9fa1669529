//! The details panel of one user (`?user=<id>` on User Management): the
//! profile, where the invite stands (expiry, each mail's delivery) and the
//! invite actions. A drawer over the table, opened and closed by its URL.

use leptos::prelude::*;
use uuid::Uuid;

use super::table::{MailLine, StatusBadge};
use crate::components::feedback::{ErrorAlert, ErrorState, LoadingState, SuccessAlert};
use crate::components::form::{Field, TimeZoneField, action_error, field_error};
use crate::components::modal::Modal;
use crate::components::polling::refresh_while;
use crate::components::resource::server_resource;
use crate::components::server_form::{FormAction, ServerForm};
use crate::error::AppError;
use crate::features::access::api::load_user_access;
use crate::features::access::types::UserAccess;
use crate::features::access::ui::AccessList;
use crate::features::dashboards::ui::{DashboardsForm, UserDashboardsForm};
use crate::features::users::api::user_details;
use crate::features::users::types::{AccountLock, MailStatus, Role, ShownStatus, UserDetails, UserListQuery};
use leptos_router::hooks::use_query_map;

/// The panel's actions. They live on the page, so the table reloads after
/// each too.
#[derive(Clone, Copy)]
pub struct PanelActions {
    pub resend: FormAction<()>,
    pub cancel: FormAction<()>,
    pub disable: FormAction<()>,
    pub enable: FormAction<()>,
    pub delete: FormAction<()>,
    pub edit: FormAction<()>,
    pub transfer: FormAction<()>,
    pub unlock: FormAction<()>,
    pub recover: FormAction<()>,
}

impl PanelActions {
    fn all(self) -> [FormAction<()>; 9] {
        [
            self.resend,
            self.cancel,
            self.disable,
            self.enable,
            self.delete,
            self.edit,
            self.transfer,
            self.unlock,
            self.recover,
        ]
    }

    /// Changes after each completed action (a resource reloads on it).
    pub fn versions(self) -> [usize; 9] {
        self.all().map(|action| action.version().get())
    }

    /// The last action's error, if it failed.
    fn error(self) -> Signal<Option<AppError>> {
        Signal::derive(move || self.all().into_iter().find_map(|action| action_error(action.value()).get()))
    }
}

#[component]
pub fn UserPanel(
    id: Uuid,
    query: Memo<UserListQuery>,
    notice: Signal<Option<String>>,
    actions: PanelActions,
) -> impl IntoView {
    // Reloaded after each action, so the panel shows the new expiry and mail.
    let editing = use_query_map().with_untracked(|p| p.get("edit").is_some());
    // The edit form also offers every group.
    let details = server_resource(move || actions.versions(), move |_| user_details(id, editing));
    // What they may do (a new role changes it) and their dashboards. Made
    // here, beside `details`, not once it has loaded: see `DashboardsForm`.
    let access = server_resource(move || actions.versions(), move |_| load_user_access(id));
    let dashboards = DashboardsForm::new(move || Some(id));
    // The table's actions open the panel at their confirmation.
    let confirm = use_query_map().with_untracked(|p| p.get("confirm"));
    let confirming = confirm.as_deref() == Some("access");
    let unlocking = confirm.as_deref() == Some("unlock");
    let deleting = confirm.as_deref() == Some("delete");
    let handing_over = confirm.as_deref() == Some("superuser");
    // Never under an open form: a refresh would replace what is being typed
    // and the version the form was opened with (the conflict check's base).
    let form_open = editing || deleting || handing_over;
    refresh_while(
        move || {
            !form_open
                && details.get().is_some_and(|d| {
                    d.is_ok_and(|d| {
                        d.row.mail_pending() || d.recovery_mails.first().is_some_and(|m| m.state.is_pending())
                    })
                })
        },
        move || details.refetch(),
    );
    // Closing returns to the view the panel was opened from; the actions
    // send that view along (`view`) so their redirect returns there too.
    let close_href = query.with_untracked(UserListQuery::current_href);
    let view_string = close_href.clone();
    let error = actions.error();
    let panel_href = query.with_untracked(|q| q.href_with_panel(id, None));
    let confirm_href = format!("{panel_href}&confirm=access");
    let delete_href = format!("{panel_href}&confirm=delete");
    view! {
        <Modal labelled_by="user-panel-title" close_href=close_href.clone() class="drawer">
            <div class="modal-head">
                <h2 id="user-panel-title">"User details"</h2>
                <a href=close_href class="button button-quiet" aria-label="Close">"✕"</a>
            </div>
            // A Transition: after an action the panel stays as it was until
            // its new state has loaded, and then appears whole (its access
            // and dashboards too), never as a loading line between.
            <Transition fallback=|| view! { <LoadingState label="Loading…" /> }>
                {move || {
                    let (view_string, confirm_href) = (view_string.clone(), confirm_href.clone());
                    let (delete_href, cancel_href) = (delete_href.clone(), panel_href.clone());
                    let me = crate::components::layout::signed_in_user();
                    Suspend::new(async move {
                        let user = details.await;
                        let access = access.await;
                        dashboards.loaded().await;
                        let me = me.await;
                        match user {
                            Ok(user) if deleting => view! {
                                <DeleteSection user error actions view_string cancel_href />
                            }.into_any(),
                            Ok(user) if handing_over => view! {
                                <TransferSection user error actions cancel_href />
                            }
                            .into_any(),
                            Ok(user) if editing => view! {
                                <EditSection user me error actions view_string cancel_href />
                            }.into_any(),
                            Ok(user) => view! {
                                <DetailsBody user me notice error actions view_string confirming unlocking confirm_href delete_href access dashboards />
                            }.into_any(),
                            Err(error) => view! { <ErrorState error /> }.into_any(),
                        }
                    })
                }}
            </Transition>
        </Modal>
    }
}

#[component]
fn DetailsBody(
    user: UserDetails,
    /// The signed-in admin (what they may do to this user).
    me: Option<crate::features::auth::types::CurrentUser>,
    notice: Signal<Option<String>>,
    error: Signal<Option<AppError>>,
    actions: PanelActions,
    view_string: String,
    confirming: bool,
    unlocking: bool,
    confirm_href: String,
    delete_href: String,
    access: Result<UserAccess, AppError>,
    dashboards: DashboardsForm,
) -> impl IntoView {
    let PanelActions { resend, cancel, .. } = actions;
    let row = user.row.clone();
    let name = format!("{} {}", row.first_name, row.last_name);
    let email = row.email.clone();
    let name_for_notice = name.clone();
    let notice_text = move || {
        notice.get().and_then(|n| match n.as_str() {
            "invite_resent" => {
                Some(format!("A new activation link is on its way to {email}. Earlier links no longer work."))
            }
            "invite_canceled" => {
                Some("The invite was cancelled: its link no longer works and its seat is free again.".to_owned())
            }
            "access_disabled" => Some(format!(
                "{name_for_notice} can no longer sign in, and every session of theirs has ended. Their seat is kept."
            )),
            "access_enabled" => Some(format!("{name_for_notice} can sign in again.")),
            "saved" => Some(format!("{name_for_notice}'s profile is saved.")),
            "photo_saved" => Some(format!("{name_for_notice}'s photo is saved.")),
            "photo_removed" => Some(format!("{name_for_notice}'s photo is removed; their initials show instead.")),
            "unlocked" => Some(format!("{name_for_notice}'s account is unlocked: they can sign in again.")),
            "recovery_sent" => Some(format!(
                "A link to choose a new password is on its way to {email}. It works for one hour; earlier recovery links no longer do."
            )),
            _ => None,
        })
    };
    let optional = |value: Option<String>| value.unwrap_or_else(|| "—".to_owned());
    let work_phone = match (&user.work_phone, &user.work_phone_ext) {
        (Some(phone), Some(ext)) => Some(format!("{phone} ext. {ext}")),
        (Some(phone), None) => Some(phone.clone()),
        (None, _) => None,
    };
    let status = row.status;
    let (resend_view, cancel_view) = (view_string.clone(), view_string.clone());
    let own = me.as_ref().is_some_and(|me| me.id == row.id);
    // A holder of the user menu manages Basic and Operator users; deleting,
    // handing over the role and the audit log are the Superuser's (the
    // server checks each again).
    let superuser = me.as_ref().is_some_and(|me| me.is_superuser());
    let manage = superuser || row.role != crate::features::users::types::Role::Superuser;
    let resend_label = if status == ShownStatus::InviteCanceled { "Send invite again" } else { "Resend invite" };
    view! {
        <div class="panel-identity">
            <super::table::Avatar photo=row.photo.clone() first=row.first_name.clone() last=row.last_name.clone() large=true />
            <p class="panel-name">{name.clone()}</p>
            <p class="muted">{row.email.clone()}</p>
            {user.pending_email.clone().map(|pending| view! {
                <p class="pending-email">{format!("pending: {pending}")}<span class="muted">" (waiting for its owner to confirm it)"</span></p>
            })}
            <p><StatusBadge status /> " " <span class="role-tag">{row.role.label()}</span></p>
        </div>
        {move || notice_text().map(|text| view! { <SuccessAlert message=text /> })}
        <ErrorAlert error />
        {row.lock.clone().map(|lock| view! {
            <LockSection user=row.id name=name.clone() lock actions view_string=view_string.clone() unlocking panel_href=delete_href.trim_end_matches("&confirm=delete").to_owned() />
        })}
        {row.invite.clone().map(|invite| view! {
            <section class="panel-section" aria-labelledby="panel-invite">
                <h3 id="panel-invite">"Invitation"</h3>
                <dl class="facts">
                    {match status {
                        ShownStatus::InviteCanceled => view! {
                            <dt>"Link"</dt>
                            <dd>"Cancelled: it no longer works"</dd>
                        }.into_any(),
                        _ => view! {
                            <dt>{if status == ShownStatus::InviteExpired { "Link expired" } else { "Link expires" }}</dt>
                            <dd><time datetime=invite.expires.iso.clone()>{invite.expires.local.clone()}</time></dd>
                        }.into_any(),
                    }}
                    <dt>"Latest mail"</dt>
                    <dd>{match invite.mail.clone() {
                        Some(mail) => view! { <MailLine mail detailed=true /> }.into_any(),
                        None => view! { <span class="muted">"No mail"</span> }.into_any(),
                    }}</dd>
                </dl>
                {(user.mails.len() > 1).then(|| view! { <MailHistory mails=user.mails.clone() /> })}
            </section>
        })}
        {(status.can_resend() || status.can_cancel()).then(|| view! {
            <div class="panel-actions">
                {status.can_resend().then(|| view! {
                    <ServerForm action=resend>
                        <input type="hidden" name="user" value=row.id.to_string() />
                        <input type="hidden" name="view" value=resend_view.clone() />
                        <button type="submit" class="button button-primary" disabled=move || resend.pending().get()>
                            {resend_label}
                        </button>
                    </ServerForm>
                })}
                {status.can_cancel().then(|| view! {
                    <ServerForm action=cancel>
                        <input type="hidden" name="user" value=row.id.to_string() />
                        <input type="hidden" name="view" value=cancel_view.clone() />
                        <button type="submit" class="button button-danger" disabled=move || cancel.pending().get()>
                            "Cancel invite"
                        </button>
                    </ServerForm>
                })}
            </div>
        })}
        {(manage && !own && matches!(status, ShownStatus::Active | ShownStatus::Disabled)).then(|| view! {
            <AccessSection
                user=row.id
                name=name.clone()
                disabled=status == ShownStatus::Disabled
                locked=row.lock.is_some()
                orphans=user.pending_invites_sent.clone()
                actions
                view_string=view_string.clone()
                confirming
                confirm_href=confirm_href.clone()
            />
        })}
        {(manage && !own && status == ShownStatus::Active).then(|| view! {
            <RecoverySection user=row.id mails=user.recovery_mails.clone() actions view_string=view_string.clone() />
        })}
        {(manage && (status == ShownStatus::Active || status == ShownStatus::Disabled || status.can_cancel())).then(|| view! {
            <p><a class="button" href=format!("{}&edit=1", delete_href.trim_end_matches("&confirm=delete"))>"Edit profile"</a></p>
        })}
        {(superuser && !own && status == ShownStatus::Active && row.kind == crate::features::users::types::UserKind::External).then(|| view! {
            <p class="hint">"External users can never become the Superuser or serve the user menu."</p>
        })}
        {(superuser && !own && status == ShownStatus::Active && row.role != crate::features::users::types::Role::Superuser && row.kind == crate::features::users::types::UserKind::Internal).then(|| view! {
            <p><a class="button" href=format!("{}&confirm=superuser", delete_href.trim_end_matches("&confirm=delete"))>"Make Superuser"</a></p>
        })}
        {superuser.then(|| view! {
            <p class="panel-history">
                <a href=format!("/settings/audit?subject={}", row.id)>{format!("History: everything about {name} in the audit log")}</a>
            </p>
        })}
        {(superuser && !own).then(|| view! {
            <p class="panel-danger-link">
                <a class="button button-danger-quiet" href=delete_href>"Delete user"</a>
            </p>
        })}
        <section class="panel-section" aria-labelledby="panel-profile">
            <h3 id="panel-profile">"Profile"</h3>
            <dl class="facts">
                <dt>"Type"</dt><dd>{row.kind.label()}</dd>
                <dt>"Positions"</dt>
                <dd>
                    {if user.positions.is_empty() {
                        view! { <span class="muted">"None"</span> }.into_any()
                    } else {
                        let displayed = user.displayed_position;
                        view! {
                            <ul class="group-links">
                                {user.positions.iter().map(|p| view! {
                                    <li>
                                        <a href=format!("/settings/org-chart?position={}", p.id)>{p.name.clone()}</a>
                                        {(displayed == Some(p.id) && user.positions.len() > 1).then(|| view! { <span class="hint">" (displayed)"</span> })}
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </dd>
                <dt>"Messengers"</dt>
                <dd><crate::features::profile::ui::MessengerList messengers=user.messengers.clone() /></dd>
                {user.field_values.iter().map(|f| view! { <dt>{f.label.clone()}</dt><dd>{f.value.clone()}</dd> }).collect_view()}
                <dt>"Groups"</dt>
                <dd>
                    {if user.groups.is_empty() {
                        view! { <span class="muted">"None"</span> }.into_any()
                    } else {
                        view! {
                            <ul class="group-links">
                                {user.groups.iter().map(|g| view! {
                                    <li><a href=crate::features::users::types::ListPage::Group(g.id).path()>{g.name.clone()}</a></li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </dd>
                <dt>"Time zone"</dt><dd>{user.time_zone.clone()}</dd>
                <dt>"Department"</dt><dd>{optional(user.department.clone())}</dd>
                <dt>"Mobile phone"</dt><dd>{optional(user.mobile_phone.clone())}</dd>
                <dt>"Work phone"</dt><dd>{optional(work_phone)}</dd>
                <dt>"Date of birth"</dt><dd>{optional(user.date_of_birth.clone())}</dd>
                <dt>"Hire date"</dt><dd>{optional(user.hire_date.clone())}</dd>
                <dt>"Invited by"</dt><dd>{optional(user.invited_by.clone())}</dd>
                <dt>"Created"</dt><dd><time datetime=row.created.iso.clone()>{row.created.local.clone()}</time></dd>
                <dt>"Activated"</dt><dd>{optional(user.activated.clone().map(|t| t.local))}</dd>
                <dt>"Last sign-in"</dt><dd>{row.last_sign_in.clone().map(|t| t.local).unwrap_or_else(|| "Never".to_owned())}</dd>
            </dl>
        </section>
        <PermissionsSection user=row.id first_name=row.first_name.clone() access dashboards view_string />
    }
}

/// What the user may do, each permission with why (the sentence the matrix
/// and the API give too), and which dashboards they may open.
#[component]
fn PermissionsSection(
    user: Uuid,
    first_name: String,
    access: Result<UserAccess, AppError>,
    dashboards: DashboardsForm,
    view_string: String,
) -> impl IntoView {
    let heading = view! { <h3 id="panel-permissions">"Permissions"</h3> };
    match access {
        Ok(access) => view! {
            <section class="panel-section" aria-labelledby="panel-permissions">
                {heading}
                <p class="panel-access-summary">
                    <span>{access.summary.clone()}</span>
                    <a href=format!("/settings/users/{user}/access")>
                        {if access.editable { "Change access settings" } else { "Access settings" }}
                    </a>
                </p>
                <AccessList permissions=access.permissions.clone() />
            </section>
            {(access.role != Role::Superuser).then(|| view! {
                <UserDashboardsForm user name=first_name editable=access.editable form=dashboards panel_view=view_string />
            })}
        }
        .into_any(),
        Err(error) => view! {
            <section class="panel-section" aria-labelledby="panel-permissions">
                {heading}
                <ErrorState error />
            </section>
        }
        .into_any(),
    }
}

#[component]
fn MailHistory(mails: Vec<MailStatus>) -> impl IntoView {
    view! {
        <details class="mail-history">
            <summary>{format!("All invite mails ({})", mails.len())}</summary>
            <ol>
                {mails.into_iter().map(|mail| {
                    let queued = mail.queued.clone();
                    view! {
                        <li>
                            <time datetime=queued.iso>{queued.local}</time>
                            " · "
                            <MailLine mail detailed=true />
                        </li>
                    }
                }).collect_view()}
            </ol>
        </details>
    }
}

/// Disable or enable the user's access. Disabling is confirmed first (the
/// table's button opens the panel here): it says what happens and lists
/// the invites the user sent that still wait, which nobody would own.
#[component]
fn AccessSection(
    user: Uuid,
    name: String,
    disabled: bool,
    locked: bool,
    orphans: Vec<String>,
    actions: PanelActions,
    view_string: String,
    confirming: bool,
    confirm_href: String,
) -> impl IntoView {
    let PanelActions { disable, enable, .. } = actions;
    let form_fields = move || {
        view! {
            <input type="hidden" name="user" value=user.to_string() />
            <input type="hidden" name="view" value=view_string.clone() />
        }
    };
    view! {
        <section class=if confirming { "panel-section access-confirm" } else { "panel-section" } aria-labelledby="panel-access">
            <h3 id="panel-access">"Access"</h3>
            {if disabled {
                view! {
                    <p>{format!("{name}'s access is disabled: they cannot sign in. Their seat is kept.")}</p>
                    <ServerForm action=enable>
                        {form_fields()}
                        <button type="submit" class="button button-primary" disabled=move || enable.pending().get()>
                            "Enable Access"
                        </button>
                    </ServerForm>
                }.into_any()
            } else if confirming {
                let anyway = !orphans.is_empty();
                view! {
                    <p><strong>{format!("Disable access for {name}?")}</strong></p>
                    <p>"They are signed out everywhere at once and cannot sign in until their access is enabled again. Their seat is kept."</p>
                    {anyway.then(|| view! {
                        <div class="alert alert-warning" role="note">
                            <p>{format!("{name} sent invites that are still waiting; they will have no active owner:")}</p>
                            <ul>{orphans.into_iter().map(|o| view! { <li>{o}</li> }).collect_view()}</ul>
                        </div>
                    })}
                    <div class="panel-actions">
                        <ServerForm action=disable>
                            {form_fields()}
                            <button type="submit" class="button button-danger" disabled=move || disable.pending().get()>
                                {if anyway { "Disable anyway" } else { "Disable Access" }}
                            </button>
                        </ServerForm>
                        <a class="button" href=confirm_href.trim_end_matches("&confirm=access").to_owned()>"Cancel"</a>
                    </div>
                }.into_any()
            } else {
                view! {
                    <p>{if locked { format!("{name}'s access is enabled; they can sign in once the lock ends.") } else { format!("{name} can sign in.") }}</p>
                    <a class="button button-danger" href=confirm_href>"Disable Access"</a>
                }.into_any()
            }}
        </section>
    }
}

/// ELMA365's "Account is locked": when the lock ends, and Unlock after a
/// confirmation (the table's label opens the panel at it).
#[component]
fn LockSection(
    user: Uuid,
    name: String,
    lock: AccountLock,
    actions: PanelActions,
    view_string: String,
    unlocking: bool,
    panel_href: String,
) -> impl IntoView {
    let unlock = actions.unlock;
    let label = lock.label();
    view! {
        <section class="panel-section access-confirm" aria-labelledby="panel-lock">
            <h3 id="panel-lock" class="lock-heading"><svg class="icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false"><path d="M4 7V5a4 4 0 1 1 8 0v2h1v8H3V7h1zm2 0h4V5a2 2 0 1 0-4 0v2z" /></svg>{label}</h3>
            <p>"Too many failed sign-ins locked this account. Its status stays Active; nobody can sign in to it until the lock ends, the user chooses a new password with the link they were mailed, or you unlock it."</p>
            {if unlocking {
                view! {
                    <p><strong>{format!("Unlock {name}'s account?")}</strong></p>
                    <div class="panel-actions">
                        <ServerForm action=unlock>
                            <input type="hidden" name="user" value=user.to_string() />
                            <input type="hidden" name="view" value=view_string />
                            <button type="submit" class="button button-primary" disabled=move || unlock.pending().get()>"Unlock"</button>
                        </ServerForm>
                        <a class="button" href=panel_href>"Cancel"</a>
                    </div>
                }.into_any()
            } else {
                view! { <a class="button" href=format!("{panel_href}&confirm=unlock")>"Unlock account"</a> }.into_any()
            }}
        </section>
    }
}

/// ELMA365's "Recover password": mails the user a link to choose a new
/// password, with the delivery of the latest such mail shown as for invites.
#[component]
fn RecoverySection(user: Uuid, mails: Vec<MailStatus>, actions: PanelActions, view_string: String) -> impl IntoView {
    let recover = actions.recover;
    view! {
        <section class="panel-section" aria-labelledby="panel-password">
            <h3 id="panel-password">"Password"</h3>
            {mails.first().cloned().map(|mail| view! {
                <dl class="facts">
                    <dt>"Latest recovery mail"</dt>
                    <dd><MailLine mail detailed=true /></dd>
                </dl>
            })}
            <ServerForm action=recover>
                <input type="hidden" name="user" value=user.to_string() />
                <input type="hidden" name="view" value=view_string />
                <button type="submit" class="button" disabled=move || recover.pending().get()>"Recover password"</button>
            </ServerForm>
        </section>
    }
}

/// ELPRO's delete dialog: names the user, says it cannot be undone, and
/// takes the acting Superuser's own password.
#[component]
fn DeleteSection(
    user: UserDetails,
    error: Signal<Option<AppError>>,
    actions: PanelActions,
    view_string: String,
    cancel_href: String,
) -> impl IntoView {
    let delete = actions.delete;
    let name = format!("{} {}", user.row.first_name, user.row.last_name);
    view! {
        <section class="panel-section access-confirm" aria-labelledby="panel-delete">
            <h3 id="panel-delete">{format!("Delete {name}?")}</h3>
            <p>{format!(
                "This cannot be undone. {name} ({}) is removed with their sessions, links and mail, and their {} seat is freed. The audit log keeps what they did.",
                user.row.email, user.row.role.label()
            )}</p>
            <ErrorAlert error />
            <ServerForm action=delete>
                <input type="hidden" name="user" value=user.row.id.to_string() />
                <input type="hidden" name="view" value=view_string />
                <ConfirmWithPassword error action=delete label="Yes, delete User!" cancel_href />
            </ServerForm>
        </section>
    }
}

/// Edit → Save (IoT Pro's pencil): names, mobile phone, department, time
/// zone and role. Carries the version it was opened with.
#[component]
fn EditSection(
    user: UserDetails,
    /// The signed-in admin: editing yourself keeps your own role.
    me: Option<crate::features::auth::types::CurrentUser>,
    error: Signal<Option<AppError>>,
    actions: PanelActions,
    view_string: String,
    cancel_href: String,
) -> impl IntoView {
    let save = actions.edit;
    let row = user.row.clone();
    let name = format!("{} {}", row.first_name, row.last_name);
    let own = me.is_some_and(|me| me.id == row.id);
    let superuser = row.role == crate::features::users::types::Role::Superuser;
    let role = row.role.param();
    view! {
        <section class="panel-section" aria-labelledby="panel-edit">
            <h3 id="panel-edit">{format!("Edit {name}")}</h3>
            <PhotoForm user=row.id has_photo=row.photo.is_some() view_string=view_string.clone() />
            <ErrorAlert error />
            <ServerForm action=save>
                <input type="hidden" name="user" value=row.id.to_string() />
                <input type="hidden" name="view" value=view_string />
                <input type="hidden" name="edit[version]" value=user.version.to_string() />
                <div class="field-row">
                    <Field label="First name" name="edit[first_name]" required=true max_chars=crate::features::users::types::MAX_NAME_CHARS value=row.first_name.clone() error=field_error(error, "first_name") />
                    <Field label="Last name" name="edit[last_name]" required=true max_chars=crate::features::users::types::MAX_NAME_CHARS value=row.last_name.clone() error=field_error(error, "last_name") />
                </div>
                {if superuser || own {
                    view! {
                        <input type="hidden" name="edit[role]" value=role />
                        <p class="form-note">{if superuser { "The Superuser's role is changed by handing it over, not here." } else { "You cannot change your own role." }}</p>
                    }.into_any()
                } else {
                    view! {
                        <div class="field" class:field-invalid=move || field_error(error, "role").get().is_some()>
                            <label for="edit-role">"Role"</label>
                            <select id="edit-role" name="edit[role]">
                                <option value="basic" selected=role == "basic">"Basic"</option>
                                <option value="operator" selected=role == "operator">"Operator"</option>
                            </select>
                            {move || field_error(error, "role").get().map(|m| view! { <p class="field-error">{m}</p> })}
                        </div>
                    }.into_any()
                }}
                {user.email_editable.then(|| view! {
                    <Field label="Email" name="edit[email]" input_type="email" required=true max_chars=crate::features::users::types::MAX_EMAIL_CHARS value=row.email.clone() hint=match &user.pending_email {
                        Some(pending) => format!("A new address takes effect when its owner confirms it from the mail sent there. Pending: {pending}."),
                        None => "A new address takes effect when its owner confirms it from the mail sent there.".to_owned(),
                    } error=field_error(error, "email") />
                })}
                <Field label="Mobile phone" name="edit[mobile_phone]" input_type="tel" autocomplete="off" value=user.mobile_phone.clone().unwrap_or_default() hint="With its country code, e.g. +41 79 123 45 67." error=field_error(error, "mobile_phone") />
                <Field label="Department" name="edit[department]" max_chars=crate::features::invites::types::MAX_DEPARTMENT_CHARS value=user.department.clone().unwrap_or_default() error=field_error(error, "department") />
                <TimeZoneField name="edit[time_zone]" initial=user.time_zone.clone() error=field_error(error, "time_zone") />
                {(row.kind == crate::features::users::types::UserKind::Internal).then(|| view! { <PositionsFields user=user.clone() error /> })}
                <input type="hidden" name="edit[profile_shown]" value="1" />
                <div class="field-row">
                    <Field label="Work phone" name="edit[work_phone]" input_type="tel" autocomplete="off" value=user.work_phone_input.clone() hint="With its country code, e.g. +49 30 1234567." error=field_error(error, "work_phone") />
                    <Field label="Extension" name="edit[work_phone_ext]" autocomplete="off" value=user.work_phone_ext.clone().unwrap_or_default() hint="Digits only." error=field_error(error, "work_phone_ext") />
                </div>
                <div class="field-row">
                    <Field label="Date of birth" name="edit[date_of_birth]" input_type="date" value=user.date_of_birth_input.clone() error=field_error(error, "date_of_birth") />
                    <Field label="Hire date" name="edit[hire_date]" input_type="date" value=user.hire_date_input.clone() error=field_error(error, "hire_date") />
                </div>
                <crate::features::profile::ui::ProfileInputs prefix="edit" fields=user.custom_fields.clone() values=user.field_values.clone() messengers=user.messengers.clone() error />
                <input type="hidden" name="edit[groups_shown]" value="1" />
                <crate::features::groups::ui::GroupChoices field="edit[groups]" choices=user.group_choices.clone() chosen=user.groups.iter().map(|g| g.id).collect() error=field_error(error, "groups") />
                <div class="panel-actions">
                    <button type="submit" class="button button-primary" disabled=move || save.pending().get()>"Save"</button>
                    <a class="button" href=cancel_href>"Cancel"</a>
                </div>
            </ServerForm>
        </section>
    }
}

/// Transfer Superuser: the organization's one Superuser seat goes to this
/// user; the acting Superuser re-enters their password.
#[component]
fn TransferSection(
    user: UserDetails,
    error: Signal<Option<AppError>>,
    actions: PanelActions,
    cancel_href: String,
) -> impl IntoView {
    let transfer = actions.transfer;
    let name = format!("{} {}", user.row.first_name, user.row.last_name);
    view! {
        <section class="panel-section access-confirm" aria-labelledby="panel-transfer">
            <h3 id="panel-transfer">{format!("Make {name} the Superuser?")}</h3>
            <p>{format!(
                "{name} gets the organization's Superuser seat and everything it may do. You become an Operator, or a Basic user if no Operator seat is free, and User Management is no longer yours."
            )}</p>
            <ErrorAlert error />
            <ServerForm action=transfer>
                <input type="hidden" name="user" value=user.row.id.to_string() />
                <ConfirmWithPassword error action=transfer label="Transfer Superuser" cancel_href />
            </ServerForm>
        </section>
    }
}

/// The end of a dialog whose action needs the acting admin's own password
/// (delete, Transfer Superuser): the field, the dangerous button, Cancel.
#[component]
fn ConfirmWithPassword(
    error: Signal<Option<AppError>>,
    action: FormAction<()>,
    label: &'static str,
    cancel_href: String,
) -> impl IntoView {
    view! {
        <Field label="Your password" name="password" input_type="password" required=true autocomplete="current-password" hint="To confirm it is you, enter the password you sign in with." error=field_error(error, "password") />
        <div class="panel-actions">
            <button type="submit" class="button button-danger" disabled=move || action.pending().get()>{label}</button>
            <a class="button" href=cancel_href>"Cancel"</a>
        </div>
    }
}

/// "Positions" of the edit form: the held ones (untick to give one up),
/// which is displayed, and one more by name.
#[component]
fn PositionsFields(user: UserDetails, error: Signal<Option<AppError>>) -> impl IntoView {
    let displayed = user.displayed_position;
    view! {
        <fieldset class="field">
            <legend>"Positions" <span class="optional">" (optional)"</span></legend>
            <input type="hidden" name="edit[positions_shown]" value="1" />
            {user.positions.is_empty().then(|| view! { <p class="hint">"None yet."</p> })}
            {user.positions.iter().map(|p| {
                let id = p.id.to_string();
                view! {
                    <div class="position-choice">
                        <label class="choice">
                            <input type="checkbox" name=format!("edit[positions][id-{id}]") value="on" checked=true />
                            " " {p.name.clone()}
                        </label>
                        <label class="choice choice-inline">
                            <input type="radio" name="edit[displayed_position]" value=id.clone() checked=displayed == Some(p.id) />
                            " Displayed"
                        </label>
                    </div>
                }
            }).collect_view()}
            {move || field_error(error, "displayed_position").get().map(|m| view! { <p class="field-error">{m}</p> })}
        </fieldset>
        <Field label="Add a position" name="edit[add_position]" max_chars=crate::features::positions::types::MAX_POSITION_NAME_CHARS autocomplete="off" hint="Its name as in the org chart." error=field_error(error, "add_position") />
    }
}

/// The photo: a multipart form of its own (outside the edit form: forms do
/// not nest) to `/settings/users/<id>/photo`, which answers with the panel.
/// A plain form post with or without JavaScript; the server checks the
/// size, the format and the pixels, and says what was wrong beside the field.
#[component]
fn PhotoForm(user: Uuid, has_photo: bool, view_string: String) -> impl IntoView {
    let error = use_query_map().with_untracked(|p| p.get("photo_error"));
    let invalid = error.is_some();
    let action = format!(
        "/settings/users/{user}/photo?{}",
        form_urlencoded::Serializer::new(String::new()).append_pair("view", &view_string).finish()
    );
    view! {
        <form class="photo-form" method="post" enctype="multipart/form-data" action=action.clone()>
            <div class="field" class:field-invalid=invalid>
                <div class="field-label"><label for="field-photo">"Photo"</label><span class="optional">" (optional)"</span></div>
                <input id="field-photo" name="photo" type="file" accept="image/jpeg,image/png,image/webp" aria-describedby="field-photo-hint" />
                <p class="hint" id="field-photo-hint">"JPEG, PNG or WebP, up to 2 MB. It is cropped to a square."</p>
                {error.map(|message| view! { <p class="field-error" role="alert">{message}</p> })}
            </div>
            <div class="panel-actions">
                <button type="submit" class="button">"Upload photo"</button>
                {has_photo.then(|| view! { <button type="submit" class="button button-danger-quiet" name="remove" value="1">"Remove photo"</button> })}
            </div>
        </form>
    }
}
