use leptos::prelude::*;
use leptos_router::components::Form;

use crate::components::form::submit_own_form;
use crate::features::users::types::{
    ListPage, MailState, MailStatus, PAGE_SIZES, Role, ShownStatus, SortColumn, SortDirection, StatusFilter, Timestamp,
    UserListQuery, UserPage, UserRow,
};

/// The user table with sortable headers, pagination and the page-size choice.
/// Every control is a link or a GET form, so it works without JavaScript and
/// every view has a URL.
#[component]
pub fn UsersTable(
    page: UserPage,
    query: UserListQuery,
    /// The signed-in admin: no action on their own row takes their access
    /// away.
    me: Option<crate::features::auth::types::CurrentUser>,
    /// On a group's page: "Remove from group" on each row.
    #[prop(optional)]
    remove: Option<crate::components::server_form::FormAction<String>>,
) -> impl IntoView {
    let sort = query.sort_column();
    let direction = query.direction();
    let header = {
        let query = query.clone();
        move |column: SortColumn| {
            let active = column == sort;
            let next_direction = if active { direction.flipped() } else { SortDirection::Asc };
            let href = query.href(|q| {
                q.sort = Some(column.param().to_owned());
                q.dir = Some(next_direction.param().to_owned());
            });
            let aria_sort = match (active, direction) {
                (false, _) => "none",
                (true, SortDirection::Asc) => "ascending",
                (true, SortDirection::Desc) => "descending",
            };
            let arrow = match (active, direction) {
                (false, _) => "↕",
                (true, SortDirection::Asc) => "▲",
                (true, SortDirection::Desc) => "▼",
            };
            // A narrow column may wrap its label between words, never inside
            // one ("sign-in") and never between the last word and the arrow.
            let label = column.label();
            let (head, last_word) = match label.rsplit_once(' ') {
                Some((head, last)) => (format!("{head} "), last),
                None => (String::new(), label),
            };
            view! {
                <th scope="col" aria-sort=aria_sort class:sorted=active>
                    <a href=href class="sort-link">
                        {head}
                        <span class="nowrap">
                            {last_word}
                            <span class="sort-arrow" aria-hidden="true">{arrow}</span>
                        </span>
                    </a>
                </th>
            }
        }
    };
    let empty = page.rows.is_empty();
    let search = query.search().map(str::to_owned);
    let word_start = query.word_start_search().is_some();
    let clear_href = query.href(|q| q.q = None);
    let filtered = match query.status_filter() {
        StatusFilter::Only(status) => Some(status),
        StatusFilter::Default | StatusFilter::All => None,
    };
    let all_statuses_href = query.href(|q| q.status = None);
    let first_href = query.href(|_| {});
    let prev_href = page.prev.clone().map(|cursor| query.href(|q| q.before = Some(cursor)));
    let next_href = page.next.clone().map(|cursor| query.href(|q| q.after = Some(cursor)));
    let count = page.rows.len();
    let size = page.size;
    let time_zone = page.time_zone.clone();

    view! {
        <div class="table-wrap">
            <table class="data-table">
                <caption class="visually-hidden">"Users of your organization"</caption>
                <thead>
                    <tr>
                        // First, so it stays in view however wide the table gets.
                        <th scope="col" class="cell-open"><span class="visually-hidden">"Details"</span></th>
                        {SortColumn::ALL.into_iter().map(header).collect_view()}
                        <th scope="col">"Access Settings"</th>
                        <th scope="col">"Action"</th>
                    </tr>
                </thead>
                <tbody>
                    {page.rows.into_iter().map(|row| {
                        let details_href = query.href_with_panel(row.id, None);
                        let own = me.as_ref().is_some_and(|me| me.id == row.id);
                        // A holder of the user menu manages Basic and
                        // Operator users; Superusers and deleting are the
                        // Superuser's (the server checks it again).
                        let superuser = me.as_ref().is_some_and(|me| me.is_superuser());
                        let manage = superuser || row.role != Role::Superuser;
                        let remove = match (remove, query.page) {
                            (Some(action), ListPage::Group(group)) => Some((action, group, query.current_href())),
                            _ => None,
                        };
                        view! { <UserTableRow row details_href own manage may_delete=superuser remove /> }
                    }).collect_view()}
                </tbody>
            </table>
            {empty.then(|| view! {
                <div class="state state-empty">
                    {match search.clone() {
                        Some(term) if word_start => view! {
                            <p class="state-title">{format!("No first name, last name or email starts with \u{201c}{term}\u{201d}.")}</p>
                            <p>"One or two letters find names and addresses that start with them; type three or more to find them anywhere inside a name or email."</p>
                            <a class="button" href=clear_href.clone()>"Clear search"</a>
                        }.into_any(),
                        Some(term) => view! {
                            <p class="state-title">{format!("No users match \u{201c}{term}\u{201d}.")}</p>
                            <p>"Check the spelling, or search by another part of the name or email, or paste a user id."</p>
                            <a class="button" href=clear_href.clone()>"Clear search"</a>
                        }.into_any(),
                        None if filtered.is_some() => view! {
                            <p class="state-title">{format!("No users with the status \u{201c}{}\u{201d}.", filtered.map(|s| s.label()).unwrap_or_default())}</p>
                            <p>"Nobody in your organization has this status right now."</p>
                            <a class="button" href=all_statuses_href.clone()>"Show every status"</a>
                        }.into_any(),
                        None => view! {
                            <p class="state-title">"No users on this page."</p>
                            <a class="button" href=first_href.clone()>"Go to the first page"</a>
                        }.into_any(),
                    }}
                </div>
            })}
        </div>
        <div class="table-footer">
            <p class="table-meta">
                {match (page.matching, page.matching_more_than) {
                    (Some(n), _) => format!("{count} shown of {} matching · times in {time_zone}", crate::features::users::types::thousands(n)),
                    (None, Some(n)) => format!("{count} shown of more than {} matching · times in {time_zone}", crate::features::users::types::thousands(n)),
                    (None, None) => format!("{count} shown · times in {time_zone}"),
                }}
            </p>
            <Form method="GET" action=query.page.path() attr:class="page-size-form">
                // The view, but for the size this form picks and the page.
                {query.href(|q| q.size = None).split_once('?').map(|(_, qs)| {
                    form_urlencoded::parse(qs.as_bytes()).into_owned().map(|(name, value)| view! {
                        <input type="hidden" name=name value=value />
                    }).collect_view()
                })}
                <label for="page-size">"Rows per page"</label>
                <select id="page-size" name="size" on:change=submit_own_form>
                    {PAGE_SIZES.into_iter().map(|option| view! {
                        <option value=option.to_string() selected=option == size>{option.to_string()}</option>
                    }).collect_view()}
                </select>
                <button type="submit" class="button button-small js-hidden">"Show"</button>
            </Form>
            <nav class="pagination" aria-label="Pagination">
                {match prev_href {
                    Some(href) => view! {
                        <a class="button button-small" href=first_href.clone()>"First"</a>
                        <a class="button button-small" href=href rel="prev">"‹ Previous"</a>
                    }.into_any(),
                    None => view! {
                        <span class="button button-small" aria-disabled="true">"First"</span>
                        <span class="button button-small" aria-disabled="true">"‹ Previous"</span>
                    }.into_any(),
                }}
                {match next_href {
                    Some(href) => view! { <a class="button button-small" href=href rel="next">"Next ›"</a> }.into_any(),
                    None => view! { <span class="button button-small" aria-disabled="true">"Next ›"</span> }.into_any(),
                }}
            </nav>
        </div>
    }
}

