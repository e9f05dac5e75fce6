//! Service instances: the naming rule now; requests, approval and provisioning follow.

pub mod naming;
