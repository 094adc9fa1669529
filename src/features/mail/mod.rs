//! Mail: askama templates (plain text and HTML, HTML-escaped), the
//! transactional outbox and its worker (server only), and the development
//! mailbox page.

pub mod api;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod outbox;
#[cfg(feature = "ssr")]
pub mod templates;
#[cfg(feature = "ssr")]
pub mod worker;
