use super::Members;
use crate::error::AppError;
use leptos::prelude::*;

/// Lists an organization's members; any member, and platform staff (read only).
#[server(prefix = "/fn", endpoint = "orgs/members/list")]
pub async fn list_members(org: String) -> Result<Members, AppError> {
    use crate::{auth::principal::request_context, orgs::Role, state::app_state};
    let state = app_state()?;
    let ctx = request_context()?;
    let access = ctx
        .principal
        .for_org(&state.db, &org)
        .await?
        .require(Role::Viewer)?;
    let members = super::repo::list(&state.db, &access.org_id).await?;
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
