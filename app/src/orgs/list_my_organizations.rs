use super::OrgSummary;
use crate::error::AppError;
use leptos::prelude::*;

/// Lists the organizations the signed-in user belongs to, with their role; any signed-in user.
#[server(prefix = "/fn", endpoint = "orgs/list_mine")]
pub async fn list_my_organizations() -> Result<Vec<OrgSummary>, AppError> {
    use crate::{auth::principal::request_context, state::app_state};
    let ctx = request_context()?;
    let user = ctx.principal.require_user()?;
    super::repo::list_for_user(&app_state()?.db, &user.user_id).await
}
