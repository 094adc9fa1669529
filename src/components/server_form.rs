//! Forms posted to a server function: `ServerForm` and its `FormAction`.
//!
//! They replace Leptos' `ActionForm`, which works the same way but parses the
//! form into the server function's argument struct in the browser
//! (`serde_qs`), only to serialize it straight back into the same URL-encoded
//! body. That round trip compiled a query-string deserializer per form into
//! the WASM bundle (about 80 KB before compression). Here the browser sends
//! the form's own URL-encoded body, exactly what it posts without JavaScript,
//! and the server function parses it once, on the server, where the
//! validation lives anyway.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// The state of a form posted to a server function whose answer is `O`:
/// pending while it runs, then its result (`value`); `version` counts the
/// submissions.
pub struct FormAction<O: 'static> {
    action: Action<String, Result<O, AppError>>,
    url: &'static str,
}

impl<O: 'static> Clone for FormAction<O> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<O: 'static> Copy for FormAction<O> {}

impl<O: Send + Sync + 'static> FormAction<O> {
    /// The action of a form posted to server function `S`.
    pub fn new<S>() -> Self
    where
        S: ServerFn<Output = O, Error = AppError>,
        O: DeserializeOwned,
    {
        let url = S::url();
        let failed_without_js = error_from_url(S::PATH).map(Err);
        Self {
            action: Action::new_with_value(failed_without_js, move |body: &String| post_form::<O>(url, body.clone())),
            url,
        }
    }

    /// The last submission's result, `None` before the first.
    pub fn value(&self) -> MappedSignal<Option<Result<O, AppError>>> {
        self.action.value()
    }

    /// Whether a submission is on its way.
    pub fn pending(&self) -> Memo<bool> {
        self.action.pending()
    }

    /// Posts `body` (URL-encoded, as a form would) to the server function.
    pub fn dispatch(&self, body: String) {
        self.action.dispatch(body);
    }

    /// How many submissions have finished; pages reload their data on it.
    pub fn version(&self) -> RwSignal<usize> {
        self.action.version()
    }
}

/// The error of a form posted without JavaScript: the server redirects back
/// to the form's page with the error in the URL (leptos_axum does this), and
/// the page shows it next to the fields as if it had been posted by script.
fn error_from_url(path: &str) -> Option<AppError> {
    use leptos::server::ServerActionError;
    use leptos::server_fn::error::ServerFnUrlError;
    let error = use_context::<ServerActionError>()?;
    (error.path() == path).then(|| ServerFnUrlError::<AppError>::decode_err(error.err()))
}

/// A `<form>` that posts to its action's server function: natively without
/// JavaScript (the server function answers with a redirect), through the
/// action with it (the page shows the result in place).
#[component]
pub fn ServerForm<O: Send + Sync + 'static>(
    action: FormAction<O>,
    /// Empty the form once its submission succeeds (a form that adds
    /// things, where the next entry starts afresh).
    #[prop(optional)]
    reset_on_success: bool,
    children: Children,
) -> impl IntoView {
    let form_ref = NodeRef::<leptos::html::Form>::new();
    if reset_on_success {
        let value = action.value();
        Effect::new(move |_| {
            if value.with(|v| matches!(v, Some(Ok(_)))) {
                if let Some(form) = form_ref.get() {
                    form.reset();
                }
            }
        });
    }
    let on_submit = move |ev: SubmitEvent| {
        if ev.default_prevented() {
            return;
        }
        // A form the script cannot read is left to the browser, which posts
        // it natively like it does without JavaScript.
        if let Some(body) = url_encoded_form(&ev) {
            ev.prevent_default();
            action.action.dispatch(body);
        }
    };
    view! {
        <form action=action.url method="post" on:submit=on_submit node_ref=form_ref>
            {children()}
        </form>
    }
}

/// The submitted form as `application/x-www-form-urlencoded`, including the
/// button that submitted it, as the browser would post it.
#[cfg(feature = "hydrate")]
fn url_encoded_form(ev: &SubmitEvent) -> Option<String> {
    use leptos::wasm_bindgen::JsCast;
    let form_data = leptos::form::form_data_from_event(ev).ok()?;
    let params = web_sys::UrlSearchParams::new_with_str_sequence_sequence(form_data.unchecked_ref()).ok()?;
    params.to_string().as_string()
}

#[cfg(not(feature = "hydrate"))]
fn url_encoded_form(_ev: &SubmitEvent) -> Option<String> {
    // Submit events exist only in the browser.
    None
}

/// Posts a form body to a server function and reads its JSON answer the way
/// a server function call does: an error status carries an `AppError`, and a
/// redirect the server asked for is followed through the router.
#[cfg(feature = "hydrate")]
async fn post_form<O: DeserializeOwned>(url: &'static str, body: String) -> Result<O, AppError> {
    use leptos::server_fn::error::{FromServerFnError, IntoAppError, ServerFnErrorErr};
    let (status, bytes, redirect) = post(url, body).await?;
    let result = if (400..=599).contains(&status) {
        Err(AppError::de(bytes))
    } else {
        serde_json::from_slice(&bytes).map_err(|e| ServerFnErrorErr::Deserialization(e.to_string()).into_app_error())
    };
    if let Some(location) = redirect {
        leptos::server_fn::redirect::call_redirect_hook(&location);
    }
    result
}

/// The part of `post_form` that does not depend on the answer's type, so the
/// bundle carries it once.
#[cfg(feature = "hydrate")]
async fn post(url: &'static str, body: String) -> Result<(u16, leptos::server_fn::Bytes, Option<String>), AppError> {
    use leptos::server_fn::client::Client;
    use leptos::server_fn::client::browser::BrowserClient;
    use leptos::server_fn::request::ClientReq;
    use leptos::server_fn::request::browser::BrowserRequest;
    use leptos::server_fn::response::ClientRes;

    let request = <BrowserRequest as ClientReq<AppError>>::try_new_post(
        url,
        "application/x-www-form-urlencoded",
        "application/json",
        body,
    )?;
    let response = <BrowserClient as Client<AppError>>::send(request).await?;
    let status = ClientRes::<AppError>::status(&response);
    let redirect = ((300..=399).contains(&status) || ClientRes::<AppError>::has_redirect(&response))
        .then(|| ClientRes::<AppError>::location(&response));
    let bytes = ClientRes::<AppError>::try_into_bytes(response).await?;
    Ok((status, bytes, redirect))
}

#[cfg(not(feature = "hydrate"))]
async fn post_form<O>(_url: &'static str, _body: String) -> Result<O, AppError> {
    // The server never submits a form: without JavaScript the browser posts
    // straight to the server function's URL, which answers with a redirect.
    Err(AppError::bad_request("Forms are submitted by the browser."))
}
