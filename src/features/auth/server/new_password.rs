//! The rules for a password a person chooses (sign-up confirmation,
//! activation, and later recovery and change): the composition rules the
//! form shows, zxcvbn's guessability estimate with the person's own name and
//! address as known words, and the confirmation matching.

use crate::error::Validator;
use crate::features::auth::types::{Password, PasswordPolicy, password_problem};

pub use store::{Holder, store};

/// Storing a chosen password: what changing it and recovering it share.
mod store {
    use chrono::Utc;
    use chrono_tz::Tz;
    use sqlx::PgConnection;
    use uuid::Uuid;

    use crate::error::AppError;
    use crate::features::auth::server::password::PasswordHashString;
    use crate::features::invites::server::link::expiry_text;
    use crate::features::mail::outbox::{OutgoingMail, enqueue};
    use crate::features::mail::templates::PasswordChangedMail;

    /// Whose password it is, as the notice mail addresses them.
    pub struct Holder<'a> {
        pub org_id: Uuid,
        pub user_id: Uuid,
        pub email: &'a str,
        pub first_name: &'a str,
        pub organization: &'a str,
        pub time_zone: Tz,
    }

    /// Stores the new hash in the caller's transaction: every session of
    /// the user ends (rows deleted, epoch moved on), an automatic lockout
    /// is cleared, and a notice (never the password) is queued. Returns the
    /// new session epoch.
    pub async fn store(
        conn: &mut PgConnection,
        holder: Holder<'_>,
        hash: &PasswordHashString,
    ) -> Result<i32, AppError> {
        let epoch: i32 = sqlx::query_scalar(
            "UPDATE users SET password_hash = $3, session_epoch = session_epoch + 1, version = version + 1, \
                    failed_sign_ins = 0, first_failed_at = NULL, locked_at = NULL, locked_until = NULL \
             WHERE org_id = $1 AND id = $2 RETURNING session_epoch",
        )
        .bind(holder.org_id)
        .bind(holder.user_id)
        .bind(&hash.0)
        .fetch_one(&mut *conn)
        .await?;
        crate::features::auth::server::session::end_all_of(&mut *conn, holder.org_id, holder.user_id).await?;
        let mail = PasswordChangedMail {
            first_name: holder.first_name.to_owned(),
            organization: holder.organization.to_owned(),
            when: expiry_text(Utc::now(), holder.time_zone),
        }
        .render()?;
        let outgoing = OutgoingMail {
            org_id: Some(holder.org_id),
            user_id: Some(holder.user_id),
            invite_id: None,
            sign_up_id: None,
            kind: "password_changed",
            recipient: holder.email,
            mail,
        };
        enqueue(conn, outgoing).await?;
        Ok(epoch)
    }
}

/// The most common passwords (from the npm package
/// @zxcvbn-ts/language-common, MIT licence; `scripts/common-passwords.sh`
/// regenerates the file), lower-cased, read once.
fn common_passwords() -> &'static std::collections::HashSet<&'static str> {
    static LIST: std::sync::OnceLock<std::collections::HashSet<&'static str>> = std::sync::OnceLock::new();
    LIST.get_or_init(|| {
        include_str!("common_passwords.txt").lines().filter(|line| !line.starts_with('#') && !line.is_empty()).collect()
    })
}

/// Whether the password is one of the most common ones (case ignored).
pub fn is_common(password: &str) -> bool {
    common_passwords().contains(password.to_lowercase().as_str())
}

/// Adds the password's problems to `v` under the organization's `policy`:
/// `password` and `password_confirmation` are the fields. `personal` holds
/// what an attacker would try first (email, names).
pub fn check(
    v: &mut Validator,
    policy: PasswordPolicy,
    password: &Password,
    confirmation: &Password,
    personal: &[&str],
) {
    if let Some(problem) = password_problem(policy, password.expose()) {
        v.add("password", problem);
    } else if is_common(password.expose()) {
        v.add("password", "This is one of the most common passwords. Choose another one.");
    } else if let Some(weakness) = weakness(password.expose(), personal) {
        v.add("password", weakness);
    }
    v.check(password == confirmation, "password_confirmation", "The two passwords do not match.");
}

/// zxcvbn's verdict: `Some(advice)` when the password is too easy to guess
/// (score below 3 of 4), taking the user's own name and email into account.
pub fn weakness(password: &str, personal: &[&str]) -> Option<String> {
    let inputs: Vec<&str> = personal.iter().flat_map(|s| s.split(['@', '.', ' '])).filter(|s| s.len() > 2).collect();
    let estimate = zxcvbn::zxcvbn(password, &inputs);
    if (estimate.score() as u8) >= 3 {
        return None;
    }
    let advice = estimate
        .feedback()
        .and_then(|f| f.warning().map(|w| w.to_string()))
        .unwrap_or_else(|| "It is too easy to guess.".to_owned());
    Some(format!("Choose a stronger password. {advice}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_password_list_is_loaded_and_ignores_case() {
        assert!(common_passwords().len() > 40_000);
        assert!(is_common("123456") && is_common("PassWord") && is_common("qwerty"));
        assert!(!is_common("Tulip-Quarry-Vessel-42"));
    }

    #[test]
    fn each_policy_has_its_rules() {
        let mut v = Validator::new();
        let long = Password::new("tulip quarry vessel harbour");
        check(&mut v, PasswordPolicy::Length, &long, &long, &[]);
        assert!(v.finish().is_ok(), "15+ characters, no composition rules");
        let mut v = Validator::new();
        check(&mut v, PasswordPolicy::Composition, &long, &long, &[]);
        assert!(v.finish().is_err(), "no upper case, digit or special character");
        let mut v = Validator::new();
        let short = Password::new("Tulip-Quarry-9");
        check(&mut v, PasswordPolicy::Length, &short, &short, &[]);
        assert!(v.finish().is_err(), "14 characters");
        // A common one that meets the length: still refused.
        let mut v = Validator::new();
        let common = Password::new("1qaz2wsx3edc4rfv");
        check(&mut v, PasswordPolicy::Length, &common, &common, &[]);
        assert!(v.finish().is_err());
    }

    #[test]
    fn common_and_personal_passwords_are_refused() {
        assert!(weakness("Password1!", &[]).is_some(), "common");
        assert!(weakness("Grace2026!", &["grace@example.com", "Grace", "Hopper"]).is_some(), "personal");
        assert!(weakness("Tulip-Quarry-Vessel-42", &["grace@example.com", "Grace", "Hopper"]).is_none());
    }
}
