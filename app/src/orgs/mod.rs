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

/// Whether an organization is a company or one person's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrgKind {
    Company,
    Personal,
}

impl OrgKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Company => "company",
            OrgKind::Personal => "personal",
        }
    }

    pub fn parse(value: &str) -> Option<OrgKind> {
        match value {
            "company" => Some(OrgKind::Company),
            "personal" => Some(OrgKind::Personal),
            _ => None,
        }
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
