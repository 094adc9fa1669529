//! The HTML shell, the router and the page layout.

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::{Lazy, LazyRoute, SsrMode, lazy_route, path};

use crate::components::form::TimeZoneScript;
use crate::components::hydration::{BundleStylesheet, Hydration};
use crate::components::layout::SettingsLayout;
use crate::features::access::matrix::AccessMatrixPage;
use crate::features::access::types::AccessPermission;
use crate::features::access::ui::{RolesPage, UserAccessPage};
use crate::features::active_users::ui::ActiveUsersPage;
use crate::features::api_keys::ui::ApiKeysPage;
use crate::features::audit::ui::AuditPage;
use crate::features::auth::ui::{
    AccountPage, ConfirmSignUpPage, ForgotPasswordPage, ForgotPasswordSentPage, RecoverPage, SignInPage, SignUpPage,
    SignUpSentPage, current_user,
};
use crate::features::dashboards::ui::{DashboardPage, DashboardSettingsPage, MyDashboardsPage};
use crate::features::groups::ui::{GroupPage, GroupsPage};
use crate::features::invites::ui::ActivatePage;
use crate::features::mail::ui::DevMailboxPage;
use crate::features::positions::ui::OrgChartPage;
use crate::features::profile::ui::AdditionalDataPage;
use crate::features::settings::ui::SecurityPage;
use crate::features::users::ui::{ConfirmEmailPage, ExternalUsersPage, UsersPage};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                // Static head tags live in the server-only shell, not in the
                // hydrated app, so they add nothing to the WASM bundle.
                // /pkg/roster.css, or its content-hashed name in a release.
                <BundleStylesheet options=options.clone() />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <AutoReload options=options.clone() />
                // Leptos's HydrationScripts, fetching the bundle after the first paint.
                <Hydration options />
                <MetaTags />
            </head>
            <body>
                <App />
                <TimeZoneScript />
            </body>
        </html>
    }
}

/// What every page's title ends with: "User Management · Roster".
const TITLE_SUFFIX: &str = " · Roster";

