//! Choices from a list of things, as checkboxes post them:
//! `field[id-<uuid>]=on` for each one ticked (the query-string parser takes a
//! key that starts with a digit for a list index, so the id gets a prefix).
//! Used by every form that picks dashboards or groups.

use std::collections::HashMap;

use uuid::Uuid;

pub const ID_FIELD_PREFIX: &str = "id-";

/// The ids ticked, or `None` if any key is not one of ours (a forged form).
pub fn chosen_ids(choices: &HashMap<String, String>) -> Option<Vec<Uuid>> {
    choices.keys().map(|k| k.strip_prefix(ID_FIELD_PREFIX).and_then(|id| Uuid::parse_str(id).ok())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticked_ids_are_read_and_anything_else_is_refused() {
        let id = Uuid::new_v4();
        let form = HashMap::from([(format!("id-{id}"), "on".to_owned())]);
        assert_eq!(chosen_ids(&form), Some(vec![id]));
        let forged = HashMap::from([("id-nope".to_owned(), "on".to_owned())]);
        assert_eq!(chosen_ids(&forged), None);
        assert_eq!(chosen_ids(&HashMap::new()), Some(vec![]));
    }
}
