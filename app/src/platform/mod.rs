//! Platform administration: what platform staff do across every organization.

pub mod overview;
pub mod users;
