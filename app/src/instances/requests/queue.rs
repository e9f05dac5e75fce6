use crate::{error::AppError, instances::status::RequestStatus, text_enum::UnknownValue};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Requests per page of the admin queue.
pub const QUEUE_PER_PAGE: u32 = 50;

/// One request in the admin queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct QueueRow {
    pub id: String,
    pub organization: String,
    pub org_slug: String,
    pub contact_name: String,
    pub contact_email: String,
    pub instance_label: Option<String>,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub status: RequestStatus,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// The statuses the queue shows: one, or all of them (pending first). Sent and received as
/// the status's text, or `all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
pub enum StatusFilter {
    All,
    Only(RequestStatus),
}

impl StatusFilter {
    /// What the queue shows when no status is asked for.
    pub const DEFAULT: StatusFilter = StatusFilter::Only(RequestStatus::Pending);

    /// The filter's text, as in the queue's address.
    pub const fn as_str(self) -> &'static str {
        match self {
            StatusFilter::All => "all",
            StatusFilter::Only(status) => status.as_str(),
        }
    }

    /// The filter named by `text` exactly; `None` for anything else.
    pub fn parse(text: &str) -> Option<StatusFilter> {
        match text {
            "all" => Some(StatusFilter::All),
            status => RequestStatus::parse(status).map(StatusFilter::Only),
        }
    }
}

impl From<StatusFilter> for &'static str {
    fn from(filter: StatusFilter) -> &'static str {
        filter.as_str()
    }
}

impl TryFrom<String> for StatusFilter {
    type Error = UnknownValue;

    fn try_from(text: String) -> Result<StatusFilter, UnknownValue> {
        StatusFilter::parse(&text).ok_or(UnknownValue {
            kind: "StatusFilter",
            value: text,
        })
    }
}

/// One page of the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuePage {
    pub rows: Vec<QueueRow>,
    pub total: i64,
    pub page: u32,
    /// The statuses shown.
    pub status: StatusFilter,
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
    let status = match status {
        None => StatusFilter::DEFAULT,
        Some(text) => StatusFilter::parse(&text)
            .ok_or_else(|| AppError::field("status", Problem::InvalidChoice))?,
    };
    let query = query.unwrap_or_default().trim().to_lowercase();
    if query.chars().count() > 200 {
        return Err(AppError::field("query", Problem::TooLong { max: 200 }));
    }
    let page = page.unwrap_or(1).clamp(1, 1_000_000);
    let (rows, total) = super::repo::queue(caller.db(), status, &query, page).await?;
    Ok(QueuePage {
        rows,
        total,
        page,
        status,
        query,
    })
}
