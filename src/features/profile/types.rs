//! Messenger accounts and custom fields as the forms and the profile show
//! them, with the checks both sides share.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// At most this many messenger accounts per user.
pub const MAX_MESSENGERS: usize = 10;
pub const MAX_FIELD_LABEL_CHARS: usize = 60;
pub const MAX_FIELD_VALUE_CHARS: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "messenger_kind", rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
pub enum MessengerKind {
    Telegram,
    Whatsapp,
    Slack,
    Teams,
    Skype,
    Linkedin,
    Other,
}

impl MessengerKind {
    pub const ALL: [MessengerKind; 7] = [
        MessengerKind::Telegram,
        MessengerKind::Whatsapp,
        MessengerKind::Slack,
        MessengerKind::Teams,
        MessengerKind::Skype,
        MessengerKind::Linkedin,
        MessengerKind::Other,
    ];

    pub fn param(self) -> &'static str {
        match self {
            MessengerKind::Telegram => "telegram",
            MessengerKind::Whatsapp => "whatsapp",
            MessengerKind::Slack => "slack",
            MessengerKind::Teams => "teams",
            MessengerKind::Skype => "skype",
            MessengerKind::Linkedin => "linkedin",
            MessengerKind::Other => "other",
        }
    }

    pub fn from_param(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.param() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            MessengerKind::Telegram => "Telegram",
            MessengerKind::Whatsapp => "WhatsApp",
            MessengerKind::Slack => "Slack",
            MessengerKind::Teams => "Microsoft Teams",
            MessengerKind::Skype => "Skype",
            MessengerKind::Linkedin => "LinkedIn",
            MessengerKind::Other => "Other",
        }
    }

    /// What to type, shown under the field.
    pub fn hint(self) -> &'static str {
        match self {
            MessengerKind::Telegram => "@username",
            MessengerKind::Whatsapp => "+41 79 123 45 67",
            MessengerKind::Slack => "@name or member ID",
            MessengerKind::Teams => "name@company.com",
            MessengerKind::Skype => "live:name",
            MessengerKind::Linkedin => "linkedin.com/in/name",
            MessengerKind::Other => "service: handle",
        }
    }

    /// A link that opens the account, where the service has one.
    pub fn link(self, handle: &str) -> Option<String> {
        match self {
            MessengerKind::Telegram => Some(format!("https://t.me/{}", handle.trim_start_matches('@'))),
            MessengerKind::Whatsapp => Some(format!("https://wa.me/{}", handle.trim_start_matches('+'))),
            MessengerKind::Linkedin => Some(handle.to_owned()),
            MessengerKind::Teams => Some(format!("https://teams.microsoft.com/l/chat/0/0?users={handle}")),
            _ => None,
        }
    }

    /// The handle in its canonical form, or why it is not one. (WhatsApp
    /// numbers are checked by the server's phone-number library.)
    pub fn normalize(self, handle: &str) -> Result<String, String> {
        let handle = handle.trim();
        let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
        match self {
            MessengerKind::Telegram => {
                let name = handle.trim_start_matches('@');
                if (5..=32).contains(&name.len()) && name.chars().all(word) {
                    Ok(format!("@{name}"))
                } else {
                    Err("A Telegram username has 5 to 32 letters, digits or underscores, like @grace_h.".into())
                }
            }
            MessengerKind::Slack => {
                let name = handle.trim_start_matches('@');
                if (1..=80).contains(&name.len()) && name.chars().all(|c| word(c) || matches!(c, '.' | '-')) {
                    Ok(if handle.starts_with('@') { format!("@{name}") } else { name.to_owned() })
                } else {
                    Err("Enter the Slack name (@grace.h) or member ID (U0123ABCD).".into())
                }
            }
            MessengerKind::Skype => {
                if (3..=64).contains(&handle.len())
                    && handle.chars().all(|c| word(c) || matches!(c, '.' | ',' | '-' | ':'))
                {
                    Ok(handle.to_owned())
                } else {
                    Err("A Skype name has letters, digits and . , - _ : only, like live:grace.".into())
                }
            }
            MessengerKind::Linkedin => {
                let slug = handle
                    .trim_end_matches('/')
                    .trim_start_matches("https://")
                    .trim_start_matches("http://")
                    .trim_start_matches("www.")
                    .trim_start_matches("linkedin.com/in/");
                if (3..=100).contains(&slug.len()) && slug.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_')
                {
                    Ok(format!("https://www.linkedin.com/in/{slug}"))
                } else {
                    Err("Enter the profile's address, like linkedin.com/in/grace-hopper.".into())
                }
            }
            MessengerKind::Teams | MessengerKind::Whatsapp | MessengerKind::Other => {
                if handle.is_empty() || handle.chars().count() > 200 || handle.chars().any(char::is_control) {
                    Err("Enter the account (up to 200 characters).".into())
                } else {
                    Ok(handle.to_owned())
                }
            }
        }
    }
}

