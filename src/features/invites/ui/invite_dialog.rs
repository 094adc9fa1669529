use leptos::prelude::*;

use crate::components::feedback::{ErrorAlert, ErrorState, LoadingState};
use crate::components::form::{Field, SubmitButton, TimeZoneField, action_error, field_error};
use crate::components::modal::Modal;
use crate::components::resource::server_resource;
use crate::components::server_form::{FormAction, ServerForm};
use crate::error::AppError;
use crate::features::invites::api::{InviteUser, invite_options};
use crate::features::invites::types::{
    InviteOptions, InvitedUser, MAX_DEPARTMENT_CHARS, MAX_EXTENSION_CHARS, MAX_PHONE_CHARS,
};
use crate::features::users::types::{ListPage, MAX_EMAIL_CHARS, MAX_NAME_CHARS, Role, UserKind};

/// "Add new user": a modal over User Management (or the External users
/// list, `list`), opened by its URL (`?invite`), so it works without
/// JavaScript and Back closes it.
#[component]
pub fn InviteDialog(#[prop(optional)] list: ListPage) -> impl IntoView {
    let action = FormAction::new::<InviteUser>();
    let error = action_error(action.value());
    let pending = action.pending();
    let options = server_resource(|| (), |_| invite_options());
    view! {
        <Modal labelled_by="invite-title" close_href=list.path()>
                <div class="modal-head">
                    <h2 id="invite-title">"Add new user"</h2>
                    <a href=list.path() class="button button-quiet" aria-label="Close">"✕"</a>
                </div>
                <p class="lead">"They get an email with a link to activate their account and choose a password."</p>
                <ErrorAlert error />
                <Suspense fallback=|| view! { <LoadingState label="Loading…" /> }>
                    {move || {
                        let me = crate::components::layout::signed_in_user();
                        Suspend::new(async move {
                            match options.await {
                                Ok(options) => {
                                    // Dashboard permissions are access settings: a Superuser's choice.
                                    let superuser = me.await.is_some_and(|me| me.is_superuser());
                                    view! { <InviteForm options action error pending list superuser /> }.into_any()
                                }
                                Err(error) => view! { <ErrorState error /> }.into_any(),
                            }
                        })
                    }}
                </Suspense>
        </Modal>
    }
}

