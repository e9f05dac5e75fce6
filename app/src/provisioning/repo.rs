//! Runs, steps, produced resources and sealed step secrets: the provisioning repository.
//!
//! A worker holds a run through a [`Lease`]; every write a worker makes to a run or its
//! steps is conditional on still holding it, so a worker that lost its lease (it stalled
//! and another process took over) changes nothing.

use super::{RunKind, RunStatus, Step, StepStatus};
use crate::{
    db::{Backend, Db, new_id, now_ms},
    instances::status::{InstancePhase, RequestStatus},
};
use sqlx::{Any, Transaction};

/// Queues a run for `instance_id` (inside the approving transaction); its steps are laid
/// out when a worker first takes it, from the drivers configured then.
pub async fn enqueue(
    tx: &mut Transaction<'static, Any>,
    instance_id: &str,
    organization_id: &str,
    kind: RunKind,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO provisioning_runs (id, instance_id, organization_id, kind, status,
                                        next_attempt_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'pending', $5, $5, $5)",
    )
    .bind(&id)
    .bind(instance_id)
    .bind(organization_id)
    .bind(kind.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// A run a worker holds.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub id: String,
    pub instance_id: String,
    pub organization_id: String,
    #[sqlx(try_from = "String")]
    pub kind: RunKind,
}

/// Who holds a run.
#[derive(Debug, Clone)]
pub struct Lease {
    pub run_id: String,
    pub owner: String,
}

/// Takes the oldest due run (pending and due, or running under an expired lease) for
/// `owner` until `lease_ms` from now. PostgreSQL skips rows other workers are taking at the
/// same moment; SQLite's single writer makes the statement atomic.
pub async fn claim(db: &Db, owner: &str, lease_ms: i64) -> Result<Option<Claimed>, sqlx::Error> {
    let now = now_ms();
    let lock = match db.backend() {
        Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let statement = format!(
        "UPDATE provisioning_runs SET status = 'running', lease_owner = $1, lease_until = $2,
                updated_at = $3
         WHERE id = (SELECT id FROM provisioning_runs
                     WHERE (status = 'pending' AND next_attempt_at <= $3)
                        OR (status = 'running' AND lease_until < $3)
                     ORDER BY next_attempt_at LIMIT 1 {lock})
         RETURNING id, instance_id, organization_id, kind"
    );
    sqlx::query_as(&statement)
        .bind(owner)
        .bind(now.saturating_add(lease_ms))
        .bind(now)
        .fetch_optional(db.pool())
        .await
}

/// Extends the lease; `false` when it was lost.
pub async fn renew(db: &Db, lease: &Lease, lease_ms: i64) -> Result<bool, sqlx::Error> {
    let renewed = sqlx::query(
        "UPDATE provisioning_runs SET lease_until = $1
         WHERE id = $2 AND lease_owner = $3 AND status = 'running'",
    )
    .bind(now_ms().saturating_add(lease_ms))
    .bind(&lease.run_id)
    .bind(&lease.owner)
    .execute(db.pool())
    .await?;
    Ok(renewed.rows_affected() == 1)
}

/// Ends the hold: the run is `status`, due again at `next_attempt_at` when pending.
pub async fn release(
    db: &Db,
    lease: &Lease,
    status: RunStatus,
    next_attempt_at: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let released = sqlx::query(
        "UPDATE provisioning_runs SET status = $1, lease_owner = NULL, lease_until = NULL,
                next_attempt_at = COALESCE($2, next_attempt_at), updated_at = $3,
                finished_at = CASE WHEN $1 = 'done' THEN $3 ELSE NULL END
         WHERE id = $4 AND lease_owner = $5 AND status = 'running'",
    )
    .bind(status.as_str())
    .bind(next_attempt_at)
    .bind(now)
    .bind(&lease.run_id)
    .bind(&lease.owner)
    .execute(db.pool())
    .await?;
    Ok(released.rows_affected() == 1)
}

/// One step as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StepRow {
    pub step: String,
    #[sqlx(try_from = "String")]
    pub status: StepStatus,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<i64>,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
}

/// The run's steps in order.
pub async fn steps(db: &Db, run_id: &str) -> Result<Vec<StepRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT step, status, attempts, last_error, next_attempt_at, started_at, finished_at
         FROM provisioning_steps WHERE run_id = $1 ORDER BY position",
    )
    .bind(run_id)
    .fetch_all(db.pool())
    .await
}

