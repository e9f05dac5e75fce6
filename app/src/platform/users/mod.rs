//! Platform user administration: find users, suspend and reactivate them, grant and revoke
//! platform roles. Platform admins only.

mod list_users;
pub mod page;
#[cfg(feature = "ssr")]
pub mod repo;
mod set_platform_role;
mod set_user_status;

pub use list_users::*;
pub use set_platform_role::*;
pub use set_user_status::*;

use crate::auth::PlatformRole;
use serde::{Deserialize, Serialize};

/// Users per page of the list.
pub const PER_PAGE: u32 = 50;

/// One user in the platform list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub suspended: bool,
    pub platform_role: Option<PlatformRole>,
    /// Unix milliseconds.
    pub created_at: i64,
    pub last_active_at: Option<i64>,
    /// Number of organizations the user belongs to.
    pub organizations: i64,
}

/// One page of users matching a search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPage {
    pub users: Vec<UserRow>,
    pub total: i64,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
    pub query: String,
}