#[component]
fn InviteForm(
    options: InviteOptions,
    action: FormAction<InvitedUser>,
    error: Signal<Option<AppError>>,
    pending: Memo<bool>,
    list: ListPage,
    superuser: bool,
) -> impl IntoView {
    let seats = options.seats.clone();
    // Opened from the External users list, the invite is for one of them.
    let initial_kind = if list == ListPage::External { UserKind::External } else { UserKind::Internal };
    let kind = RwSignal::new(initial_kind);
    let kind_error = field_error(error, "kind");
    let seat = move |role: Role| seats.iter().find(|s| s.role == role).copied();
    let first_free = [Role::Basic, Role::Operator].into_iter().find(|r| seat(*r).is_some_and(|s| !s.is_full()));
    let all_full = first_free.is_none();
    let role_error = field_error(error, "role");
    view! {
        {all_full.then(|| view! {
            <div class="alert alert-error" role="alert">
                "Every Basic and Operator seat is taken. Cancel an invite, or ask for more seats, before inviting someone."
            </div>
        })}
        <ServerForm action>
            <div class="field-row">
                <Field label="First name" name="invite[first_name]" required=true max_chars=MAX_NAME_CHARS autocomplete="off" error=field_error(error, "first_name") />
                <Field label="Last name" name="invite[last_name]" required=true max_chars=MAX_NAME_CHARS autocomplete="off" error=field_error(error, "last_name") />
            </div>
            <Field label="Email" name="invite[email]" input_type="email" required=true max_chars=MAX_EMAIL_CHARS autocomplete="off" hint="The activation link is sent here; it is also their login." error=field_error(error, "email") />
            <fieldset class="field role-choice" aria-describedby=move || kind_error.get().map(|_| "kind-error")>
                <legend>"User type" <span class="required" aria-hidden="true">" *"</span></legend>
                {[
                    (UserKind::Internal, "An employee of your organization."),
                    (UserKind::External, "A customer or partner: listed apart, holds no position and never manages users."),
                ].into_iter().map(|(choice, hint)| {
                    let id = format!("kind-{}", choice.param());
                    view! {
                        <div class="radio">
                            <input type="radio" id=id.clone() name="invite[kind]" value=choice.param() checked=choice == initial_kind on:change=move |_| kind.set(choice) />
                            <label for=id>{choice.label()}<span class="hint">{hint}</span></label>
                        </div>
                    }
                }).collect_view()}
                {move || kind_error.get().map(|message| view! { <p class="field-error" id="kind-error">{message}</p> })}
            </fieldset>
            <fieldset class="field role-choice" aria-describedby=move || role_error.get().map(|_| "role-error")>
                <legend>"Role" <span class="required" aria-hidden="true">" *"</span></legend>
                {[Role::Basic, Role::Operator].into_iter().map(|role| {
                    let usage = seat(role);
                    let full = usage.is_none_or(|s| s.is_full());
                    let free = usage.map(|s| (s.quota - s.used).max(0)).unwrap_or(0);
                    let id = format!("role-{}", role.param());
                    view! {
                        <div class="radio" class:radio-disabled=full>
                            <input type="radio" id=id.clone() name="invite[role]" value=role.param() required=true disabled=full checked=first_free == Some(role) />
                            <label for=id>
                                {role.label()}
                                <span class="hint">{if full { "No seats free".to_owned() } else { format!("{free} of {} seats free", usage.map(|s| s.quota).unwrap_or(0)) }}</span>
                            </label>
                        </div>
                    }
                }).collect_view()}
                {move || role_error.get().map(|message| view! { <p class="field-error" id="role-error">{message}</p> })}
            </fieldset>
            <div class="field-row field-row-phone">
                <div class="field" class:field-invalid=move || field_error(error, "mobile_country").get().is_some()>
                    <div class="field-label"><label for="field-mobile-country">"Country code"</label><span class="optional">" (optional)"</span></div>
                    <select id="field-mobile-country" name="invite[mobile_country]">
                        <option value="">"—"</option>
                        {options.phone_countries.iter().map(|c| view! {
                            <option value=c.region.clone()>{format!("{} +{}", c.region, c.calling_code)}</option>
                        }).collect_view()}
                    </select>
                    {move || field_error(error, "mobile_country").get().map(|m| view! { <p class="field-error">{m}</p> })}
                </div>
                <Field label="Mobile phone" name="invite[mobile_number]" input_type="tel" max_chars=MAX_PHONE_CHARS autocomplete="off" hint="For text-message alerts." error=field_error(error, "mobile_number") />
            </div>
            <div class="field-row">
                <Field label="Work phone" name="invite[work_phone]" input_type="tel" max_chars=MAX_PHONE_CHARS autocomplete="off" error=field_error(error, "work_phone") />
                <Field label="Extension" name="invite[work_phone_ext]" max_chars=MAX_EXTENSION_CHARS autocomplete="off" hint="Digits only." error=field_error(error, "work_phone_ext") />
            </div>
            <Field label="Department" name="invite[department]" max_chars=MAX_DEPARTMENT_CHARS autocomplete="off" error=field_error(error, "department") />
            <TimeZoneField name="invite[time_zone]" initial=options.organization_time_zone.clone() error=field_error(error, "time_zone") />
            <div class="field-row">
                <Field label="Date of birth" name="invite[date_of_birth]" input_type="date" error=field_error(error, "date_of_birth") />
                <Field label="Hire date" name="invite[hire_date]" input_type="date" required_when=Signal::derive(move || kind.get() == UserKind::Internal) hint="Required for employees." error=field_error(error, "hire_date") />
            </div>
            <Field label="Position" name="invite[position]" max_chars=crate::features::positions::types::MAX_POSITION_NAME_CHARS autocomplete="off" hint="Its name as in the org chart; employees only. It is shown as their position." error=field_error(error, "position") />
            <crate::features::profile::ui::ProfileInputs prefix="invite" fields=options.custom_fields.clone() error />
            <crate::features::groups::ui::GroupChoices field="invite[groups]" choices=options.groups.clone() error=field_error(error, "groups") />
            {superuser.then(|| view! {
                <fieldset class="form-section">
                    <legend>"Dashboard permissions"</legend>
                    <label class="choice"><input type="radio" name="invite[dashboard_access]" value="none" checked=true />" None"</label>
                    <label class="choice"><input type="radio" name="invite[dashboard_access]" value="selected" />" Selected dashboards"</label>
                    {options.dashboards.iter().map(|d| view! {
                        <label class="choice choice-nested">
                            <input type="checkbox" name=format!("invite[dashboards][id-{}]", d.id) value="on" />
                            " " {d.name.clone()}
                        </label>
                    }).collect_view()}
                    <label class="choice"><input type="radio" name="invite[dashboard_access]" value="all" />" All dashboards, including ones created later"</label>
                    {move || field_error(error, "dashboards").get().or_else(|| field_error(error, "dashboard_access").get()).map(|m| view! { <p class="field-error">{m}</p> })}
                </fieldset>
            })}
            <p class="form-note"><span aria-hidden="true">"* "</span>"Required fields are marked with an asterisk."</p>
            <div class="modal-actions">
                <a href=list.path() class="button">"Cancel"</a>
                <SubmitButton label="Add user" pending_label="Adding…" pending />
            </div>
        </ServerForm>
    }
}
