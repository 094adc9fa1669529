//! The User Management page.

mod confirm_email;
mod seat_counters;
mod table;
mod user_panel;
mod users_page;

pub use confirm_email::ConfirmEmailPage;
pub use users_page::{UsersPage, UsersToolbar};
