//! The rules for a password a person chooses (sign-up confirmation,
//! activation, and later recovery and change): the composition rules the
//! form shows, zxcvbn's guessability estimate with the person's own name and
//! address as known words, and the confirmation matching.

use crate::error::Validator;
use crate::features::auth::types::{Password, password_problem};

/// Adds the password's problems to `v`: `password` and
/// `password_confirmation` are the fields. `personal` holds what an attacker
/// would try first (email, names).
pub fn check(v: &mut Validator, password: &Password, confirmation: &Password, personal: &[&str]) {
    if let Some(problem) = password_problem(password.expose()) {
        v.add("password", problem);
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
    fn common_and_personal_passwords_are_refused() {
        assert!(weakness("Password1!", &[]).is_some(), "common");
        assert!(weakness("Grace2026!", &["grace@example.com", "Grace", "Hopper"]).is_some(), "personal");
        assert!(weakness("Tulip-Quarry-Vessel-42", &["grace@example.com", "Grace", "Hopper"]).is_none());
    }
}