/// The page's own part of the title the server rendered ("Sign in" of
/// "Sign in · Roster"), kept until the page's `<Title>` takes over. Without
/// it, leptos_meta empties the title while a lazy page's code loads before
/// hydrating, and the tab shows no name for that moment.
fn page_title_so_far() -> String {
    #[cfg(feature = "hydrate")]
    {
        let title = document().title();
        title.strip_suffix(TITLE_SUFFIX).unwrap_or_default().to_owned()
    }
    #[cfg(not(feature = "hydrate"))]
    String::new()
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        <Title text=page_title_so_far() formatter=|page: String| if page.is_empty() { "Roster".to_owned() } else { format!("{page}{TITLE_SUFFIX}") } />
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=HomePage ssr=SsrMode::Async />
                <Route path=path!("/activate/:token") view={Lazy::<ActivateRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/dev/mailbox") view={Lazy::<DevMailboxRoute>::new()} ssr=SsrMode::Async />
                <ParentRoute path=path!("/account") view=SettingsLayout ssr=SsrMode::Async>
                    <Route path=path!("") view={Lazy::<AccountRoute>::new()} ssr=SsrMode::Async />
                </ParentRoute>
                <ParentRoute path=path!("/dashboards") view=SettingsLayout ssr=SsrMode::Async>
                    <Route path=path!("") view={Lazy::<MyDashboardsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!(":id") view={Lazy::<DashboardRoute>::new()} ssr=SsrMode::Async />
                </ParentRoute>
                <Route path=path!("/sign-up") view={Lazy::<SignUpRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/sign-up/sent") view={Lazy::<SignUpSentRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/sign-up/confirm/:token") view={Lazy::<ConfirmSignUpRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/sign-in") view={Lazy::<SignInRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/forgot-password") view={Lazy::<ForgotPasswordRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/forgot-password/sent") view={Lazy::<ForgotPasswordSentRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/recover/:token") view={Lazy::<RecoverRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/confirm-email/:token") view={Lazy::<ConfirmEmailRoute>::new()} ssr=SsrMode::Async />
                <ParentRoute path=path!("/settings") view=SettingsLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=|| view! { <Redirect path="/settings/users" /> } />
                    <Route path=path!("users") view=UsersPage ssr=SsrMode::Async />
                    <Route path=path!("external-users") view=ExternalUsersPage ssr=SsrMode::Async />
                    <Route path=path!("groups") view={Lazy::<GroupsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("groups/:id") view={Lazy::<GroupRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("org-chart") view={Lazy::<OrgChartRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("additional-data") view={Lazy::<AdditionalDataRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("audit") view={Lazy::<AuditRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("security") view={Lazy::<SecurityRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("active-users") view={Lazy::<ActiveUsersRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("roles") view={Lazy::<RolesRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("dashboards") view={Lazy::<DashboardSettingsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("api-keys") view={Lazy::<ApiKeysRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("users/access") view={Lazy::<AccessMatrixRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("users/:id/access") view={Lazy::<UserAccessRoute>::new()} ssr=SsrMode::Async />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// A page whose code is split out of the main WASM bundle (`cargo leptos
/// build --split`) and fetched when the page is first shown (on a full page
/// load, preloaded with it). User Management, the page an admin lives on,
/// stays in the main bundle; the pages a visitor or a newly invited person
/// sees once do not make it heavier.
macro_rules! lazy_page {
    ($route:ident, $page:ident) => {
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                $page().into_any()
            }
        }
    };
}

lazy_page!(ActivateRoute, ActivatePage);
lazy_page!(DevMailboxRoute, DevMailboxPage);
lazy_page!(AccountRoute, AccountPage);
lazy_page!(SignUpRoute, SignUpPage);
lazy_page!(SignUpSentRoute, SignUpSentPage);
lazy_page!(ConfirmSignUpRoute, ConfirmSignUpPage);
lazy_page!(SignInRoute, SignInPage);
lazy_page!(AuditRoute, AuditPage);
lazy_page!(SecurityRoute, SecurityPage);
lazy_page!(ActiveUsersRoute, ActiveUsersPage);
lazy_page!(RolesRoute, RolesPage);
lazy_page!(AccessMatrixRoute, AccessMatrixPage);
lazy_page!(ApiKeysRoute, ApiKeysPage);
lazy_page!(DashboardSettingsRoute, DashboardSettingsPage);
lazy_page!(MyDashboardsRoute, MyDashboardsPage);
lazy_page!(DashboardRoute, DashboardPage);
lazy_page!(GroupsRoute, GroupsPage);
lazy_page!(GroupRoute, GroupPage);
lazy_page!(OrgChartRoute, OrgChartPage);
lazy_page!(AdditionalDataRoute, AdditionalDataPage);
lazy_page!(UserAccessRoute, UserAccessPage);
lazy_page!(ForgotPasswordRoute, ForgotPasswordPage);
lazy_page!(ForgotPasswordSentRoute, ForgotPasswordSentPage);
lazy_page!(RecoverRoute, RecoverPage);
lazy_page!(ConfirmEmailRoute, ConfirmEmailPage);

/// `/`: Superusers go to User Management, everyone else to their account,
/// visitors to sign in.
#[component]
fn HomePage() -> impl IntoView {
    let me = current_user();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let path = match me.await {
                    Ok(Some(user)) if user.holds(AccessPermission::UserMenu) => "/settings/users",
                    Ok(Some(_)) => "/account",
                    _ => "/sign-in",
                };
                view! { <Redirect path=path /> }
            })}
        </Suspense>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <Title text="Page not found" />
        <main class="centered-page">
            <section class="card narrow">
                <h1>"Page not found"</h1>
                <p>"The page you asked for does not exist."</p>
                <p><a href="/settings/users">"Go to User Management"</a></p>
            </section>
        </main>
    }
}
