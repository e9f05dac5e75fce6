use super::AuditPage;
use crate::error::AppError;
use leptos::prelude::*;

/// One page of audit events, newest first. With `org`: that organization's events, for its
/// owners and admins and for platform staff. Without: every event, for platform staff.
#[server(prefix = "/fn", endpoint = "audit/list")]
pub async fn list_audit_events(
    org: Option<String>,
    actor: Option<String>,
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<u32>,
) -> Result<AuditPage, AppError> {
    use super::{AuditFilter, query};
    use crate::auth::caller::Caller;
    let caller = Caller::current()?;
    let filter = AuditFilter {
        org: org.unwrap_or_default(),
        actor: actor.unwrap_or_default(),
        action: action.unwrap_or_default(),
        from: from.unwrap_or_default(),
        to: to.unwrap_or_default(),
    };
    let scope = query::scope(&caller, &filter.org).await?;
    let criteria = query::Criteria::parse(&filter, &scope)?;
    let page = page.unwrap_or(1).clamp(1, 1_000_000);
    let matches = query::page(caller.db(), &criteria, page).await?;
    let actions = query::actions(caller.db(), &scope).await?;
    Ok(AuditPage {
        rows: matches.rows,
        total: matches.total,
        page,
        filter,
        org_name: scope.org_name().map(str::to_owned),
        actions,
    })
}
