//! The audit log: who did what, to which organization and target, from where, with what
//! outcome. Events are written in the same transaction as the change they describe, and the
//! code offers no way to update or delete them. Owners and admins read their
//! organization's events; platform staff read everyone's, filter them and export CSV.

#[cfg(feature = "ssr")]
pub mod export;
mod list;
pub mod page;
#[cfg(feature = "ssr")]
pub mod query;
#[cfg(feature = "ssr")]
mod record;

pub use list::*;
#[cfg(feature = "ssr")]
pub use record::*;

use serde::{Deserialize, Serialize};

/// Events per page.
pub const PER_PAGE: u32 = 50;

/// One event as the log shows it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: String,
    /// Unix milliseconds.
    pub at: i64,
    /// The acting user's name and email; `None` for anonymous or system actions.
    pub actor_name: Option<String>,
    pub actor_email: Option<String>,
    pub action: String,
    pub organization: Option<String>,
    pub target: Option<String>,
    pub client_addr: Option<String>,
    pub outcome: String,
    pub detail: Option<String>,
}

/// The filters of a log view (and the export's query string); empty or missing means "any".
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditFilter {
    /// Organization slug; empty for every organization (platform staff only).
    pub org: String,
    /// Part of the actor's email or name.
    pub actor: String,
    /// An action (`member.remove`) or a family of them (`member.`).
    pub action: String,
    /// `YYYY-MM-DD` (UTC), inclusive.
    pub from: String,
    pub to: String,
}

impl AuditFilter {
    /// The query string of this filter (for links and the CSV export).
    pub fn query_string(&self) -> String {
        use crate::components::format::encode_component as enc;
        format!(
            "actor={}&action={}&from={}&to={}",
            enc(&self.actor),
            enc(&self.action),
            enc(&self.from),
            enc(&self.to)
        )
    }
}

/// One page of the log.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub rows: Vec<AuditRow>,
    pub total: i64,
    /// 1-based.
    pub page: u32,
    pub filter: AuditFilter,
    /// The organization's display name, when the view is one organization's.
    pub org_name: Option<String>,
    /// Actions present in the visible scope, for the filter.
    pub actions: Vec<String>,
}
