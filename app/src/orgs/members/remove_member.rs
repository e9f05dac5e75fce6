use crate::error::AppError;
use leptos::prelude::*;

/// Removes a member; owners and admins, within the role rules (admins cannot remove owners,
/// the last owner cannot be removed).
#[server(prefix = "/fn", endpoint = "orgs/members/remove")]
pub async fn remove_member(org: String, user_id: String) -> Result<(), AppError> {
    use crate::{auth::caller::Caller, orgs::Role};
    let caller = Caller::current()?;
    let access = caller
        .org(&org)
        .await?
        .require(Role::Admin)?
        .require_member()?;
    super::repo::remove(caller.db(), &access, &user_id, "member.remove").await
}