/// One messenger or social account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Messenger {
    pub kind: MessengerKind,
    pub handle: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "custom_field_kind", rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    Number,
    Date,
    Choice,
}

impl FieldKind {
    pub const ALL: [FieldKind; 4] = [FieldKind::Text, FieldKind::Number, FieldKind::Date, FieldKind::Choice];

    pub fn param(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Number => "number",
            FieldKind::Date => "date",
            FieldKind::Choice => "choice",
        }
    }

    pub fn from_param(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.param() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            FieldKind::Text => "Text",
            FieldKind::Number => "Number",
            FieldKind::Date => "Date",
            FieldKind::Choice => "Choice from a list",
        }
    }
}

/// A field the organization defined ("Additional data").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomField {
    pub id: Uuid,
    pub label: String,
    pub kind: FieldKind,
    pub choices: Vec<String>,
    pub required: bool,
}

#[cfg(feature = "ssr")]
impl CustomField {
    /// The value in canonical form, `None` for empty, or why it is not one.
    /// (On the server only: the browser has no calendar library.)
    pub fn normalize(&self, value: &str) -> Result<Option<String>, String> {
        let value = value.trim();
        if value.is_empty() {
            return if self.required { Err(format!("{} is required.", self.label)) } else { Ok(None) };
        }
        if value.chars().count() > MAX_FIELD_VALUE_CHARS || value.chars().any(char::is_control) {
            return Err(format!("{} can be at most {MAX_FIELD_VALUE_CHARS} characters of text.", self.label));
        }
        match self.kind {
            FieldKind::Text => Ok(Some(value.to_owned())),
            FieldKind::Number => {
                let number: f64 = value
                    .replace([' ', '\u{a0}', '\u{202f}'], "")
                    .parse()
                    .map_err(|_| format!("{} must be a number, like 42 or 3.5.", self.label))?;
                if !number.is_finite() {
                    return Err(format!("{} must be a number, like 42 or 3.5.", self.label));
                }
                Ok(Some(number.to_string()))
            }
            FieldKind::Date => chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
                .map(|d| Some(d.to_string()))
                .map_err(|_| format!("{} must be a date like 2024-03-31.", self.label)),
            FieldKind::Choice => self
                .choices
                .iter()
                .find(|c| c.as_str() == value)
                .map(|c| Some(c.clone()))
                .ok_or_else(|| format!("Choose {} from the list.", self.label)),
        }
    }
}

/// A user's value of a field, for the profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldValue {
    pub field_id: Uuid,
    pub label: String,
    pub value: String,
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn handles_are_checked_and_made_canonical() {
        assert_eq!(MessengerKind::Telegram.normalize(" grace_h "), Ok("@grace_h".into()));
        assert!(MessengerKind::Telegram.normalize("@ab").is_err());
        assert_eq!(
            MessengerKind::Linkedin.normalize("https://www.linkedin.com/in/grace-hopper/"),
            Ok("https://www.linkedin.com/in/grace-hopper".into())
        );
        assert_eq!(
            MessengerKind::Linkedin.normalize("linkedin.com/in/grace"),
            Ok("https://www.linkedin.com/in/grace".into())
        );
        assert!(MessengerKind::Linkedin.normalize("javascript:alert(1)").is_err());
        assert_eq!(MessengerKind::Slack.normalize("U0123ABCD"), Ok("U0123ABCD".into()));
        assert!(MessengerKind::Skype.normalize("a b").is_err());
        assert_eq!(MessengerKind::Telegram.link("@grace_h").as_deref(), Some("https://t.me/grace_h"));
    }

    #[test]
    fn field_values_follow_their_kind() {
        let field = |kind, required| CustomField {
            id: Uuid::nil(),
            label: "Badge".into(),
            kind,
            choices: vec!["Red".into(), "Blue".into()],
            required,
        };
        assert_eq!(field(FieldKind::Number, false).normalize("1 200.50"), Ok(Some("1200.5".into())));
        assert!(field(FieldKind::Number, false).normalize("12a").is_err());
        assert!(field(FieldKind::Number, false).normalize("inf").is_err());
        assert_eq!(field(FieldKind::Date, false).normalize("2026-02-28"), Ok(Some("2026-02-28".into())));
        assert!(field(FieldKind::Date, false).normalize("2026-02-30").is_err());
        assert_eq!(field(FieldKind::Choice, false).normalize("Blue"), Ok(Some("Blue".into())));
        assert!(field(FieldKind::Choice, false).normalize("Green").is_err());
        assert_eq!(field(FieldKind::Text, false).normalize("  "), Ok(None));
        assert_eq!(field(FieldKind::Text, true).normalize(""), Err("Badge is required.".into()));
    }
}
