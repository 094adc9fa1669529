//! Server-side authentication (ssr only).

pub mod guard;
pub mod lockout;
pub mod new_password;
pub mod own_account;
pub mod password;
pub mod recovery;
pub mod session;
pub mod session_store;
pub mod sign_in;
pub mod sign_up;
