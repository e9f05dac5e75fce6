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
    use super::AuditFilter;
    use crate::auth::caller::Caller;
    let caller = Caller::current()?;
    let filter = AuditFilter {
        org: org.unwrap_or_default(),
        actor: actor.unwrap_or_default(),
        action: action.unwrap_or_default(),
        from: from.unwrap_or_default(),
        to: to.unwrap_or_default(),
    };
    read(&caller, filter, page.unwrap_or(1)).await
}

/// Page `page` of the events `filter` selects, for a caller allowed to read them (the
/// audit page and the REST API both come here).
#[cfg(feature = "ssr")]
pub async fn read(
    caller: &crate::auth::caller::Caller,
    filter: super::AuditFilter,
    page: u32,
) -> Result<AuditPage, AppError> {
    use super::query;
    let scope = query::scope(caller, &filter.org).await?;
    let criteria = query::Criteria::parse(&filter, &scope)?;
    let page = page.clamp(1, 1_000_000);
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
