//! `/dev/mailbox`: where `make run` delivers mail, so the whole invite flow
//! can be tried without an SMTP server.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::feedback::{ErrorState, LoadingState};
use crate::components::resource::server_resource;
use crate::features::mail::api::dev_mailbox;

#[component]
pub fn DevMailboxPage() -> impl IntoView {
    let mails = server_resource(|| (), |_| dev_mailbox());
    view! {
        <Title text="Development mailbox" />
        <main class="mailbox-page">
            <h1>"Development mailbox"</h1>
            <p class="lead">"No SMTP server is configured, so Roster delivers its mail here. Set SMTP_URL to send real email."</p>
            <Suspense fallback=|| view! { <LoadingState label="Loading mail…" /> }>
                {move || Suspend::new(async move {
                    match mails.await {
                        Ok(mails) if mails.is_empty() => view! {
                            <div class="state state-empty"><p class="state-title">"No mail yet."</p><p>"Invite someone and their email appears here."</p></div>
                        }.into_any(),
                        Ok(mails) => view! {
                            <ul class="mail-list">
                                {mails.into_iter().map(|mail| view! {
                                    <li class="card mail">
                                        <article aria-label=format!("Mail to {}", mail.recipient)>
                                            <p class="mail-meta">"To " <strong>{mail.recipient.clone()}</strong> " · " {mail.delivered.clone()}</p>
                                            <h2>{mail.subject.clone()}</h2>
                                            <pre class="mail-body">{linkify(&mail.body_text)}</pre>
                                        </article>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <ErrorState error /> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

/// The text with its web addresses as links (everything stays text: names
/// in a mail can never become markup here).
fn linkify(text: &str) -> impl IntoView + use<> {
    text.split_inclusive(char::is_whitespace)
        .map(|word| {
            let trimmed = word.trim_end();
            if trimmed.starts_with("http://") || trimmed.starts_with("https://") {
                let rest = word[trimmed.len()..].to_owned();
                view! { <a href=trimmed.to_owned()>{trimmed.to_owned()}</a>{rest} }.into_any()
            } else {
                word.to_owned().into_any()
            }
        })
        .collect_view()
}
