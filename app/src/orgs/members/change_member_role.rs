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
    use crate::{auth::caller::Caller, error::Problem, orgs::Role};
    let caller = Caller::current()?;
    let access = caller
        .org(&org)
        .await?
        .require(Role::Admin)?
        .require_member()?;
    let role = Role::parse(&role).ok_or_else(|| AppError::field("role", Problem::InvalidChoice))?;
    super::repo::change_role(caller.db(), &access, &user_id, role).await
}
