//! The User Management page.

mod seat_counters;
mod table;
mod user_panel;
mod users_page;

pub use users_page::UsersPage;
