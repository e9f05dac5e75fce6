use super::OrgSummary;
use crate::error::AppError;
use leptos::prelude::*;

/// Lists the organizations the signed-in user belongs to, with their role; any signed-in user.
#[server(prefix = "/fn", endpoint = "orgs/list_mine")]
pub async fn list_my_organizations() -> Result<Vec<OrgSummary>, AppError> {
    use crate::auth::caller::Caller;
    let caller = Caller::current()?;
    let user = caller.user()?;
    super::access::organizations(caller.db(), user).await
}
