//! The User Management page.

mod confirm_email;
mod seat_counters;
mod table;
mod user_panel;
mod users_page;

pub use confirm_email::ConfirmEmailPage;
pub use table::{Avatar, LocalTime};
#[cfg(feature = "hydrate")]
pub use users_page::preload_opened_by_address;
pub use users_page::{ExternalUsersPage, UserList, UsersPage, UsersToolbar, list_query};