/// Lays out the run's steps the first time a worker holds it.
pub async fn lay_out(db: &Db, lease: &Lease, steps: &[Step]) -> Result<(), sqlx::Error> {
    let mut tx = db.pool().begin().await?;
    let held = sqlx::query(
        "UPDATE provisioning_runs SET updated_at = updated_at
         WHERE id = $1 AND lease_owner = $2 AND status = 'running'",
    )
    .bind(&lease.run_id)
    .bind(&lease.owner)
    .execute(&mut *tx)
    .await?;
    let existing: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM provisioning_steps WHERE run_id = $1")
            .bind(&lease.run_id)
            .fetch_one(&mut *tx)
            .await?;
    if held.rows_affected() == 1 && existing == 0 {
        for (position, step) in steps.iter().enumerate() {
            sqlx::query(
                "INSERT INTO provisioning_steps (run_id, step, position, status, attempts)
                 VALUES ($1, $2, $3, 'pending', 0)",
            )
            .bind(&lease.run_id)
            .bind(step.key)
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await
}

/// The condition every step write carries: the run is still held by this lease.
const HELD: &str = "EXISTS (SELECT 1 FROM provisioning_runs r
                            WHERE r.id = provisioning_steps.run_id AND r.lease_owner = $2
                                  AND r.status = 'running')";

/// Marks a step running (one more attempt) and returns its attempts so far, this one
/// included; `None` when the lease is gone.
pub async fn start_step(db: &Db, lease: &Lease, step: &str) -> Result<Option<i64>, sqlx::Error> {
    let statement = format!(
        "UPDATE provisioning_steps SET status = 'running', attempts = attempts + 1,
                started_at = $3, finished_at = NULL
         WHERE run_id = $1 AND step = $4 AND {HELD}
         RETURNING attempts"
    );
    sqlx::query_scalar(&statement)
        .bind(&lease.run_id)
        .bind(&lease.owner)
        .bind(now_ms())
        .bind(step)
        .fetch_optional(db.pool())
        .await
}

/// How a step attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finished {
    Ok,
    Skipped,
    /// `retry_at`: when it is tried again; `None` waits for a person.
    Error {
        message: String,
        retry_at: Option<i64>,
    },
}

/// Records how a step ended; `false` when the lease is gone.
pub async fn finish_step(
    db: &Db,
    lease: &Lease,
    step: &str,
    finished: &Finished,
) -> Result<bool, sqlx::Error> {
    let (status, error, retry_at) = match finished {
        Finished::Ok => (StepStatus::Ok, None, None),
        Finished::Skipped => (StepStatus::Skipped, None, None),
        Finished::Error { message, retry_at } => {
            (StepStatus::Error, Some(message.as_str()), *retry_at)
        }
    };
    let statement = format!(
        "UPDATE provisioning_steps SET status = $3, last_error = $4, next_attempt_at = $5,
                finished_at = $6
         WHERE run_id = $1 AND step = $7 AND {HELD}"
    );
    let done = sqlx::query(&statement)
        .bind(&lease.run_id)
        .bind(&lease.owner)
        .bind(status.as_str())
        .bind(error)
        .bind(retry_at)
        .bind(now_ms())
        .bind(step)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The external id a step produced for the instance, if recorded.
pub async fn resource(
    db: &Db,
    instance_id: &str,
    step: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT external_id FROM instance_resources WHERE instance_id = $1 AND step = $2",
    )
    .bind(instance_id)
    .bind(step)
    .fetch_optional(db.pool())
    .await
}

/// Records (or replaces) the external id a step produced.
pub async fn record_resource(
    db: &Db,
    instance_id: &str,
    step: &str,
    external_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO instance_resources (instance_id, step, external_id, updated_at)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (instance_id, step) DO UPDATE SET external_id = excluded.external_id,
                                                     updated_at = excluded.updated_at",
    )
    .bind(instance_id)
    .bind(step)
    .bind(external_id)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    Ok(())
}

/// The external id `step` recorded for the instance or, failing that, the newest one it
/// recorded for another instance of the organization (a resource one per organization).
pub async fn org_resource(
    db: &Db,
    instance: &InstanceContext,
    step: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT r.external_id FROM instance_resources r JOIN instances i ON i.id = r.instance_id
         WHERE i.organization_id = $1 AND r.step = $2
         ORDER BY CASE WHEN r.instance_id = $3 THEN 0 ELSE 1 END, r.updated_at DESC
         LIMIT 1",
    )
    .bind(&instance.organization_id)
    .bind(step)
    .bind(&instance.instance_id)
    .fetch_optional(db.pool())
    .await
}

/// The email addresses of the organization's members, or only of its owners.
pub async fn member_emails(
    db: &Db,
    organization_id: &str,
    owners_only: bool,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.organization_id = $1 AND (m.role = 'owner' OR $2 = 0)
         ORDER BY u.email",
    )
    .bind(organization_id)
    .bind(i64::from(owners_only))
    .fetch_all(db.pool())
    .await
}

