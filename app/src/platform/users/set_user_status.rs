use crate::error::AppError;
use leptos::prelude::*;

/// Suspends (`suspended`) or reactivates (`active`) a user; platform admins only, never
/// their own account. Suspension ends the user's sessions at once, on every process.
#[server(prefix = "/fn", endpoint = "platform/users/set_status")]
pub async fn set_user_status(user_id: String, status: String) -> Result<(), AppError> {
    use crate::{auth::caller::Caller, error::Problem};
    let caller = Caller::current()?;
    let admin = caller.platform_admin()?;
    let suspended = match status.as_str() {
        "active" => false,
        "suspended" => true,
        _ => return Err(AppError::field("status", Problem::InvalidChoice)),
    };
    if user_id == admin.user.user_id {
        return Err(AppError::OwnAccount);
    }
    super::repo::set_status(caller.db(), &admin, &user_id, suspended).await
}