/// A status as icon and text (colour only adds to them).
#[component]
pub fn StatusBadge(status: ShownStatus) -> impl IntoView {
    view! {
        <span class=format!("badge badge-{}", status.tone())>
            <span class="badge-icon" aria-hidden="true">{status.icon()}</span>
            {status.label()}
        </span>
    }
}

/// One mail's delivery: "✓ Mail sent 2026-11-24 13:05", "↻ Mail retrying
/// (attempt 3): <the SMTP server's answer>". `detailed` adds times and the
/// attempt count.
#[component]
pub fn MailLine(mail: MailStatus, #[prop(optional)] detailed: bool) -> impl IntoView {
    let problem = matches!(mail.state, MailState::Retrying | MailState::Failed);
    let when = match (&mail.sent, detailed) {
        (Some(sent), true) => Some(format!(" {}", sent.local)),
        _ => None,
    };
    let attempts = (detailed && problem)
        .then(|| format!(" after {} attempt{}", mail.attempts, if mail.attempts == 1 { "" } else { "s" }));
    view! {
        <span class="mail-state" class:mail-problem=problem>
            <span aria-hidden="true">{mail.state.icon()}" "</span>
            {mail.state.label()}
            {when}
            {attempts}
            {mail.last_error.filter(|_| problem).map(|error| view! { <span class="mail-error">{format!(": {error}")}</span> })}
        </span>
    }
}

