//! Edit → Save (IoT Pro's pencil): an admin changes a user's names, mobile
//! phone, department, time zone and role (Basic ↔ Operator, within the seat
//! quotas, enforced by the seats trigger). Optimistic concurrency: the form
//! carries the version it was opened with, and a save over a newer one
//! changes nothing and says what is there now.

use chrono_tz::Tz;
use sqlx::FromRow;
use uuid::Uuid;

use super::access::Admin;
use crate::error::{AppError, Validator};
use crate::features::audit::server::{Action, Entry, record};
use crate::features::invites::server::validate::optional;
use crate::features::invites::types::MAX_DEPARTMENT_CHARS;
use crate::features::orgs::server::is_quota_exceeded;
use crate::features::users::server::email_change::{self, Owner};
use crate::features::users::server::validate;
use crate::features::users::types::{EditForm, Role, UserStatus};
use crate::server::db::Db;

#[derive(FromRow)]
struct Current {
    version: i64,
    role: Role,
    status: UserStatus,
    email: String,
    first_name: String,
    last_name: String,
    mobile_phone: Option<String>,
    department: Option<String>,
    time_zone: String,
}

/// Saves the form; a new email address is asked for (see `email_change`)
/// in the same transaction. `base_url` is for its confirmation link.
pub async fn edit_user(
    pool: &Db,
    admin: &Admin,
    user_id: Uuid,
    form: &EditForm,
    base_url: &str,
) -> Result<String, AppError> {
    let mut v = Validator::new();
    let email = (!form.email.trim().is_empty()).then(|| validate::email(&mut v, "email", &form.email));
    let first_name = validate::name(&mut v, "first_name", "First name", &form.first_name);
    let last_name = validate::name(&mut v, "last_name", "Last name", &form.last_name);
    let mobile_phone = validate::mobile_phone(&mut v, "mobile_phone", &form.mobile_phone);
    let department = optional(&form.department);
    if department.as_ref().is_some_and(|d| d.chars().count() > MAX_DEPARTMENT_CHARS) {
        v.add("department", format!("Department can be at most {MAX_DEPARTMENT_CHARS} characters."));
    }
    let time_zone: Option<Tz> = validate::time_zone(&mut v, "time_zone", &form.time_zone);
    let role = Role::from_param(form.role.trim());
    let Ok(version) = form.version.trim().parse::<i64>() else {
        return Err(AppError::bad_request("The form is damaged (its version is missing). Open it again."));
    };
    v.finish()?;
    let time_zone = time_zone.expect("validated").name().to_owned();

    let mut tx = pool.begin().await?;
    let current: Current = sqlx::query_as(
        "SELECT version, role, status, email, first_name, last_name, mobile_phone, department, time_zone FROM users \
         WHERE org_id = $1 AND id = $2 FOR UPDATE",
    )
    .bind(admin.org_id)
    .bind(user_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    crate::features::auth::server::guard::may_act_on(admin.role, current.role)?;
    let name = format!("{} {}", current.first_name, current.last_name);

    // The role: Basic ↔ Operator only; a Superuser stays one here, and
    // nobody changes their own.
    let role = match role {
        _ if current.role == Role::Superuser => Role::Superuser,
        Some(role) if user_id == admin.user_id && role != current.role => {
            return Err(AppError::field("role", "You cannot change your own role."));
        }
        Some(Role::Superuser) => {
            return Err(AppError::field("role", "The Superuser role is not given here. Choose Basic or Operator."));
        }
        Some(role) => role,
        None => return Err(AppError::field("role", "Choose a role: Basic or Operator.")),
    };

    let show = |value: &Option<String>| value.clone().unwrap_or_else(|| "(empty)".to_owned());
    let fields: [(&str, String, String); 6] = [
        ("first name", current.first_name.clone(), first_name.clone()),
        ("last name", current.last_name.clone(), last_name.clone()),
        ("role", current.role.label().to_owned(), role.label().to_owned()),
        ("mobile phone", show(&current.mobile_phone), show(&mobile_phone)),
        ("department", show(&current.department), show(&department)),
        ("time zone", current.time_zone.clone(), time_zone.clone()),
    ];
    if current.version != version {
        let now: Vec<String> = fields
            .iter()
            .filter(|(_, now, yours)| now != yours)
            .map(|(f, now, yours)| format!("{f}: {now} (yours: {yours})"))
            .collect();
        let detail = if now.is_empty() {
            "Its values are the ones you entered.".to_owned()
        } else {
            format!("Now: {}.", now.join("; "))
        };
        return Err(AppError::Conflict {
            message: format!(
                "Someone else saved {name} after you opened this form, so nothing was changed. {detail} Open the form again to edit the current values."
            ),
        });
    }
    let mut changes: serde_json::Map<String, serde_json::Value> = fields
        .iter()
        .filter(|(_, old, new)| old != new)
        .map(|(field, old, new)| (field.replace(' ', "_"), format!("{old} → {new}").into()))
        .collect();
    // "Groups", when the form showed them: exactly the ones ticked.
    if !form.groups_shown.trim().is_empty() {
        let ids = crate::server::choices::chosen_ids(&form.groups)
            .ok_or_else(|| AppError::field("groups", "Choose groups from the list."))?;
        let org_id = admin.org_id;
        if let Some(change) = crate::features::groups::server::set_user_groups(&mut tx, org_id, user_id, &ids).await? {
            changes.insert("groups".into(), change.into());
        }
    }
    // The employee fields, when the form showed them.
    if !form.profile_shown.trim().is_empty() {
        let org_id = admin.org_id;
        for (field, change) in employee_fields(&mut tx, org_id, user_id, form).await? {
            changes.insert(field.into(), change.into());
        }
    }
    // "Positions", when the form showed them.
    if !form.positions_shown.trim().is_empty() {
        let keep = crate::server::choices::chosen_ids(&form.positions)
            .ok_or_else(|| AppError::field("positions", "Choose positions from the list."))?;
        let displayed = match form.displayed_position.trim() {
            "" => None,
            id => Some(
                Uuid::parse_str(id)
                    .map_err(|_| AppError::field("displayed_position", "Choose one of the positions."))?,
            ),
        };
        let add = Some(form.add_position.as_str());
        let org_id = admin.org_id;
        let change =
            crate::features::positions::server::set_user_positions(&mut tx, org_id, user_id, &keep, add, displayed)
                .await?;
        if let Some(change) = change {
            changes.insert("positions".into(), change.into());
        }
    }
    // A new address waits for its owner's confirmation; asking for it is
    // part of this save (refused: nothing of the save happens).
    if let Some(new_email) = email.filter(|e| !e.eq_ignore_ascii_case(&current.email)) {
        let owner = Owner {
            user_id,
            status: current.status,
            email: &current.email,
            first_name: &current.first_name,
            name: &name,
            time_zone: &current.time_zone,
        };
        email_change::request(&mut tx, admin, owner, &new_email, base_url).await?;
    } else if changes.is_empty() {
        return Ok(name);
    }
    if changes.is_empty() {
        tx.commit().await?;
        return Ok(name);
    }
    let updated = sqlx::query(
        "UPDATE users SET first_name = $3, last_name = $4, role = $5, mobile_phone = $6, department = $7, \
                time_zone = $8, version = version + 1 \
         WHERE org_id = $1 AND id = $2",
    )
    .bind(admin.org_id)
    .bind(user_id)
    .bind(&first_name)
    .bind(&last_name)
    .bind(role)
    .bind(&mobile_phone)
    .bind(&department)
    .bind(&time_zone)
    .execute(&mut *tx)
    .await;
    match updated {
        Ok(_) => {}
        Err(e) if is_quota_exceeded(&e) => {
            return Err(AppError::field(
                "role",
                format!("All {} seats are taken. Free one or keep the current role.", role.label()),
            ));
        }
        Err(e) => return Err(e.into()),
    }
    let new_name = format!("{first_name} {last_name}");
    let entry =
        Entry::new(admin.org_id, Action::UserEdited).about(user_id, &new_name).with(serde_json::Value::Object(changes));
    record(&mut tx, &admin.origin, entry).await?;
    tx.commit().await?;
    Ok(new_name)
}

#[derive(FromRow, PartialEq)]
struct EmployeeFields {
    work_phone: Option<String>,
    work_phone_ext: Option<String>,
    date_of_birth: Option<chrono::NaiveDate>,
    hire_date: Option<chrono::NaiveDate>,
}

/// Checks and saves the edit form's employee fields (work phone, dates,
/// "Additional data", messenger accounts) inside the edit's transaction.
/// Returns each change for the audit entry.
async fn employee_fields(
    tx: &mut sqlx::PgConnection,
    org_id: Uuid,
    user_id: Uuid,
    form: &EditForm,
) -> Result<Vec<(&'static str, String)>, AppError> {
    use crate::features::invites::server::validate::date;
    use crate::features::profile::server::{fields, parse_messengers, parse_values, set_messengers, set_values};
    let mut v = Validator::new();
    let work_phone = validate::international_phone(&mut v, "work_phone", "The work phone", &form.work_phone);
    let work_phone_ext = optional(&form.work_phone_ext);
    if let Some(ext) = &work_phone_ext {
        let ok = ext.chars().count() <= crate::features::invites::types::MAX_EXTENSION_CHARS
            && ext.chars().all(|c| c.is_ascii_digit());
        v.check(ok, "work_phone_ext", "The extension is up to 10 digits.");
        v.check(work_phone.is_some() || v.has("work_phone"), "work_phone_ext", "An extension needs a work phone.");
    }
    let today = chrono::Utc::now().date_naive();
    let date_of_birth = date(&mut v, "date_of_birth", "Date of birth", &form.date_of_birth);
    v.check(date_of_birth.is_none_or(|d| d <= today), "date_of_birth", "Date of birth cannot be in the future.");
    let hire_date = date(&mut v, "hire_date", "Hire date", &form.hire_date);
    v.check(
        hire_date.is_none_or(|d| d <= today + chrono::Days::new(366)),
        "hire_date",
        "Hire date can be at most a year from today.",
    );
    let defined = fields(tx, org_id).await?;
    let values = match parse_values(&defined, &form.fields) {
        Ok(values) => values,
        Err(AppError::Validation { fields }) => {
            fields.into_iter().for_each(|f| v.add(&f.field, f.message));
            Vec::new()
        }
        Err(other) => return Err(other),
    };
    let messengers = match parse_messengers(&form.messengers) {
        Ok(list) => list,
        Err(AppError::Validation { fields }) => {
            fields.into_iter().for_each(|f| v.add(&f.field, f.message));
            Vec::new()
        }
        Err(other) => return Err(other),
    };
    v.finish()?;

    let before: EmployeeFields = sqlx::query_as(
        "SELECT work_phone, work_phone_ext, date_of_birth, hire_date FROM users WHERE org_id = $1 AND id = $2",
    )
    .bind(org_id)
    .bind(user_id)
    .fetch_one(&mut *tx)
    .await?;
    let after = EmployeeFields { work_phone, work_phone_ext, date_of_birth, hire_date };
    let mut changes = Vec::new();
    if before != after {
        sqlx::query(
            "UPDATE users SET work_phone = $3, work_phone_ext = $4, date_of_birth = $5, hire_date = $6 \
             WHERE org_id = $1 AND id = $2",
        )
        .bind(org_id)
        .bind(user_id)
        .bind(&after.work_phone)
        .bind(&after.work_phone_ext)
        .bind(after.date_of_birth)
        .bind(after.hire_date)
        .execute(&mut *tx)
        .await?;
        let show = |value: Option<String>| value.unwrap_or_else(|| "(empty)".to_owned());
        let pairs = [
            ("work_phone", show(before.work_phone.clone()), show(after.work_phone.clone())),
            ("work_phone_ext", show(before.work_phone_ext.clone()), show(after.work_phone_ext.clone())),
            (
                "date_of_birth",
                show(before.date_of_birth.map(|d| d.to_string())),
                show(after.date_of_birth.map(|d| d.to_string())),
            ),
            ("hire_date", show(before.hire_date.map(|d| d.to_string())), show(after.hire_date.map(|d| d.to_string()))),
        ];
        for (field, old, new) in pairs {
            if old != new {
                changes.push((field, format!("{old} → {new}")));
            }
        }
    }
    if let Some(change) = set_values(tx, org_id, user_id, &defined, &values).await? {
        changes.push(("additional_data", change));
    }
    if let Some(change) = set_messengers(tx, org_id, user_id, &messengers).await? {
        changes.push(("messengers", change));
    }
    Ok(changes)
}
