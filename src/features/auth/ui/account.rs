use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::feedback::ErrorState;
use crate::error::AppError;
use crate::features::auth::types::CurrentUser;

/// `/account`: who you are signed in as. Where Basic and Operator users land.
/// Rendered inside the settings layout, which has loaded the signed-in user.
#[component]
pub fn AccountPage() -> impl IntoView {
    let me = use_context::<CurrentUser>();
    view! {
        <Title text="Your account" />
        <div class="page-head">
            <div>
                <p class="breadcrumb">"Settings"</p>
                <h1>"Your account"</h1>
            </div>
        </div>
        {match me {
            Some(user) => view! {
                <dl class="details card">
                    <dt>"Name"</dt><dd>{format!("{} {}", user.first_name, user.last_name)}</dd>
                    <dt>"Email"</dt><dd>{user.email.clone()}</dd>
                    <dt>"Organization"</dt><dd>{user.organization.clone()}</dd>
                    <dt>"Role"</dt><dd>{user.role.label()}</dd>
                    <dt>"Time zone"</dt><dd>{user.time_zone.clone()}</dd>
                </dl>
            }.into_any(),
            None => view! { <ErrorState error=AppError::Unauthorized /> }.into_any(),
        }}
    }
}
