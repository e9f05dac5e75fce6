use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Requests per page of the admin queue.
pub const QUEUE_PER_PAGE: u32 = 50;

/// One request in the admin queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueRow {
    pub id: String,
    pub organization: String,
    pub org_slug: String,
    pub contact_name: String,
    pub contact_email: String,
    pub instance_label: Option<String>,
    pub status: String,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// One page of the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuePage {
    pub rows: Vec<QueueRow>,
    pub total: i64,
    pub page: u32,
    /// The status shown; `all` for every status (pending first).
    pub status: String,
    pub query: String,
}

/// The admin queue for platform staff: requests with `status` (default `pending`; `all`
/// for every status, pending first), oldest first, optionally matching `query` in the organization's
/// name or the contact's name or email; 50 a page.
#[server(prefix = "/fn", endpoint = "admin/requests/list")]
pub async fn list_requests(
    status: Option<String>,
    query: Option<String>,
    page: Option<u32>,
) -> Result<QueuePage, AppError> {
    use crate::{auth::caller::Caller, error::Problem};
    let caller = Caller::current()?;
    caller.staff()?;
    let status = status.unwrap_or_else(|| "pending".into());
    const STATUSES: [&str; 7] = [
        "all",
        "pending",
        "approved",
        "provisioning",
        "active",
        "rejected",
        "deleted",
    ];
    if !STATUSES.contains(&status.as_str()) {
        return Err(AppError::field("status", Problem::InvalidChoice));
    }
    let query = query.unwrap_or_default().trim().to_lowercase();
    if query.chars().count() > 200 {
        return Err(AppError::field("query", Problem::TooLong { max: 200 }));
    }
    let page = page.unwrap_or(1).clamp(1, 1_000_000);
    let filter = if status == "all" { "" } else { status.as_str() };
    let (rows, total) = super::repo::queue(caller.db(), filter, &query, page).await?;
    Ok(QueuePage {
        rows,
        total,
        page,
        status,
        query,
    })
}
