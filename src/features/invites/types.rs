//! Types shared by the server and the browser for invites.

use serde::{Deserialize, Serialize};

pub const MAX_DEPARTMENT_CHARS: usize = 100;
pub const MAX_PHONE_CHARS: usize = 30;
pub const MAX_EXTENSION_CHARS: usize = 10;

/// The invite dialog, as the form posts it. Optional fields arrive as empty
/// strings from a plain HTML form, so every one of them has a default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InviteForm {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// "basic" or "operator": the Superuser seat is the registrant's.
    pub role: String,
    /// "internal" (an employee; empty means this too) or "external" (a
    /// customer or partner).
    pub kind: String,
    /// ISO 3166 region of the mobile number ("CH"), which gives its country code.
    pub mobile_country: String,
    pub mobile_number: String,
    pub department: String,
    /// Empty means the organization's time zone.
    pub time_zone: String,
    pub work_phone: String,
    pub work_phone_ext: String,
    /// `YYYY-MM-DD`, as `<input type="date">` sends it.
    pub date_of_birth: String,
    pub hire_date: String,
    /// "Dashboard permissions" (a Superuser's choice): none, selected or
    /// all; empty is none.
    pub dashboard_access: String,
    /// With selected: `dashboards[id-<uuid>]=on` for each.
    pub dashboards: std::collections::HashMap<String, String>,
    /// "Groups": `groups[id-<uuid>]=on` for each ticked.
    pub groups: std::collections::HashMap<String, String>,
    /// "Position": one position's name (an employee's), also displayed.
    pub position: String,
    /// "Additional data": `fields[id-<uuid>]=value`.
    pub fields: std::collections::HashMap<String, String>,
    /// Messenger accounts: `messengers[kind-N]` and `messengers[handle-N]`.
    pub messengers: std::collections::HashMap<String, String>,
}

/// What the dialog shows after "Add user".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitedUser {
    pub id: uuid::Uuid,
    pub email: String,
    /// When the activation link expires, in the admin's time zone.
    pub expires: String,
}

/// A choice in the mobile phone's country list ("CH", "+41").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneCountry {
    pub region: String,
    pub calling_code: u16,
}

/// What the invite dialog needs before the admin types: which roles have a
/// free seat, the organization's time zone, the phone countries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InviteOptions {
    pub seats: Vec<crate::features::orgs::types::SeatUsage>,
    pub organization_time_zone: String,
    pub phone_countries: Vec<PhoneCountry>,
    /// The organization's dashboards (to choose from, for a Superuser).
    #[serde(default)]
    pub dashboards: Vec<crate::features::dashboards::types::Dashboard>,
    /// The organization's groups, to put the new user in.
    #[serde(default)]
    pub groups: Vec<crate::features::groups::types::GroupRef>,
    /// The organization's "Additional data" fields.
    #[serde(default)]
    pub custom_fields: Vec<crate::features::profile::types::CustomField>,
}

/// What an activation link's page shows, decided when it opens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case", try_from = "ActivationLinkWire")]
pub enum ActivationLink {
    Valid {
        first_name: String,
        last_name: String,
        email: String,
        time_zone: String,
        organization: String,
        expires: String,
        /// The organization's password policy (the checklist follows it).
        password_policy: crate::features::auth::types::PasswordPolicy,
    },
    Expired {
        organization: String,
    },
    Used {
        organization: String,
    },
    Replaced {
        organization: String,
    },
    Canceled {
        organization: String,
        admin: Option<String>,
    },
    Unknown,
}

/// How the browser reads an `ActivationLink`: a flat object rather than
/// serde's internally tagged enum, whose buffering deserializer is heavy in
/// the WASM bundle. Same JSON on the wire (`{"state": …, …}`).
#[derive(Deserialize)]
struct ActivationLinkWire {
    state: ActivationState,
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
    time_zone: Option<String>,
    organization: Option<String>,
    expires: Option<String>,
    admin: Option<String>,
    #[serde(default)]
    password_policy: crate::features::auth::types::PasswordPolicy,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum ActivationState {
    Valid,
    Expired,
    Used,
    Replaced,
    Canceled,
    Unknown,
}

impl TryFrom<ActivationLinkWire> for ActivationLink {
    type Error = &'static str;

    fn try_from(wire: ActivationLinkWire) -> Result<Self, Self::Error> {
        fn required(value: Option<String>) -> Result<String, &'static str> {
            value.ok_or("an activation link state is missing a field")
        }
        Ok(match wire.state {
            ActivationState::Valid => ActivationLink::Valid {
                first_name: required(wire.first_name)?,
                last_name: required(wire.last_name)?,
                email: required(wire.email)?,
                time_zone: required(wire.time_zone)?,
                organization: required(wire.organization)?,
                expires: required(wire.expires)?,
                password_policy: wire.password_policy,
            },
            ActivationState::Expired => ActivationLink::Expired { organization: required(wire.organization)? },
            ActivationState::Used => ActivationLink::Used { organization: required(wire.organization)? },
            ActivationState::Replaced => ActivationLink::Replaced { organization: required(wire.organization)? },
            ActivationState::Canceled => {
                ActivationLink::Canceled { organization: required(wire.organization)?, admin: wire.admin }
            }
            ActivationState::Unknown => ActivationLink::Unknown,
        })
    }
}

/// What the expired link's page says after "Send me a new link".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewLinkSent {
    pub email: String,
    /// The new link's expiry, in the invited person's time zone.
    pub expires: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fails to compile when a state is added, so it is added to the round
    /// trip below (and to `ActivationState`) too.
    fn listed_below(link: &ActivationLink) {
        match link {
            ActivationLink::Valid { .. }
            | ActivationLink::Expired { .. }
            | ActivationLink::Used { .. }
            | ActivationLink::Replaced { .. }
            | ActivationLink::Canceled { .. }
            | ActivationLink::Unknown => {}
        }
    }

    #[test]
    fn every_link_state_reads_back_what_the_server_wrote() {
        let org = || "Acme".to_owned();
        let states = [
            ActivationLink::Valid {
                first_name: "Ada".into(),
                last_name: "Lovelace".into(),
                email: "ada@example.com".into(),
                time_zone: "Europe/London".into(),
                organization: org(),
                expires: "1 Dec 2026, 09:00".into(),
                password_policy: crate::features::auth::types::PasswordPolicy::Length,
            },
            ActivationLink::Expired { organization: org() },
            ActivationLink::Used { organization: org() },
            ActivationLink::Replaced { organization: org() },
            ActivationLink::Canceled { organization: org(), admin: Some("Grace Hopper".into()) },
            ActivationLink::Canceled { organization: org(), admin: None },
            ActivationLink::Unknown,
        ];
        for state in states {
            listed_below(&state);
            let json = serde_json::to_string(&state).unwrap();
            assert_eq!(serde_json::from_str::<ActivationLink>(&json).unwrap(), state, "{json}");
        }
        assert_eq!(
            serde_json::to_value(ActivationLink::Used { organization: org() }).unwrap(),
            serde_json::json!({"state": "used", "organization": "Acme"})
        );
        assert!(serde_json::from_str::<ActivationLink>(r#"{"state":"expired"}"#).is_err());
    }
}
