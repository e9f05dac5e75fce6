use crate::error::AppError;
use leptos::prelude::*;

/// Approves a pending (or re-approves a rejected) request; platform staff only. Returns
/// the new instance's name. A request someone else decided meanwhile gets `conflict`.
#[server(prefix = "/fn", endpoint = "admin/requests/approve")]
pub async fn approve_request(id: String, note: Option<String>) -> Result<String, AppError> {
    use crate::auth::{caller::Caller, validate::Checker};
    let caller = Caller::current()?;
    let staff = caller.staff()?;
    let mut check = Checker::default();
    let note = note.unwrap_or_default();
    let note = check.text("note", &note, 0, 2000);
    check.finish()?;
    let note = (!note.is_empty()).then_some(note);
    let origin = caller.state.config.origin();
    let (name, org_id) =
        super::repo::approve(caller.db(), &id, &staff, note.as_deref(), origin).await?;
    caller.state.changed(&org_id);
    Ok(name)
}

/// Rejects a pending request with a note the requester will read; platform staff only.
#[server(prefix = "/fn", endpoint = "admin/requests/reject")]
pub async fn reject_request(id: String, note: String) -> Result<(), AppError> {
    use crate::auth::{caller::Caller, validate::Checker};
    let caller = Caller::current()?;
    let staff = caller.staff()?;
    let mut check = Checker::default();
    let note = check.text("note", &note, 1, 2000);
    check.finish()?;
    let origin = caller.state.config.origin();
    let org_id = super::repo::reject(caller.db(), &id, &staff, &note, origin).await?;
    caller.state.changed(&org_id);
    Ok(())
}
