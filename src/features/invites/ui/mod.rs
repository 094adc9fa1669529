//! The invite dialog and the activation page.

mod activate;
mod invite_dialog;

pub use activate::ActivatePage;
pub use invite_dialog::InviteDialog;
