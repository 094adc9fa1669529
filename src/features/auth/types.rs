//! Types shared by the server and the browser for authentication.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::features::access::types::{AccessPermission, PermissionSet};
use crate::features::users::types::Role;

pub const MAX_ORG_NAME_CHARS: usize = 120;
pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 128;

/// A password on its way from a form to the hasher. Its `Debug` is redacted,
/// so no `?args` log line, panic message or error can print it.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Password(String);

impl Password {
    pub fn new(value: impl Into<String>) -> Self {
        Password(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// An organization's password policy (its Security settings). Both also
/// refuse common and easily guessed passwords (on the server).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PasswordPolicy {
    /// ELPRO's rules: 8+ characters with upper, lower, digit and special.
    #[default]
    Composition,
    /// NIST SP 800-63B-4: at least 15 characters, no composition rules.
    Length,
}

/// The length policy's minimum.
pub const MIN_LENGTH_POLICY_CHARS: usize = 15;

impl PasswordPolicy {
    pub fn from_param(value: &str) -> Option<Self> {
        match value {
            "composition" => Some(PasswordPolicy::Composition),
            "length" => Some(PasswordPolicy::Length),
            _ => None,
        }
    }

    pub fn param(self) -> &'static str {
        match self {
            PasswordPolicy::Composition => "composition",
            PasswordPolicy::Length => "length",
        }
    }
}

/// One rule of the password policy (ELPRO's) and whether a password meets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordRule {
    pub label: &'static str,
    pub met: bool,
}

/// The policy, rule by rule: shown live next to the field and enforced on the
/// server with the same function.
pub fn password_rules(policy: PasswordPolicy, password: &str) -> Vec<PasswordRule> {
    if policy == PasswordPolicy::Length {
        return vec![PasswordRule {
            label: "At least 15 characters",
            met: password.chars().count() >= MIN_LENGTH_POLICY_CHARS,
        }];
    }
    vec![
        PasswordRule { label: "At least 8 characters", met: password.chars().count() >= MIN_PASSWORD_CHARS },
        PasswordRule { label: "An upper-case letter", met: password.chars().any(char::is_uppercase) },
        PasswordRule { label: "A lower-case letter", met: password.chars().any(char::is_lowercase) },
        PasswordRule { label: "A digit", met: password.chars().any(|c| c.is_ascii_digit()) },
        PasswordRule {
            label: "A special character (like ! ? # or %)",
            met: password.chars().any(|c| !c.is_alphanumeric() && !c.is_whitespace()),
        },
    ]
}

/// `None` when the password is acceptable, else what is wrong with it.
pub fn password_problem(policy: PasswordPolicy, password: &str) -> Option<String> {
    if password.chars().count() > MAX_PASSWORD_CHARS {
        return Some(format!("The password can be at most {MAX_PASSWORD_CHARS} characters."));
    }
    let missing: Vec<&str> = password_rules(policy, password).iter().filter(|r| !r.met).map(|r| r.label).collect();
    if missing.is_empty() { None } else { Some(format!("The password needs: {}.", missing.join(", ").to_lowercase())) }
}

/// The signed-in user, as the browser sees them.
/// What a sign-up confirmation link's page shows, decided when it opens.
/// A flat struct (only `Valid` fills the registrant's fields) rather than a
/// tagged enum, whose deserializer is heavy in the WASM bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignUpLink {
    pub state: SignUpLinkState,
    pub organization: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// When the link expires, in the organization's time zone.
    pub expires: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignUpLinkState {
    Valid,
    Expired,
    /// Confirmed: the organization exists.
    Used,
    /// A later sign-up with the same address replaced it.
    Replaced,
    Unknown,
}

impl SignUpLink {
    pub fn invalid(state: SignUpLinkState) -> Self {
        Self {
            state,
            organization: String::new(),
            first_name: String::new(),
            last_name: String::new(),
            email: String::new(),
            expires: String::new(),
        }
    }
}

/// What a password recovery link leads to, as its page shows it. Only a
/// valid link shows whose it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryLink {
    pub state: RecoveryLinkState,
    pub email: String,
    pub organization: String,
    /// When the link expires, in its user's time zone.
    pub expires: String,
    /// The organization's password policy (the checklist follows it).
    #[serde(default)]
    pub password_policy: PasswordPolicy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecoveryLinkState {
    Valid,
    Expired,
    Used,
    /// A newer recovery link was sent since.
    Replaced,
    /// Unknown, or its account can no longer sign in (disabled, deleted).
    Unknown,
}

