//! Sign-up and sign-in pages.

mod account;
mod sign_in;
mod sign_up;

pub use account::AccountPage;
pub use sign_in::SignInPage;
pub use sign_up::SignUpPage;

use leptos::prelude::*;

/// The centred card layout of the pages a visitor sees before signing in.
#[component]
fn AuthCard(title: &'static str, #[prop(into)] lead: String, children: Children) -> impl IntoView {
    view! {
        <main class="auth-page">
            <section class="card auth-card" aria-labelledby="auth-title">
                <p class="brand brand-large">
                    <span class="brand-mark" aria-hidden="true">"R"</span>
                    "Roster"
                </p>
                <h1 id="auth-title">{title}</h1>
                <p class="lead">{lead}</p>
                {children()}
            </section>
        </main>
    }
}
