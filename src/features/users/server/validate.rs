//! Validation of user data, shared by sign-up, invites and edits. The browser
//! checks the same rules as a convenience; these are the ones that count.

use chrono_tz::Tz;

use crate::error::Validator;
use crate::features::users::types::{MAX_EMAIL_CHARS, MAX_NAME_CHARS};

/// Trims a required text field and checks its length. Returns the trimmed value.
pub fn required_text(v: &mut Validator, field: &str, label: &str, value: &str, max: usize) -> String {
    let value = value.trim();
    if value.is_empty() {
        v.add(field, format!("{label} is required."));
    } else if value.chars().count() > max {
        v.add(field, format!("{label} can be at most {max} characters."));
    } else if value.chars().any(|c| c.is_control()) {
        v.add(field, format!("{label} cannot contain control characters."));
    }
    value.to_owned()
}

pub fn name(v: &mut Validator, field: &str, label: &str, value: &str) -> String {
    required_text(v, field, label, value, MAX_NAME_CHARS)
}

/// A syntactically valid address with a dotted domain, trimmed. Case is kept
/// as typed; uniqueness is case-insensitive (a unique index on lower(email)).
pub fn email(v: &mut Validator, field: &str, value: &str) -> String {
    let value = value.trim();
    if value.is_empty() {
        v.add(field, "Email is required.");
    } else if value.chars().count() > MAX_EMAIL_CHARS {
        v.add(field, format!("Email can be at most {MAX_EMAIL_CHARS} characters."));
    } else {
        let valid = email_address::EmailAddress::parse_with_options(value, email_address::Options::default())
            .map(|parsed| parsed.domain().contains('.') && !value.contains(['<', '>', ' ']))
            .unwrap_or(false);
        v.check(valid, field, "Enter a valid email address, like name@example.com.");
    }
    value.to_owned()
}

/// An optional mobile phone number in international form (`+41 79 123 45
/// 67`), stored in E.164: what the Edit form and one's own profile take.
pub fn mobile_phone(v: &mut Validator, field: &str, value: &str) -> Option<String> {
    international_phone(v, field, "The mobile number", value)
}

/// Any phone number in international form (`+49 30 1234567`), stored in
/// E.164.
pub fn international_phone(v: &mut Validator, field: &str, label: &str, value: &str) -> Option<String> {
    let number = crate::features::invites::server::validate::phone(v, field, label, value, None);
    if !value.trim().is_empty() && !value.trim().starts_with('+') && !v.has(field) {
        v.add(field, "Start the number with its country code, e.g. +41 79 123 45 67.");
    }
    number
}

/// An IANA time-zone name known to the tz database.
pub fn time_zone(v: &mut Validator, field: &str, value: &str) -> Option<Tz> {
    let value = value.trim();
    match value.parse::<Tz>() {
        Ok(tz) => Some(tz),
        Err(_) => {
            v.add(
                field,
                if value.is_empty() {
                    "Choose a time zone.".to_owned()
                } else {
                    format!("\u{201c}{value}\u{201d} is not a known time zone. Pick one from the list.")
                },
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_need_a_dotted_domain_and_no_spaces() {
        for good in ["ada@example.com", "Ada.Lovelace+x@sub.example.org"] {
            let mut v = Validator::new();
            email(&mut v, "email", good);
            assert!(v.finish().is_ok(), "{good}");
        }
        for bad in ["", "ada", "ada@localhost", "a da@example.com", "@example.com", "ada@"] {
            let mut v = Validator::new();
            email(&mut v, "email", bad);
            assert!(v.finish().is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn names_are_trimmed_and_capped() {
        let mut v = Validator::new();
        assert_eq!(name(&mut v, "first_name", "First name", "  Ada "), "Ada");
        assert!(v.finish().is_ok());
        let mut v = Validator::new();
        name(&mut v, "first_name", "First name", &"x".repeat(MAX_NAME_CHARS + 1));
        assert!(v.finish().unwrap_err().field_message("first_name").unwrap().contains("at most 100"));
    }

    #[test]
    fn time_zones_come_from_the_tz_database() {
        let mut v = Validator::new();
        assert!(time_zone(&mut v, "time_zone", "Europe/Zurich").is_some());
        assert!(time_zone(&mut v, "time_zone", "Mars/Olympus").is_none());
        assert!(v.finish().is_err());
    }
}
