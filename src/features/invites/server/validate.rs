//! Validation of the invite dialog. Every error names its field.

use chrono::{Datelike, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::error::Validator;
use crate::features::invites::types::{InviteForm, MAX_DEPARTMENT_CHARS, MAX_EXTENSION_CHARS, MAX_PHONE_CHARS};
use crate::features::users::server::validate;
use crate::features::users::types::{Role, UserKind};

/// The invite, validated and normalised.
#[derive(Debug, Clone)]
pub struct ValidInvite {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub role: Role,
    pub kind: UserKind,
    /// E.164.
    pub mobile_phone: Option<String>,
    pub department: Option<String>,
    pub time_zone: Tz,
    pub work_phone: Option<String>,
    pub work_phone_ext: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub hire_date: Option<NaiveDate>,
    /// Which dashboards they may open, set with the invite.
    pub dashboard_access: crate::features::access::types::DashboardAccess,
    pub dashboards: Vec<uuid::Uuid>,
    /// The groups to put them in (checked against the organization when
    /// the invite is written).
    pub groups: Vec<uuid::Uuid>,
    /// A position's name (resolved when the invite is written).
    pub position: Option<String>,
    pub messengers: Vec<crate::features::profile::types::Messenger>,
    /// "Additional data", checked against the organization's fields by the
    /// caller (which knows them).
    pub field_values: Vec<(uuid::Uuid, Option<String>)>,
}

pub(crate) fn optional(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// Parses a phone number for a region (or in international form) and
/// returns it in E.164, if it is a valid number.
pub(crate) fn phone(
    v: &mut Validator,
    field: &str,
    label: &str,
    number: &str,
    region: Option<phonenumber::country::Id>,
) -> Option<String> {
    let number = number.trim();
    if number.is_empty() {
        return None;
    }
    if number.chars().count() > MAX_PHONE_CHARS {
        v.add(field, format!("{label} can be at most {MAX_PHONE_CHARS} characters."));
        return None;
    }
    match phonenumber::parse(region, number) {
        Ok(parsed) if phonenumber::is_valid(&parsed) => Some(parsed.format().mode(phonenumber::Mode::E164).to_string()),
        _ => {
            v.add(field, format!("{label} is not a valid number for the chosen country."));
            None
        }
    }
}

pub(crate) fn date(v: &mut Validator, field: &str, label: &str, value: &str) -> Option<NaiveDate> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        Ok(date) if date.year() >= 1900 => Some(date),
        _ => {
            v.add(field, format!("{label} must be a date like 2024-03-31."));
            None
        }
    }
}