/// Records the phase the cluster reports for the instance's resource.
pub async fn set_cluster_phase(
    db: &Db,
    instance_id: &str,
    phase: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE instances SET cluster_phase = $1 WHERE id = $2")
        .bind(phase)
        .bind(instance_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// The live instances with a recorded cluster resource: id, name, organization and the
/// phase last recorded.
pub async fn cluster_instances(
    db: &Db,
) -> Result<Vec<(String, String, String, Option<String>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT i.id, i.name, i.organization_id, i.cluster_phase FROM instances i
         JOIN instance_resources r ON r.instance_id = i.id AND r.step = 'kubernetes.resource'
         WHERE i.phase NOT IN ('Deleting', 'Deleted')
         ORDER BY i.id",
    )
    .fetch_all(db.pool())
    .await
}

/// A sealed secret a step stored for the instance.
pub async fn sealed_secret(
    db: &Db,
    instance_id: &str,
    name: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT sealed FROM instance_secrets WHERE instance_id = $1 AND name = $2")
        .bind(instance_id)
        .bind(name)
        .fetch_optional(db.pool())
        .await
}

/// Stores (or replaces) a sealed secret of the instance.
pub async fn store_secret(
    db: &Db,
    instance_id: &str,
    name: &str,
    sealed: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO instance_secrets (instance_id, name, sealed) VALUES ($1, $2, $3)
         ON CONFLICT (instance_id, name) DO UPDATE SET sealed = excluded.sealed",
    )
    .bind(instance_id)
    .bind(name)
    .bind(sealed)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// What the steps need to know about the instance.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InstanceContext {
    pub instance_id: String,
    pub name: String,
    pub request_id: String,
    pub organization_id: String,
    pub slug: String,
    /// The organization's display name.
    pub organization_name: String,
}

pub async fn instance(db: &Db, instance_id: &str) -> Result<InstanceContext, sqlx::Error> {
    sqlx::query_as(
        "SELECT i.id AS instance_id, i.name, i.request_id, i.organization_id, o.slug,
                o.display_name AS organization_name
         FROM instances i JOIN organizations o ON o.id = i.organization_id
         WHERE i.id = $1",
    )
    .bind(instance_id)
    .fetch_one(db.pool())
    .await
}

/// Sets the instance's phase and moves its request along (`approved → provisioning →
/// active`): `request` is written only over the statuses in `from`. An instance being
/// deprovisioned keeps its phase: a provisioning worker that raced the staff's action
/// cannot bring it back.
pub async fn set_phase(
    db: &Db,
    instance: &InstanceContext,
    phase: InstancePhase,
    request: RequestStatus,
    from: &[RequestStatus],
) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let mut tx = db.pool().begin().await?;
    let set = sqlx::query(
        "UPDATE instances SET phase = $1, updated_at = $2
         WHERE id = $3 AND phase NOT IN ('Deleting', 'Deleted')",
    )
    .bind(phase.as_str())
    .bind(now)
    .bind(&instance.instance_id)
    .execute(&mut *tx)
    .await?;
    if set.rows_affected() == 0 {
        return Ok(());
    }
    for old in from {
        sqlx::query(
            "UPDATE instance_requests SET status = $1, updated_at = $2
             WHERE id = $3 AND status = $4",
        )
        .bind(request.as_str())
        .bind(now)
        .bind(&instance.request_id)
        .bind(old.as_str())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

/// The earliest time a pending run is due, to sleep until then.
pub async fn next_due(db: &Db) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT MIN(next_attempt_at) FROM provisioning_runs WHERE status = 'pending'",
    )
    .fetch_one(db.pool())
    .await
}

/// The steps of the latest run of each of the organization's instances, as (instance id,
/// step), in step order.
pub async fn latest_steps(db: &Db, org_id: &str) -> Result<Vec<(String, StepRow)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        instance_id: String,
        #[sqlx(flatten)]
        step: StepRow,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT r.instance_id, s.step, s.status, s.attempts, s.last_error, s.next_attempt_at,
                s.started_at, s.finished_at
         FROM provisioning_steps s JOIN provisioning_runs r ON r.id = s.run_id
         WHERE r.organization_id = $1
           AND r.id = (SELECT r2.id FROM provisioning_runs r2 WHERE r2.instance_id = r.instance_id
                       ORDER BY r2.created_at DESC, r2.id DESC LIMIT 1)
         ORDER BY r.instance_id, s.position",
    )
    .bind(org_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(|r| (r.instance_id, r.step)).collect())
}

/// A digest of the steps of the organization's latest runs, for the live stream: it changes
/// whenever a step's status or attempts do.
pub async fn steps_digest(db: &Db, org_id: &str) -> Result<Vec<(String, String)>, sqlx::Error> {
    let mut digest: Vec<(String, String)> = Vec::new();
    for (instance, step) in latest_steps(db, org_id).await? {
        let part = format!("{}:{}:{};", step.step, step.status.as_str(), step.attempts);
        match digest.last_mut() {
            Some((last, text)) if *last == instance => text.push_str(&part),
            _ => digest.push((instance, part)),
        }
    }
    Ok(digest)
}

