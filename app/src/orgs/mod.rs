//! Organizations (the tenant boundary) and memberships.

#[cfg(feature = "ssr")]
pub mod access;
pub mod dashboard;
pub mod domain;
pub mod invitations;
mod list_my_organizations;
pub mod members;
#[cfg(feature = "ssr")]
pub mod repo;
pub mod role;
pub mod settings;
pub mod slug;

pub use list_my_organizations::*;
pub use role::Role;

use serde::{Deserialize, Serialize};

crate::text_enum! {
    /// Whether an organization is a company or one person's own.
    pub enum OrgKind {
        Company = "company",
        Personal = "personal",
    }
}

/// One organization as its member sees it in lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgSummary {
    pub slug: String,
    pub display_name: String,
    pub kind: OrgKind,
    pub role: Role,
}
