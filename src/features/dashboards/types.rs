//! Dashboards as the pages show them.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::features::access::types::DashboardAccess;

pub const MAX_DASHBOARD_NAME_CHARS: usize = 100;
pub const MAX_DASHBOARD_DESCRIPTION_CHARS: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub id: Uuid,
    pub name: String,
    pub description: String,
}

/// A user's dashboard permissions, with every dashboard to choose from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardChoice {
    pub access: DashboardAccess,
    pub chosen: Vec<Uuid>,
    pub dashboards: Vec<Dashboard>,
}
