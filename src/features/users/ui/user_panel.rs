//! The details panel of one user (`?user=<id>` on User Management): the
//! profile, where the invite stands (expiry, each mail's delivery) and the
//! invite actions. A drawer over the table, opened and closed by its URL.

use leptos::prelude::*;
use uuid::Uuid;

use super::table::{MailLine, StatusBadge};
use crate::components::feedback::{ErrorAlert, ErrorState, LoadingState, SuccessAlert};
use crate::components::form::action_error;
use crate::components::modal::Modal;
use crate::components::polling::refresh_while;
use crate::components::resource::server_resource;
use crate::components::server_form::{FormAction, ServerForm};
use crate::error::AppError;
use crate::features::users::api::user_details;
use crate::features::users::types::{MailStatus, ShownStatus, UserDetails, UserListQuery};

#[component]
pub fn UserPanel(
    id: Uuid,
    query: Memo<UserListQuery>,
    notice: Signal<Option<String>>,
    resend: FormAction<()>,
    cancel: FormAction<()>,
) -> impl IntoView {
    // Reloaded after each action, so the panel shows the new expiry and mail.
    let details = server_resource(move || (resend.version().get(), cancel.version().get()), move |_| user_details(id));
    refresh_while(
        move || details.get().is_some_and(|d| d.is_ok_and(|d| d.row.mail_pending())),
        move || details.refetch(),
    );
    // Closing returns to the view the panel was opened from; the actions
    // send that view along (`view`) so their redirect returns there too.
    let close_href = query.with_untracked(UserListQuery::current_href);
    let view_string = close_href.split_once('?').map(|(_, s)| s.to_owned()).unwrap_or_default();
    let error =
        Signal::derive(move || action_error(resend.value()).get().or_else(|| action_error(cancel.value()).get()));
    view! {
        <Modal labelled_by="user-panel-title" close_href=close_href.clone() class="drawer">
            <div class="modal-head">
                <h2 id="user-panel-title">"User details"</h2>
                <a href=close_href class="button button-quiet" aria-label="Close">"✕"</a>
            </div>
            <Suspense fallback=|| view! { <LoadingState label="Loading…" /> }>
                {move || {
                    let view_string = view_string.clone();
                    Suspend::new(async move {
                        match details.await {
                            Ok(user) => view! {
                                <DetailsBody user notice error resend cancel view_string />
                            }.into_any(),
                            Err(error) => view! { <ErrorState error /> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </Modal>
    }
}

#[component]
fn DetailsBody(
    user: UserDetails,
    notice: Signal<Option<String>>,
    error: Signal<Option<AppError>>,
    resend: FormAction<()>,
    cancel: FormAction<()>,
    view_string: String,
) -> impl IntoView {
    let row = user.row.clone();
    let name = format!("{} {}", row.first_name, row.last_name);
    let email = row.email.clone();
    let notice_text = move || {
        notice.get().and_then(|n| match n.as_str() {
            "invite_resent" => {
                Some(format!("A new activation link is on its way to {email}. Earlier links no longer work."))
            }
            "invite_canceled" => {
                Some("The invite was cancelled: its link no longer works and its seat is free again.".to_owned())
            }
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
    let (resend_view, cancel_view) = (view_string.clone(), view_string);
    let resend_label = if status == ShownStatus::InviteCanceled { "Send invite again" } else { "Resend invite" };
    view! {
        <div class="panel-identity">
            <p class="panel-name">{name.clone()}</p>
            <p class="muted">{row.email.clone()}</p>
            <p><StatusBadge status /> " " <span class="role-tag">{row.role.label()}</span></p>
        </div>
        {move || notice_text().map(|text| view! { <SuccessAlert message=text /> })}
        <ErrorAlert error />
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
        <section class="panel-section" aria-labelledby="panel-profile">
            <h3 id="panel-profile">"Profile"</h3>
            <dl class="facts">
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
