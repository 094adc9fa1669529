use serde::{Deserialize, Serialize};

use crate::features::users::types::Role;

/// Seats of one role: how many are taken and how many the plan allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatUsage {
    pub role: Role,
    pub used: i32,
    pub quota: i32,
}

impl SeatUsage {
    pub fn is_full(&self) -> bool {
        self.used >= self.quota
    }
}
