//! Sign-up and sign-in pages.

mod account;
mod recovery;
mod sign_in;
mod sign_up;

pub use account::AccountPage;
pub use recovery::{ForgotPasswordPage, ForgotPasswordSentPage, RecoverPage};
pub use sign_in::SignInPage;
pub use sign_up::{ConfirmSignUpPage, SignUpPage, SignUpSentPage};

use leptos::prelude::*;

use crate::components::layout::{CardHeading, CardPage};
use crate::components::resource::{Json, server_resource};
use crate::error::AppError;
use crate::features::auth::api::get_current_user;
use crate::features::auth::types::CurrentUser;

/// Who is signed in (`None` for a visitor). Every page asks through this one
/// function, so the browser bundle carries one copy of the resource's code.
pub fn current_user() -> Resource<Result<Option<CurrentUser>, AppError>, Json> {
    server_resource(|| (), |_| get_current_user())
}

/// The signed-in user as the settings layout loaded it, for a page that
/// changes them (their account) to reload it.
#[derive(Clone, Copy)]
pub struct SignedInUser(pub Resource<Result<Option<CurrentUser>, AppError>, Json>);

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
