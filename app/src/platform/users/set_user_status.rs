use crate::error::AppError;
use leptos::prelude::*;

/// Suspends (`suspended`) or reactivates (`active`) a user; platform admins only, never
/// their own account. Suspension ends the user's sessions at once, on every process.
#[server(prefix = "/fn", endpoint = "platform/users/set_status")]
pub async fn set_user_status(user_id: String, status: String) -> Result<(), AppError> {
    use crate::{auth::principal::request_context, error::Problem, state::app_state};
    let state = app_state()?;
    let ctx = request_context()?;
    let admin = ctx.principal.require_platform_admin()?;
    let suspended = match status.as_str() {
        "active" => false,
        "suspended" => true,
        _ => return Err(AppError::field("status", Problem::InvalidChoice)),
    };
    if user_id == admin.user_id {
        return Err(AppError::OwnAccount);
    }
    super::repo::set_status(
        &state.db,
        &admin.user_id,
        &user_id,
        suspended,
        &ctx.client_addr,
    )
    .await
}
