//! Platform staff's actions on an instance's provisioning: retry the failed steps of its
//! latest run, or reconcile (run every ensure again, recreating what was deleted out of
//! band). Both are audited; customers cannot call them.

use crate::error::AppError;
use leptos::prelude::*;

/// Makes every step of the instance's latest run that waits in error due now; platform
/// staff only. Nothing to retry is not an error.
#[server(prefix = "/fn", endpoint = "admin/instances/retry")]
pub async fn retry_provisioning(instance_id: String) -> Result<(), AppError> {
    use crate::{
        audit::{self, Event},
        auth::caller::Caller,
        provisioning::repo,
    };
    let caller = Caller::current()?;
    let staff = caller.staff()?;
    let org = repo::instance_org(caller.db(), &instance_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if repo::retry_failed(caller.db(), &instance_id).await? {
        audit::record(
            caller.db().pool(),
            Event::new("instance.retry", &staff.actor)
                .organization(&org)
                .target(&instance_id),
        )
        .await?;
        caller.state.changed(&org);
    }
    Ok(())
}

/// Queues a reconcile run for the instance (unless one is already open); platform staff
/// only.
#[server(prefix = "/fn", endpoint = "admin/instances/reconcile")]
pub async fn reconcile_instance(instance_id: String) -> Result<(), AppError> {
    use crate::{
        audit::{self, Event},
        auth::caller::Caller,
        provisioning::{RunKind, repo},
    };
    let caller = Caller::current()?;
    let staff = caller.staff()?;
    let org = repo::instance_org(caller.db(), &instance_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if repo::has_open_run(caller.db(), &instance_id).await? {
        return Ok(());
    }
    let mut tx = caller.db().pool().begin().await?;
    repo::enqueue(&mut tx, &instance_id, &org, RunKind::Reconcile).await?;
    audit::record(
        &mut *tx,
        Event::new("instance.reconcile", &staff.actor)
            .organization(&org)
            .target(&instance_id),
    )
    .await?;
    tx.commit().await?;
    caller.state.changed(&org);
    Ok(())
}
