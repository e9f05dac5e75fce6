use crate::error::AppError;
use leptos::prelude::*;

/// Removes a member; owners and admins, within the role rules (admins cannot remove owners,
/// the last owner cannot be removed).
#[server(prefix = "/fn", endpoint = "orgs/members/remove")]
pub async fn remove_member(org: String, user_id: String) -> Result<(), AppError> {
    use crate::{auth::principal::request_context, orgs::Role, state::app_state};
    let state = app_state()?;
    let ctx = request_context()?;
    let access = ctx
        .principal
        .for_org(&state.db, &org)
        .await?
        .require(Role::Admin)?
        .require_member()?;
    super::repo::remove(
        &state.db,
        &access,
        &user_id,
        "member.remove",
        &ctx.client_addr,
    )
    .await
}
