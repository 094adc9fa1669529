//! API keys as the settings page shows them.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::features::users::types::Timestamp;

pub const MAX_KEY_NAME_CHARS: usize = 100;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKey {
    pub id: Uuid,
    pub name: String,
    /// The key's first characters ("roster_Ab3x…").
    pub prefix: String,
    pub created_by: String,
    pub created: Timestamp,
    pub last_used: Option<Timestamp>,
    pub revoked: Option<Timestamp>,
}

/// A key just created: the only time its secret is shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatedApiKey {
    pub id: Uuid,
    pub name: String,
    pub key: String,
}

/// The page: every key, and one just created (once).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKeys {
    pub keys: Vec<ApiKey>,
    pub created: Option<CreatedApiKey>,
}