#[component]
fn UserTableRow(
    row: UserRow,
    details_href: String,
    own: bool,
    manage: bool,
    may_delete: bool,
    /// The removal action, the group and the view to return to.
    remove: Option<(crate::components::server_form::FormAction<String>, uuid::Uuid, String)>,
) -> impl IntoView {
    // Each action opens the user's panel at its confirmation.
    let access_href = format!("{details_href}&confirm=access");
    let delete_href = format!("{details_href}&confirm=delete");
    let edit_href = format!("{details_href}&edit=1");
    let unlock_href = format!("{details_href}&confirm=unlock");
    let name = format!("{} {}", row.first_name, row.last_name);
    // A group's page keeps its rows' actions to the group's own.
    let remove_absent = remove.is_none();
    let access_settings_href = format!("/settings/users/{}/access", row.id);
    let yes_no = |value: bool| {
        view! {
            <span class=if value { "flag flag-yes" } else { "flag flag-no" }>
                <span aria-hidden="true">{if value { "●" } else { "○" }}</span>
                {if value { " Yes" } else { " No" }}
            </span>
        }
    };
    view! {
        <tr>
            <td class="cell-open">
                <a class="button button-small" href=details_href aria-label=format!("Details of {name}")>"Details"</a>
            </td>
            <td class="cell-status">
                <StatusBadge status=row.status />
                {row.lock.clone().map(|lock| view! {
                    <a class="lock-label" href=unlock_href title=format!("Unlock {name}'s account")>
                        <svg class="icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false"><path d="M4 7V5a4 4 0 1 1 8 0v2h1v8H3V7h1zm2 0h4V5a2 2 0 1 0-4 0v2z" /></svg>
                        {lock.label()}
                    </a>
                })}
                {row.invite.clone().filter(|_| row.status != ShownStatus::InviteCanceled).map(|invite| view! {
                    <span class="status-detail">
                        {if row.status == ShownStatus::InviteExpired { "Expired " } else { "Expires " }}
                        <LocalTime at=invite.expires />
                    </span>
                    {invite.mail.map(|mail| view! {
                        <span class="status-detail"><MailLine mail /></span>
                    })}
                })}
            </td>
            <td>{row.role.label()}</td>
            <td>{yes_no(row.active)}</td>
            <td>{yes_no(row.access)}</td>
            <td class="cell-wrap cell-name"><Avatar photo=row.photo.clone() first=row.first_name.clone() last=row.last_name.clone() />{row.first_name}</td>
            <td class="cell-wrap">{row.last_name}</td>
            <td class="cell-email">{email_with_break(row.email)}</td>
            <td class="cell-time"><LocalTime at=row.created /></td>
            <td class="cell-time">
                {match row.last_sign_in {
                    Some(at) => view! { <LocalTime at /> }.into_any(),
                    None => view! { <span class="muted">"Never"</span> }.into_any(),
                }}
            </td>
            <td class="cell-access">
                <a href=access_settings_href aria-label=format!("Access settings of {name}: {}", row.access_settings)>{row.access_settings.clone()}</a>
            </td>
            <td class="cell-actions">
                {manage.then(|| view! {
                <a class="button button-small button-icon" href=edit_href aria-label=format!("Edit {name}")>
                    <svg class="icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false"><path d="M11.3 1.3a1 1 0 0 1 1.4 0l2 2a1 1 0 0 1 0 1.4L6 13.4 2 14l.6-4 8.7-8.7z" /></svg>
                    "Edit"
                </a>
                " "
                })}
                {match row.status {
                    _ if !manage => ().into_any(),
                    ShownStatus::Active if !own => view! {
                        <a class="button button-small" href=access_href aria-label=format!("Disable access for {name}")>"Disable"</a>
                    }.into_any(),
                    ShownStatus::Disabled => view! {
                        <a class="button button-small" href=access_href aria-label=format!("Enable access for {name}")>"Enable"</a>
                    }.into_any(),
                    _ => ().into_any(),
                }}
                {remove.map(|(action, group, view_string)| {
                    let name = name.clone();
                    view! {
                    " "
                    <crate::components::server_form::ServerForm action attr:class="inline-form">
                        <input type="hidden" name="group" value=group.to_string() />
                        <input type="hidden" name="user" value=row.id.to_string() />
                        <input type="hidden" name="view" value=view_string />
                        <button type="submit" class="button button-small" aria-label=format!("Remove {name} from the group")>"Remove"</button>
                    </crate::components::server_form::ServerForm>
                }})}
                {(!own && may_delete && remove_absent).then(|| view! {
                    " "
                    <a class="button button-small button-danger-quiet button-icon" href=delete_href aria-label=format!("Delete {name}")>
                        <svg class="icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false"><path d="M6 1h4l1 1h3v2H2V2h3l1-1zM3 5h10l-1 10H4L3 5z" /></svg>
                        "Delete"
                    </a>
                })}
            </td>
        </tr>
    }
}

