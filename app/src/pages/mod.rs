//! Pages that belong to no single capability.

pub mod home;
pub mod not_found;
