//! Mail (ssr only): templates rendered with askama (plain text and HTML,
//! HTML-escaped) and the transactional outbox they are queued in.

pub mod outbox;
pub mod worker;
pub mod templates;
