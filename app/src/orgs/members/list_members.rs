use super::Members;
use crate::error::AppError;
use leptos::prelude::*;

/// Lists an organization's members; any member, and platform staff (read only).
#[server(prefix = "/fn", endpoint = "orgs/members/list")]
pub async fn list_members(org: String) -> Result<Members, AppError> {
    use crate::{auth::caller::Caller, orgs::Role};
    let caller = Caller::current()?;
    let access = caller.org(&org).await?.require(Role::Viewer)?;
    let members = super::repo::list(caller.db(), &access.org_id).await?;
    Ok(Members {
        slug: access.slug,
        display_name: access.display_name,
        kind: access.kind,
        my_role: access.role,
        my_user_id: access.user.user_id,
        is_member: access.is_member,
        members,
    })
}
