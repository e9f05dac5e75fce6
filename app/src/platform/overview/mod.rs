//! `/platform`: the platform at a glance for staff — instances by phase, requests waiting
//! for a decision, and each enabled integration's health as the background check last
//! found it (pages never wait for an upstream).

mod get_overview;
pub mod page;

pub use get_overview::*;

use serde::{Deserialize, Serialize};

/// What the overview shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    /// Instance phases (as stored, e.g. `Ready`) with how many instances are in each.
    pub phases: Vec<(String, i64)>,
    /// Requests waiting for a decision.
    pub pending_requests: i64,
    /// The enabled integrations, in a fixed order.
    pub integrations: Vec<Integration>,
}

/// One integration's last health check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Integration {
    /// Its configuration name (`gitea`).
    pub driver: String,
    /// `None` before the first check.
    pub checked_at: Option<i64>,
    pub healthy: bool,
    pub latency_ms: Option<u64>,
    /// Why not, for staff (never a credential).
    pub problem: Option<String>,
}