pub fn invite(form: &InviteForm, organization_zone: Tz) -> Result<ValidInvite, crate::error::AppError> {
    let mut v = Validator::new();
    let first_name = validate::name(&mut v, "first_name", "First name", &form.first_name);
    let last_name = validate::name(&mut v, "last_name", "Last name", &form.last_name);
    let email = validate::email(&mut v, "email", &form.email);
    let role = match Role::from_param(form.role.trim()) {
        Some(Role::Superuser) => {
            v.add("role", "An organization has one Superuser. Choose Basic or Operator.");
            None
        }
        Some(role) => Some(role),
        None => {
            v.add("role", "Choose a role: Basic or Operator.");
            None
        }
    };

    let kind = match form.kind.trim() {
        "" => Some(UserKind::Internal),
        value => UserKind::from_param(value),
    };
    v.check(kind.is_some(), "kind", "Choose Employee or External user.");

    let region = match form.mobile_country.trim() {
        "" => None,
        code => match code.parse::<phonenumber::country::Id>() {
            Ok(region) => Some(region),
            Err(_) => {
                v.add("mobile_country", "Choose a country from the list.");
                None
            }
        },
    };
    let has_mobile = !form.mobile_number.trim().is_empty();
    if has_mobile && region.is_none() && !form.mobile_number.trim().starts_with('+') && !v.has("mobile_country") {
        v.add("mobile_country", "Choose the country of the mobile number.");
    }
    let mobile_phone = if v.has("mobile_country") {
        None
    } else {
        phone(&mut v, "mobile_number", "The mobile number", &form.mobile_number, region)
    };
    let work_phone = phone(&mut v, "work_phone", "The work phone", &form.work_phone, region);
    let work_phone_ext = optional(&form.work_phone_ext);
    if let Some(ext) = &work_phone_ext {
        let ok = ext.chars().count() <= MAX_EXTENSION_CHARS && ext.chars().all(|c| c.is_ascii_digit());
        v.check(ok, "work_phone_ext", format!("The extension is up to {MAX_EXTENSION_CHARS} digits."));
        v.check(work_phone.is_some() || v.has("work_phone"), "work_phone_ext", "An extension needs a work phone.");
    }

    let department = optional(&form.department);
    if department.as_ref().is_some_and(|d| d.chars().count() > MAX_DEPARTMENT_CHARS) {
        v.add("department", format!("Department can be at most {MAX_DEPARTMENT_CHARS} characters."));
    }
    let time_zone = if form.time_zone.trim().is_empty() {
        Some(organization_zone)
    } else {
        validate::time_zone(&mut v, "time_zone", &form.time_zone)
    };

    let today = Utc::now().date_naive();
    let date_of_birth = date(&mut v, "date_of_birth", "Date of birth", &form.date_of_birth);
    if date_of_birth.is_some_and(|d| d > today) {
        v.add("date_of_birth", "Date of birth cannot be in the future.");
    }
    let hire_date = date(&mut v, "hire_date", "Hire date", &form.hire_date);
    if hire_date.is_some_and(|d| d > today + chrono::Days::new(366)) {
        v.add("hire_date", "Hire date can be at most a year from today.");
    }
    // ELMA365 asks for an employee's hire date when inviting them. (The
    // organization's first Superuser and users from before it may lack one.)
    if kind == Some(UserKind::Internal) && form.hire_date.trim().is_empty() {
        v.add("hire_date", "Enter the hire date: it is required for employees.");
    }
    let position = optional(&form.position);
    if position.is_some() && kind == Some(UserKind::External) {
        v.add("position", "External users hold no position. Leave it empty, or invite an employee.");
    }
    let groups = crate::server::choices::chosen_ids(&form.groups);
    v.check(groups.is_some(), "groups", "Choose groups from the list.");
    let messengers = match crate::features::profile::server::parse_messengers(&form.messengers) {
        Ok(list) => list,
        Err(crate::error::AppError::Validation { fields }) => {
            for f in fields {
                v.add(&f.field, f.message);
            }
            Vec::new()
        }
        Err(other) => return Err(other),
    };
    v.finish()?;
    Ok(ValidInvite {
        groups: groups.expect("validated"),
        position,
        messengers,
        field_values: Vec::new(),
        first_name,
        last_name,
        email,
        role: role.expect("validated"),
        kind: kind.expect("validated"),
        mobile_phone,
        department,
        time_zone: time_zone.expect("validated"),
        work_phone,
        work_phone_ext,
        date_of_birth,
        hire_date,
        dashboard_access: Default::default(),
        dashboards: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> InviteForm {
        InviteForm {
            first_name: "Grace".into(),
            last_name: "Hopper".into(),
            email: "grace@example.com".into(),
            role: "operator".into(),
            hire_date: "2026-01-05".into(),
            ..Default::default()
        }
    }

    #[test]
    fn employees_need_a_hire_date_and_external_users_do_not() {
        let mut f = form();
        f.hire_date.clear();
        assert!(field_error(&f, "hire_date").unwrap().contains("required for employees"));
        f.kind = "external".into();
        let valid = invite(&f, Tz::UTC).unwrap();
        assert_eq!(valid.kind, UserKind::External);
        assert_eq!(valid.hire_date, None);
        f.kind = "robot".into();
        assert!(field_error(&f, "kind").unwrap().contains("Employee or External user"));
        assert_eq!(invite(&form(), Tz::UTC).unwrap().kind, UserKind::Internal);
    }

    fn field_error(form: &InviteForm, field: &str) -> Option<String> {
        invite(form, Tz::UTC).err().and_then(|e| e.field_message(field))
    }

    #[test]
    fn a_minimal_invite_takes_the_organizations_time_zone() {
        let valid = invite(&form(), Tz::Europe__Zurich).unwrap();
        assert_eq!(valid.role, Role::Operator);
        assert_eq!(valid.time_zone, Tz::Europe__Zurich);
        assert!(valid.mobile_phone.is_none());
    }

    #[test]
    fn phones_are_checked_for_their_country_and_stored_in_e164() {
        let mut f = form();
        f.mobile_country = "CH".into();
        f.mobile_number = "079 123 45 67".into();
        f.work_phone = "044 668 18 00".into();
        f.work_phone_ext = "123".into();
        let valid = invite(&f, Tz::UTC).unwrap();
        assert_eq!(valid.mobile_phone.as_deref(), Some("+41791234567"));
        assert_eq!(valid.work_phone.as_deref(), Some("+41446681800"));
        f.mobile_number = "123".into();
        assert!(field_error(&f, "mobile_number").unwrap().contains("not a valid number"));
        f.mobile_country = "XX".into();
        assert!(field_error(&f, "mobile_country").is_some());
    }

    #[test]
    fn roles_dates_and_lengths_are_checked() {
        let mut f = form();
        f.role = "superuser".into();
        assert!(field_error(&f, "role").unwrap().contains("one Superuser"));
        let mut f = form();
        f.date_of_birth = (Utc::now().date_naive() + chrono::Days::new(2)).to_string();
        assert!(field_error(&f, "date_of_birth").unwrap().contains("future"));
        let mut f = form();
        f.hire_date = "2999-01-01".into();
        assert!(field_error(&f, "hire_date").is_some());
        let mut f = form();
        f.hire_date = "31.03.2024".into();
        assert!(field_error(&f, "hire_date").unwrap().contains("like 2024-03-31"));
        let mut f = form();
        f.department = "d".repeat(101);
        assert!(field_error(&f, "department").is_some());
        let mut f = form();
        f.time_zone = "Nowhere/Land".into();
        assert!(field_error(&f, "time_zone").is_some());
    }
}

/// Every region the phone-number metadata knows, by region code, with its
/// calling code (computed once).
pub fn phone_countries() -> &'static [crate::features::invites::types::PhoneCountry] {
    use crate::features::invites::types::PhoneCountry;
    static COUNTRIES: std::sync::OnceLock<Vec<PhoneCountry>> = std::sync::OnceLock::new();
    COUNTRIES.get_or_init(|| {
        let mut countries: Vec<PhoneCountry> = (1..=999u16)
            .flat_map(|code| {
                phonenumber::metadata::DATABASE
                    .region(&code)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|region| region.len() == 2 && *region != "001")
                    .map(move |region| PhoneCountry { region: region.to_owned(), calling_code: code })
            })
            .collect();
        countries.sort_by(|a, b| a.region.cmp(&b.region));
        countries.dedup_by(|a, b| a.region == b.region);
        countries
    })
}