/// The email with a line-break opportunity before the `@`, so that a narrow
/// column breaks it into "local part" and "@domain" rather than mid-word.
fn email_with_break(email: String) -> impl IntoView {
    match email.rsplit_once('@') {
        Some((local, domain)) => view! { {local.to_owned()}<wbr />{format!("@{domain}")} }.into_any(),
        None => email.into_any(),
    }
}

/// A time in the viewer's zone. Its date and its clock time each stay in one
/// piece, so a narrow column shows the time under the date rather than
/// breaking the date at a hyphen.
#[component]
pub fn LocalTime(at: Timestamp) -> impl IntoView {
    let (date, clock) = match at.local.split_once(' ') {
        Some((date, clock)) => (date.to_owned(), clock.to_owned()),
        None => (at.local.clone(), String::new()),
    };
    view! {
        <time datetime=at.iso>
            <span class="nowrap">{date}</span>
            " "
            <span class="nowrap">{clock}</span>
        </time>
    }
}

/// A user's photo, or their initials where they have none. Decorative: the
/// name is always written beside it.
#[component]
pub fn Avatar(photo: Option<String>, first: String, last: String, #[prop(optional)] large: bool) -> impl IntoView {
    let size = if large { "avatar avatar-large" } else { "avatar avatar-small" };
    match photo {
        Some(src) => {
            let side = if large { "96" } else { "28" };
            view! { <img class=size src=src alt="" width=side height=side loading="lazy" /> }.into_any()
        }
        None => {
            let initials: String =
                first.chars().take(1).chain(last.chars().take(1)).flat_map(char::to_uppercase).collect();
            view! { <span class=size aria-hidden="true">{initials}</span> }.into_any()
        }
    }
}
