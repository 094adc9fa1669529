//! The page a mailed link opens (`/<page>/:token`): it checks the link
//! when it opens, changing nothing (mail scanners open links), and shows
//! what the link's state calls for. Sign-up confirmation, password recovery
//! and email confirmation pages are built on it.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::components::feedback::{ErrorState, LoadingState};
use crate::components::layout::CardPage;
use crate::components::resource::server_resource;
use crate::error::AppError;

/// `inspect` asks the server what the URL's token leads to; `render` gets
/// the token and that answer.
pub fn link_page<T, Fut>(inspect: fn(String) -> Fut, render: fn(String, T) -> AnyView) -> impl IntoView
where
    T: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<T, AppError>> + Send + 'static,
{
    let token = use_params_map().with_untracked(|p| p.get("token").unwrap_or_default());
    let link = {
        let token = token.clone();
        server_resource(|| (), move |_| inspect(token.clone()))
    };
    view! {
        <CardPage>
            <Suspense fallback=|| view! { <LoadingState label="Checking your link…" /> }>
                {move || {
                    let token = token.clone();
                    Suspend::new(async move {
                        match link.await {
                            Ok(link) => render(token, link),
                            Err(error) => view! { <ErrorState error /> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </CardPage>
    }
}
