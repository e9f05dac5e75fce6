//! Platform staff's actions on an instance's provisioning: retry the failed steps of its
//! latest run (or one of them), reconcile (run every ensure again, recreating what was
//! deleted out of band) or deprovision (tear down what was provisioned). Each is audited;
//! customers cannot call them.

use crate::error::AppError;
use leptos::prelude::*;

/// Makes the steps of the instance's latest run that wait in error due now: all of them,
/// or only `step`. Platform staff only. Nothing to retry is not an error.
#[server(prefix = "/fn", endpoint = "admin/instances/retry")]
pub async fn retry_provisioning(
    instance_id: String,
    #[server(default)] step: Option<String>,
) -> Result<(), AppError> {
    use crate::{
        audit::{self, Event, Outcome},
        auth::caller::Caller,
        provisioning::repo,
    };
    let caller = Caller::current()?;
    let staff = caller.staff()?;
    let org = repo::instance_org(caller.db(), &instance_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let step = step.filter(|s| !s.is_empty());
    if let Some(key) = &step
        && crate::provisioning::find_step(key).is_none()
    {
        return Err(AppError::field(
            "step",
            crate::error::Problem::InvalidChoice,
        ));
    }
    if repo::retry_failed(caller.db(), &instance_id, step.as_deref()).await? {
        let mut event = Event::new("instance.retry", &staff.actor)
            .organization(&org)
            .target(&instance_id);
        if let Some(key) = &step {
            event = event.outcome(Outcome::Success, key);
        }
        audit::record(caller.db().pool(), event).await?;
        caller.state.changed(&org);
    }
    Ok(())
}

/// Queues a reconcile run for the instance (unless one is already open); platform staff
/// only. An instance being deprovisioned or deleted is not reconciled (`conflict`).
#[server(prefix = "/fn", endpoint = "admin/instances/reconcile")]
pub async fn reconcile_instance(instance_id: String) -> Result<(), AppError> {
    use crate::{
        audit::{self, Event},
        auth::caller::Caller,
        instances::status::InstancePhase,
        provisioning::{RunKind, repo},
    };
    let caller = Caller::current()?;
    let staff = caller.staff()?;
    let (org, phase) = repo::instance_state(caller.db(), &instance_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if matches!(phase, InstancePhase::Deleting | InstancePhase::Deleted) {
        return Err(AppError::Conflict);
    }
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

/// Deprovisions the instance: it goes `Deleting`, a teardown run removes what was
/// provisioned in reverse order, and it ends `Deleted` with its request `deleted`.
/// Platform staff only. Deprovisioning an instance already on its way out changes nothing.
#[server(prefix = "/fn", endpoint = "admin/instances/deprovision")]
pub async fn deprovision_instance(instance_id: String) -> Result<(), AppError> {
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
    let mut tx = caller.db().pool().begin().await?;
    if repo::deprovision(&mut tx, &instance_id, &org)
        .await?
        .is_none()
    {
        return Ok(());
    }
    audit::record(
        &mut *tx,
        Event::new("instance.deprovision", &staff.actor)
            .organization(&org)
            .target(&instance_id),
    )
    .await?;
    tx.commit().await?;
    caller.state.changed(&org);
    Ok(())
}
