//! Sign-up and sign-in pages.

mod account;
mod sign_in;
mod sign_up;

pub use account::AccountPage;
pub use sign_in::SignInPage;
pub use sign_up::SignUpPage;

use leptos::prelude::*;

use crate::components::layout::{CardHeading, CardPage};

/// The centred card layout of the pages a visitor sees before signing in.
#[component]
fn AuthCard(title: &'static str, #[prop(into)] lead: String, children: Children) -> impl IntoView {
    view! {
        <CardPage>
            <CardHeading title />
            <p class="lead">{lead}</p>
            {children()}
        </CardPage>
    }
}
