//! Members of an organization: list, change role, remove, leave. The rules live in
//! [`super::Role`]; the last-owner rule is checked in the same transaction as the change.

mod change_member_role;
mod leave_organization;
mod list_members;
pub mod page;
mod remove_member;
#[cfg(feature = "ssr")]
pub mod repo;

pub use change_member_role::*;
pub use leave_organization::*;
pub use list_members::*;
pub use remove_member::*;

use super::{OrgKind, Role};
use serde::{Deserialize, Serialize};

/// One member as the members page shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub user_id: String,
    pub display_name: String,
    pub email: String,
    pub role: Role,
    /// Unix milliseconds.
    pub joined_at: i64,
    /// Unix milliseconds; `None` when never seen.
    pub last_active_at: Option<i64>,
}

/// The members page: the organization, the caller's standing and the members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Members {
    pub slug: String,
    pub display_name: String,
    pub kind: OrgKind,
    /// The role the caller acts with (platform staff without membership read as viewers).
    pub my_role: Role,
    pub my_user_id: String,
    pub is_member: bool,
    pub members: Vec<Member>,
}
