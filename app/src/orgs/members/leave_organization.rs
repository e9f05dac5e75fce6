use crate::error::AppError;
use leptos::prelude::*;

/// Leaves an organization; any member except its last owner.
#[server(prefix = "/fn", endpoint = "orgs/members/leave")]
pub async fn leave_organization(org: String) -> Result<(), AppError> {
    use crate::{auth::caller::Caller, orgs::Role};
    let caller = Caller::current()?;
    let access = caller
        .org(&org)
        .await?
        .require(Role::Viewer)?
        .require_member()?;
    let me = access.user.user_id.clone();
    super::repo::remove(caller.db(), &access, &me, "member.leave").await?;
    leptos_axum::redirect("/dashboard");
    Ok(())
}
