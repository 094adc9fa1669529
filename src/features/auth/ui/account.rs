use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::feedback::{ErrorState, LoadingState};
use crate::features::auth::api::get_current_user;

/// `/account`: who you are signed in as. Where Basic and Operator users land.
#[component]
pub fn AccountPage() -> impl IntoView {
    let me = Resource::new(|| (), |_| get_current_user());
    view! {
        <Title text="Your account" />
        <div class="page-head">
            <div>
                <p class="breadcrumb">"Settings"</p>
                <h1>"Your account"</h1>
            </div>
        </div>
        <Suspense fallback=|| view! { <LoadingState label="Loading…" /> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(user)) => view! {
                        <dl class="details card">
                            <dt>"Name"</dt><dd>{format!("{} {}", user.first_name, user.last_name)}</dd>
                            <dt>"Email"</dt><dd>{user.email.clone()}</dd>
                            <dt>"Organization"</dt><dd>{user.organization.clone()}</dd>
                            <dt>"Role"</dt><dd>{user.role.label()}</dd>
                            <dt>"Time zone"</dt><dd>{user.time_zone.clone()}</dd>
                        </dl>
                    }.into_any(),
                    Ok(None) => view! { <ErrorState error=crate::error::AppError::Unauthorized /> }.into_any(),
                    Err(error) => view! { <ErrorState error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
