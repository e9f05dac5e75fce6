use crate::error::AppError;
use leptos::prelude::*;

/// Leaves an organization; any member except its last owner.
#[server(prefix = "/fn", endpoint = "orgs/members/leave")]
pub async fn leave_organization(org: String) -> Result<(), AppError> {
    use crate::{auth::principal::request_context, orgs::Role, state::app_state};
    let state = app_state()?;
    let ctx = request_context()?;
    let access = ctx
        .principal
        .for_org(&state.db, &org)
        .await?
        .require(Role::Viewer)?
        .require_member()?;
    let me = access.user.user_id.clone();
    super::repo::remove(&state.db, &access, &me, "member.leave", &ctx.client_addr).await?;
    leptos_axum::redirect("/dashboard");
    Ok(())
}
