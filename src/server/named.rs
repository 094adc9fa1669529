//! Things an organization names and describes (dashboards, groups): one
//! check of the pair, field by field, and one reading of "that name is
//! taken" from the unique index that guards it.

use crate::error::{AppError, Validator};

/// The trimmed name and description, or field errors: a name is required
/// (`what`: "dashboard", "group"), and each is at most its length.
pub fn name_and_description(
    what: &str,
    name: &str,
    description: &str,
    max_name: usize,
    max_description: usize,
) -> Result<(String, String), AppError> {
    let mut v = Validator::new();
    let (name, description) = (name.trim(), description.trim());
    v.check(!name.is_empty(), "name", format!("Enter the {what}'s name."));
    v.check(name.chars().count() <= max_name, "name", format!("The name can be at most {max_name} characters."));
    v.check(
        description.chars().count() <= max_description,
        "description",
        format!("The description can be at most {max_description} characters."),
    );
    v.finish()?;
    Ok((name.to_owned(), description.to_owned()))
}

/// A unique-name violation on `constraint` as the field error people read
/// ("There is already a group called “Sales”."); any other error as is.
pub fn name_taken(error: sqlx::Error, constraint: &str, what: &str, name: &str) -> AppError {
    match &error {
        sqlx::Error::Database(db) if db.constraint() == Some(constraint) => {
            AppError::field("name", format!("There is already a {what} called \u{201c}{name}\u{201d}."))
        }
        _ => error.into(),
    }
}
