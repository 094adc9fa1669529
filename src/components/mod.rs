//! Shared UI: layout, form fields, feedback states, status badges.

pub mod feedback;
pub mod form;
pub mod hydration;
pub mod layout;
pub mod link_page;
pub mod modal;
pub mod polling;
pub mod resource;
pub mod server_form;
