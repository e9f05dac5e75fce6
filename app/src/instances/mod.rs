//! Service instances: the package catalog, the onboarding wizard, requests and the staff's
//! decision, the naming rule, and the organization's dashboard with its live stream.
//! Provisioning follows.

pub mod catalog;
pub mod dashboard;
#[cfg(feature = "ssr")]
pub mod live;
pub mod naming;
pub mod overview;
#[cfg(feature = "ssr")]
pub mod repo;
pub mod requests;
pub mod status;
pub mod wizard;
