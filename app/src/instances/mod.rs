//! Service instances: the package catalog, the onboarding wizard, requests and the staff's
//! decision, the naming rule, and the organization's dashboard with its live stream and
//! the provisioning steps of each instance.

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
pub mod steps;
#[cfg(feature = "ssr")]
pub mod usage;
pub mod wizard;
