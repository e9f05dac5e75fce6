//! Instance requests: what the onboarding wizard submits, and the platform staff's
//! decision. Approval derives the instance name (SPEC §4), creates the instance in phase
//! `Pending`, queues its provisioning run and writes the audit events in one transaction;
//! of two staff approving at once exactly one wins. Staff then retry or reconcile the
//! instance's provisioning ([`provision`]).

mod decide;
mod detail;
#[cfg(feature = "ssr")]
mod notify;
pub mod page;
mod provision;
mod queue;
#[cfg(feature = "ssr")]
pub mod repo;

pub use decide::*;
pub use detail::*;
pub use provision::*;
pub use queue::*;