/// Staff's retry: every step of the instance's latest run that waits in error (or only
/// `step`, when given) is due now, and so is the run. Returns whether there was anything
/// to retry.
pub async fn retry_failed(
    db: &Db,
    instance_id: &str,
    step: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let mut tx = db.pool().begin().await?;
    let run: Option<String> = sqlx::query_scalar(
        "UPDATE provisioning_runs SET status = 'pending', next_attempt_at = $1, updated_at = $1
         WHERE id = (SELECT id FROM provisioning_runs WHERE instance_id = $2
                     ORDER BY created_at DESC, id DESC LIMIT 1)
               AND status IN ('error', 'pending')
         RETURNING id",
    )
    .bind(now)
    .bind(instance_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(run) = run else {
        return Ok(false);
    };
    let steps = sqlx::query(
        "UPDATE provisioning_steps SET next_attempt_at = $1
         WHERE run_id = $2 AND status = 'error' AND step = COALESCE($3, step)",
    )
    .bind(now)
    .bind(&run)
    .bind(step)
    .execute(&mut *tx)
    .await?;
    if steps.rows_affected() == 0 {
        // Nothing waits: leave the run as it was.
        tx.rollback().await?;
        return Ok(false);
    }
    tx.commit().await?;
    Ok(true)
}

/// Whether the instance has a run that is not finished (pending or running).
pub async fn has_open_run(db: &Db, instance_id: &str) -> Result<bool, sqlx::Error> {
    let open: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM provisioning_runs
         WHERE instance_id = $1 AND status IN ('pending', 'running')",
    )
    .bind(instance_id)
    .fetch_one(db.pool())
    .await?;
    Ok(open > 0)
}

/// The organization of instance `instance_id`, if it exists.
pub async fn instance_org(db: &Db, instance_id: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT organization_id FROM instances WHERE id = $1")
        .bind(instance_id)
        .fetch_optional(db.pool())
        .await
}

/// Staff's deprovision: the instance goes `Deleting`, any open provisioning or reconcile
/// run is ended (a worker holding one loses its lease at its next write), and a teardown
/// run is queued. Returns the run's id, or `None` when the instance is already being
/// deprovisioned or deleted (a second deprovision changes nothing).
pub async fn deprovision(
    tx: &mut Transaction<'static, Any>,
    instance_id: &str,
    organization_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    let now = now_ms();
    let marked = sqlx::query(
        "UPDATE instances SET phase = 'Deleting', updated_at = $1
         WHERE id = $2 AND phase NOT IN ('Deleting', 'Deleted')",
    )
    .bind(now)
    .bind(instance_id)
    .execute(&mut **tx)
    .await?;
    if marked.rows_affected() == 0 {
        return Ok(None);
    }
    sqlx::query(
        "UPDATE provisioning_runs SET status = 'error', lease_owner = NULL, lease_until = NULL,
                updated_at = $1
         WHERE instance_id = $2 AND status IN ('pending', 'running')",
    )
    .bind(now)
    .bind(instance_id)
    .execute(&mut **tx)
    .await?;
    enqueue(tx, instance_id, organization_id, RunKind::Deprovision)
        .await
        .map(Some)
}

/// Forgets the resource a step made (it was removed upstream).
pub async fn forget(db: &Db, instance_id: &str, step: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM instance_resources WHERE instance_id = $1 AND step = $2")
        .bind(instance_id)
        .bind(step)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// How many of the organization's instances other than `instance_id` are neither being
/// deprovisioned nor deleted (they still need the organization's shared resources).
pub async fn other_live_instances(
    db: &Db,
    organization_id: &str,
    instance_id: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM instances
         WHERE organization_id = $1 AND id <> $2 AND phase NOT IN ('Deleting', 'Deleted')",
    )
    .bind(organization_id)
    .bind(instance_id)
    .fetch_one(db.pool())
    .await
}

/// The end of a teardown: the sealed secrets and remaining resource records go, the
/// instance is `Deleted` and its request `deleted`.
pub async fn finish_teardown(db: &Db, instance: &InstanceContext) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let mut tx = db.pool().begin().await?;
    for table in ["instance_secrets", "instance_resources"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE instance_id = $1"))
            .bind(&instance.instance_id)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("UPDATE instances SET phase = 'Deleted', updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(&instance.instance_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE instance_requests SET status = 'deleted', updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(&instance.request_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// The instance's organization and phase, if it exists.
pub async fn instance_state(
    db: &Db,
    instance_id: &str,
) -> Result<Option<(String, InstancePhase)>, sqlx::Error> {
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT organization_id, phase FROM instances WHERE id = $1")
            .bind(instance_id)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.and_then(|(org, phase)| InstancePhase::parse(&phase).map(|p| (org, p))))
}
