use super::UserPage;
use crate::error::AppError;
use leptos::prelude::*;

/// Lists users matching `query` (email or name), 50 a page, by email; platform admins only.
#[server(prefix = "/fn", endpoint = "platform/users/list")]
pub async fn list_users(query: Option<String>, page: Option<u32>) -> Result<UserPage, AppError> {
    use crate::{auth::caller::Caller, error::Problem};
    let caller = Caller::current()?;
    caller.platform_admin()?;
    let query = query.unwrap_or_default().trim().to_lowercase();
    if query.chars().count() > 200 {
        return Err(AppError::field("query", Problem::TooLong { max: 200 }));
    }
    super::repo::list(caller.db(), &query, page.unwrap_or(1).max(1)).await
}
