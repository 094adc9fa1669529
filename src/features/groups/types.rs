//! Groups as the pages show them.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::features::users::types::Timestamp;

pub const MAX_GROUP_NAME_CHARS: usize = 100;
pub const MAX_GROUP_DESCRIPTION_CHARS: usize = 500;
/// Groups per page of the groups list.
pub const GROUPS_PER_PAGE: i64 = 50;
/// Candidates the "Add members" search shows at once.
pub const MEMBER_CANDIDATES: i64 = 10;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub members: i64,
    pub created: Timestamp,
}

/// A group as a choice or a link: its id and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRef {
    pub id: Uuid,
    pub name: String,
}

/// A page of the groups list, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupList {
    pub groups: Vec<Group>,
    /// The cursor of the next page, if there is one.
    pub next: Option<String>,
}

/// The groups list's view, as its URL carries it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupListQuery {
    /// Part of a name.
    pub q: String,
    /// The page after this cursor.
    pub after: String,
}

impl GroupListQuery {
    pub fn href(&self) -> String {
        let mut pairs = form_urlencoded::Serializer::new(String::new());
        if !self.q.trim().is_empty() {
            pairs.append_pair("q", self.q.trim());
        }
        if !self.after.is_empty() {
            pairs.append_pair("after", &self.after);
        }
        let query = pairs.finish();
        if query.is_empty() { "/settings/groups".to_owned() } else { format!("/settings/groups?{query}") }
    }
}

/// Someone the "Add members" search found who is not a member yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub id: Uuid,
    pub name: String,
    pub email: String,
}
