//! The signed-in layout: top bar and the Settings navigation.

use leptos::prelude::*;
use leptos_router::components::{A, Outlet, Redirect};
use leptos_router::hooks::use_location;

use crate::components::feedback::ErrorState;
use crate::components::server_form::{FormAction, ServerForm};
use crate::features::access::types::AccessPermission;
use crate::features::auth::api::SignOut;
use crate::features::auth::types::CurrentUser;
use crate::features::auth::ui::current_user;

/// The signed-in frame around the settings pages and the account: the top
/// bar and the Settings navigation, built from who is signed in, and the
/// page in `<main>`.
///
/// The page (the `<Outlet />`) is deliberately outside the `Suspense`s that
/// wait for the user: Leptos builds a `Suspense`'s children again in each
/// server pass (leptos#2956, #2188), so a page built in there created and
/// serialized its resources two or three times (User Management's list
/// travelled in the HTML three times). Out here each page is built once; a
/// page that needs the signed-in user awaits [`signed_in_user`] inside its
/// own `Suspense`, reading the one resource this layout loads.
#[component]
pub fn SettingsLayout() -> impl IntoView {
    let me = current_user();
    provide_context(crate::features::auth::ui::SignedInUser(me));
    let location = use_location();
    // The top bar and the navigation come from one answer: drawn together,
    // placed by the grid (`.settings-shell`) around the page.
    let frame = move || {
        Suspend::new(async move {
            match me.await {
                Ok(Some(user)) => view! { <TopBar user=user.clone() /><SettingsNav user /> }.into_any(),
                Ok(None) => {
                    // The router's `search` comes without its leading "?".
                    let search = location.search.get_untracked();
                    let search = search.trim_start_matches('?');
                    let here = if search.is_empty() {
                        location.pathname.get_untracked()
                    } else {
                        format!("{}?{search}", location.pathname.get_untracked())
                    };
                    let next: String = form_urlencoded::byte_serialize(here.as_bytes()).collect();
                    view! { <Redirect path=format!("/sign-in?next={next}") /> }.into_any()
                }
                Err(error) => view! { <div class="frame-error"><ErrorState error /></div> }.into_any(),
            }
        })
    };
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <div class="settings-shell">
            <Suspense fallback=|| view! { <header class="topbar" aria-busy="true"></header> }>{frame}</Suspense>
            <main id="main" class="content" tabindex="-1">
                <Outlet />
            </main>
        </div>
    }
}

/// The signed-in user, for a page inside the settings layout: awaited
/// inside the page's own `Suspense`, it reads the layout's one resource
/// (no second request, nothing serialized twice). `None` for a visitor.
pub fn signed_in_user() -> impl std::future::Future<Output = Option<CurrentUser>> + Send + 'static {
    let me = use_context::<crate::features::auth::ui::SignedInUser>();
    async move {
        match me {
            Some(crate::features::auth::ui::SignedInUser(me)) => me.await.ok().flatten(),
            None => None,
        }
    }
}

#[component]
fn TopBar(user: CurrentUser) -> impl IntoView {
    let sign_out = FormAction::new::<SignOut>();
    // Upper-cased by the stylesheet: Unicode case tables would cost the WASM
    // bundle more than the rest of this component.
    let initials: String = user.first_name.chars().take(1).chain(user.last_name.chars().take(1)).collect();
    view! {
        <header class="topbar">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"R"</span>
                "Roster"
            </a>
            <span class="topbar-org">{user.organization.clone()}</span>
            <div class="topbar-account">
                <span class="avatar" aria-hidden="true">{initials}</span>
                <span class="account-name">
                    {format!("{} {}", user.first_name, user.last_name)}
                    <small>{user.role.label()}</small>
                </span>
                <ServerForm action=sign_out>
                    <button type="submit" class="button button-quiet">"Sign out"</button>
                </ServerForm>
            </div>
        </header>
    }
}

#[component]
fn SettingsNav(user: CurrentUser) -> impl IntoView {
    view! {
            <nav class="sidenav" aria-label="Settings">
                <p class="sidenav-title">"Settings"</p>
                <ul>
                    {user.holds(AccessPermission::UserMenu).then(|| view! {
                        <li>
                            <A href="/settings/users">"User Management"</A>
                        </li>
                        <li>
                            <A href="/settings/external-users">"External users"</A>
                        </li>
                        <li>
                            <A href="/settings/groups">"Groups"</A>
                        </li>
                        <li>
                            <A href="/settings/org-chart">"Org chart"</A>
                        </li>
                    })}
                    {user.is_superuser().then(|| view! {
                        <li>
                            <A href="/settings/roles">"Roles"</A>
                        </li>
                        <li>
                            <A href="/settings/security">"Security"</A>
                        </li>
                        <li>
                            <A href="/settings/additional-data">"Additional data"</A>
                        </li>
                        <li>
                            <A href="/settings/active-users">"Active users"</A>
                        </li>
                        <li>
                            <A href="/settings/dashboards">"Dashboards"</A>
                        </li>
                        <li>
                            <A href="/settings/api-keys">"API keys"</A>
                        </li>
                        <li>
                            <A href="/settings/audit">"Audit log"</A>
                        </li>
                    })}
                    {user.holds(AccessPermission::Dashboard).then(|| view! {
                        <li>
                            <A href="/dashboards">"My dashboards"</A>
                        </li>
                    })}
                    <li>
                        <A href="/account">"Your account"</A>
                    </li>
                </ul>
            </nav>
    }
}

/// The centred card of the pages people see before signing in (sign-up,
/// sign-in, activation): the brand, then the page's own content.
/// A settings page's title (the tab's too), under the "Settings"
/// breadcrumb, with an optional line on what the page is for.
#[component]
pub fn SettingsHead(title: &'static str, #[prop(optional)] lead: Option<&'static str>) -> impl IntoView {
    view! {
        <leptos_meta::Title text=title />
        <div class="page-head">
            <div>
                <p class="breadcrumb">"Settings"</p>
                <h1>{title}</h1>
                {lead.map(|lead| view! { <p class="lead">{lead}</p> })}
            </div>
        </div>
    }
}

#[component]
pub fn CardPage(children: Children) -> impl IntoView {
    view! {
        <main class="auth-page">
            <section class="card auth-card" aria-labelledby="auth-title">
                <p class="brand brand-large">
                    <span class="brand-mark" aria-hidden="true">"R"</span>
                    "Roster"
                </p>
                {children()}
            </section>
        </main>
    }
}

/// The heading of a `CardPage`: the page's title (in the tab too) and the
/// `<h1>` the card is labelled by.
#[component]
pub fn CardHeading(#[prop(into)] title: String) -> impl IntoView {
    view! {
        <leptos_meta::Title text=title.clone() />
        <h1 id="auth-title">{title}</h1>
    }
}
