use crate::error::AppError;
use leptos::prelude::*;

/// Changes a member's role; owners and admins, within the role rules (only owners grant or
/// revoke `owner`, nobody raises their own role, the last owner stays an owner).
#[server(prefix = "/fn", endpoint = "orgs/members/change_role")]
pub async fn change_member_role(
    org: String,
    user_id: String,
    role: String,
) -> Result<(), AppError> {
    use crate::{auth::principal::request_context, error::Problem, orgs::Role, state::app_state};
    let state = app_state()?;
    let ctx = request_context()?;
    let access = ctx
        .principal
        .for_org(&state.db, &org)
        .await?
        .require(Role::Admin)?
        .require_member()?;
    let role = Role::parse(&role).ok_or_else(|| AppError::field("role", Problem::InvalidChoice))?;
    super::repo::change_role(&state.db, &access, &user_id, role, &ctx.client_addr).await
}
