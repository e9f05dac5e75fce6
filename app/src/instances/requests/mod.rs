//! Instance requests: what the onboarding wizard submits, and the platform staff's
//! decision. Approval derives the instance name (SPEC §4), creates the instance in phase
//! `Pending`, enqueues a provisioning job and writes the audit events in one transaction;
//! of two staff approving at once exactly one wins.

mod decide;
mod detail;
#[cfg(feature = "ssr")]
mod notify;
pub mod page;
mod queue;
#[cfg(feature = "ssr")]
pub mod repo;

pub use decide::*;
pub use detail::*;
pub use queue::*;
