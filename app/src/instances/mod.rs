//! Service instances: the package catalog and the naming rule now; requests, approval and
//! provisioning follow.

pub mod catalog;
pub mod naming;
pub mod requests;
