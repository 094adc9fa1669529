//! The invite dialog.

mod invite_dialog;

pub use invite_dialog::InviteDialog;