impl RecoveryLink {
    pub fn invalid(state: RecoveryLinkState) -> Self {
        Self {
            state,
            email: String::new(),
            organization: String::new(),
            expires: String::new(),
            password_policy: PasswordPolicy::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub role: Role,
    pub organization: String,
    pub time_zone: String,
    /// The organization's password policy (the Change password checklist).
    #[serde(default)]
    pub password_policy: PasswordPolicy,
    /// In E.164, with its country code.
    #[serde(default)]
    pub mobile_phone: Option<String>,
    /// The permissions they hold now (navigation shows what they can open;
    /// the server checks each request on its own).
    #[serde(default)]
    pub access: PermissionSet,
}

impl CurrentUser {
    pub fn holds(&self, permission: AccessPermission) -> bool {
        self.role == Role::Superuser || self.access.contains(permission)
    }

    pub fn is_superuser(&self) -> bool {
        self.role == Role::Superuser
    }
}

/// Where to go after signing in: only a path on this site, never another
/// host (an open redirect would make our sign-in page a phishing tool).
///
/// A browser resolving a `Location` drops tabs and newlines and reads `\\`
/// as `/`, so `/\t/evil.example` or `/\\evil.example` would take it to
/// `//evil.example`, another host. Accepted is a path that starts with one
/// `/` followed by anything but `/` or `\\`, with no control character,
/// whitespace or backslash; and the same holds once the path is
/// percent-decoded, and decoded again, so a proxy or router that decodes it
/// cannot make another host of it either (`/%2F/evil.example`,
/// `/%5Cevil.example`, `/%252F/evil.example`). Anything else goes to the
/// start page.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if stays_on_this_site(path) => path.to_owned(),
        // Home sends each role where it works: User Management or the account.
        _ => "/".to_owned(),
    }
}

fn stays_on_this_site(path: &str) -> bool {
    // As given, the path must be clean: spaces and other specials in a link
    // we built ourselves are percent-encoded.
    if path.chars().any(|c| c.is_control() || c.is_whitespace()) || !starts_one_path_segment(path) {
        return false;
    }
    let mut level = path.to_owned();
    for _ in 0..2 {
        let decoded = percent_encoding::percent_decode_str(&level).decode_utf8_lossy().into_owned();
        if decoded == level {
            return true;
        }
        // What a URL parser would see of the decoded form: tabs and
        // newlines removed. Encoded spaces in a query are harmless.
        let parsed: String = decoded.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
        if !starts_one_path_segment(&parsed) {
            return false;
        }
        level = decoded;
    }
    // Still encoded after two decodings: not a link Roster makes.
    percent_encoding::percent_decode_str(&level).decode_utf8_lossy() == level
}

/// `/` then not `/` or `\\`, and no backslash anywhere (a browser reads it as `/`).
fn starts_one_path_segment(path: &str) -> bool {
    let mut chars = path.chars();
    chars.next() == Some('/') && !matches!(chars.next(), Some('/' | '\\')) && !path.contains('\\')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_needs_every_rule() {
        assert_eq!(password_problem(PasswordPolicy::Composition, "Tr0ub4dor&3"), None);
        assert!(password_problem(PasswordPolicy::Composition, "short1!A").is_none());
        assert!(password_problem(PasswordPolicy::Composition, "alllowercase1!").unwrap().contains("upper-case"));
        assert!(password_problem(PasswordPolicy::Composition, "NoDigits!!").unwrap().contains("digit"));
        assert!(password_problem(PasswordPolicy::Composition, "NoSpecial12").unwrap().contains("special"));
        assert!(password_problem(PasswordPolicy::Composition, "Sh0rt!").unwrap().contains("8 characters"));
        assert!(
            password_problem(PasswordPolicy::Composition, &format!("Aa1!{}", "x".repeat(200)))
                .unwrap()
                .contains("at most")
        );
    }

    #[test]
    fn the_length_policy_only_counts_characters() {
        let length = PasswordPolicy::Length;
        assert!(password_problem(length, "all lower case words").is_none());
        assert!(password_problem(length, "Tr0ub4dor&3").unwrap().contains("15 characters"));
        assert_eq!(PasswordPolicy::from_param(length.param()), Some(length));
    }

    #[test]
    fn passwords_never_print() {
        let p = Password::new("Secret123!");
        assert!(!format!("{p:?}").contains("Secret"));
    }

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/settings/users?q=a")), "/settings/users?q=a");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn next_cannot_become_another_host_once_a_browser_or_proxy_reads_it() {
        let home = "/";
        for attack in [
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r/evil.example",
            "/\t\\evil.example",
            " //evil.example",
            "/\\/evil.example",
            "\\/evil.example",
            "%2F%2Fevil.example",
            "/%2F/evil.example",
            "/%2f%2fevil.example",
            "/%5Cevil.example",
            "/%5c%5cevil.example",
            "/%09/evil.example",
            "/%0A/evil.example",
            "/%252F/evil.example",
            "/%255Cevil.example",
            "/%2509/evil.example",
            "/%25252F/evil.example",
            "https://evil.example",
            "http:/evil.example",
            "javascript:alert(1)",
            "",
        ] {
            assert_eq!(safe_next(Some(attack)), home, "{attack:?}");
        }
        // Our own links, as the sign-in page carries them, still work.
        for own in ["/settings/users?q=a%20b&sort=email", "/account", "/settings/users?q=%2F%2F", "/a/b?c=d#e"] {
            assert_eq!(safe_next(Some(own)), own);
        }
    }
}
