//! Organization settings: display name and identifier (slug). Owners only. After a slug
//! change the old slug stops working (no redirect): identifiers may be reused by another
//! organization later, and a redirect would then point at the wrong tenant.

mod get_org_settings;
pub mod page;
#[cfg(feature = "ssr")]
pub mod repo;
mod update_organization;

pub use get_org_settings::*;
pub use update_organization::*;
