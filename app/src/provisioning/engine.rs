//! The provisioning worker: takes a due run, renews its lease while it works, runs every
//! runnable step (pending, or in error and due for a retry, with its needs satisfied), and
//! leaves the run done, pending (a retry is scheduled) or in error (a step waits for a
//! person). The instance's phase and the request's status follow, and open dashboards are
//! told after every step.

use super::{
    Cx, Driver, Made, Produced, RunKind, RunStatus, Step, StepError, authentik, coolify, gitea,
    kubernetes,
    litellm::{KeyOutcome, LiteLlm, Team},
    openbao,
    repo::{self, Finished, InstanceContext, Lease, StepRow},
    webhook,
};
use crate::{
    audit::{self, Actor, Event, Outcome},
    db::{Db, now_ms},
    error::AppError,
    instances::status::{InstancePhase, RequestStatus},
    secrets::{self, Binding, Keyring},
    state::AppState,
};
use std::time::Duration;

/// The name under which the LiteLLM key's raw value is sealed for the instance.
pub const LITELLM_KEY_SECRET: &str = "litellm.key";

/// One worker of this process.
pub struct Engine {
    state: AppState,
    /// Names this worker in leases (unique per process and worker).
    owner: String,
    http: reqwest::Client,
}

impl Engine {
    pub fn new(state: AppState) -> Result<Engine, AppError> {
        let timeout = Duration::from_secs(state.config.provisioning.request_timeout_seconds);
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| AppError::internal("provisioning HTTP client", e))?;
        Ok(Engine {
            owner: format!("{}-{}", std::process::id(), crate::db::new_id()),
            state,
            http,
        })
    }

    fn db(&self) -> &Db {
        &self.state.db
    }

    fn lease_ms(&self) -> i64 {
        i64::try_from(
            self.state
                .config
                .provisioning
                .lease_seconds
                .saturating_mul(1000),
        )
        .unwrap_or(i64::MAX)
    }

    /// Works the next due run, if any; returns whether there was one.
    pub async fn work_one(&self) -> Result<bool, AppError> {
        let Some(run) = repo::claim(self.db(), &self.owner, self.lease_ms()).await? else {
            return Ok(false);
        };
        let lease = Lease {
            run_id: run.id.clone(),
            owner: self.owner.clone(),
        };
        // Renewed at a third of its length while the run is worked.
        let heartbeat = {
            let (db, lease, lease_ms) = (self.db().clone(), lease.clone(), self.lease_ms());
            tokio::spawn(async move {
                let every = Duration::from_millis(u64::try_from(lease_ms / 3).unwrap_or(1000));
                loop {
                    tokio::time::sleep(every).await;
                    if !repo::renew(&db, &lease, lease_ms).await.unwrap_or(false) {
                        return;
                    }
                }
            })
        };
        let worked = self.work(&lease, &run.instance_id, run.kind).await;
        heartbeat.abort();
        worked.map(|()| true)
    }

    async fn work(&self, lease: &Lease, instance_id: &str, kind: RunKind) -> Result<(), AppError> {
        let plan = super::plan(kind);
        repo::lay_out(self.db(), lease, plan).await?;
        let instance = repo::instance(self.db(), instance_id).await?;
        match kind {
            RunKind::Provision | RunKind::Reconcile => {
                repo::set_phase(
                    self.db(),
                    &instance,
                    InstancePhase::Provisioning,
                    RequestStatus::Provisioning,
                    &[RequestStatus::Approved],
                )
                .await?;
            }
            // The staff's action already set `Deleting`.
            RunKind::Deprovision => {}
        }
        self.state.changed(&instance.organization_id);
        loop {
            let steps = repo::steps(self.db(), &lease.run_id).await?;
            let Some(step) = next_runnable(plan, &steps, now_ms()) else {
                break;
            };
            if !self.attempt(lease, &instance, step, kind).await? {
                // The lease was lost: another worker has the run now.
                return Ok(());
            }
            self.state.changed(&instance.organization_id);
        }
        self.settle(lease, &instance, kind).await
    }

    /// Runs one step once and records the outcome; `false` when the lease was lost.
    async fn attempt(
        &self,
        lease: &Lease,
        instance: &InstanceContext,
        step: &'static Step,
        kind: RunKind,
    ) -> Result<bool, AppError> {
        if !step.driver.enabled(&self.state.config.provisioning) {
            return Ok(repo::finish_step(self.db(), lease, step.key, &Finished::Skipped).await?);
        }
        let Some(attempts) = repo::start_step(self.db(), lease, step.key).await? else {
            return Ok(false);
        };
        let config = &self.state.config.provisioning;
        // The HTTP client bounds each request; this bounds a step's several requests.
        let budget = Duration::from_secs(config.request_timeout_seconds.saturating_mul(4));
        let outcome = if kind == RunKind::Deprovision {
            tokio::time::timeout(budget, self.teardown(step, instance))
                .await
                .map(|done| done.map(|()| None))
        } else {
            tokio::time::timeout(budget, self.ensure(step, instance))
                .await
                .map(|made| made.map(Some))
        };
        let outcome = outcome
            .unwrap_or_else(|_| Err(StepError::transient("the step did not finish in time")));
        let finished = match outcome {
            // A teardown leaves nothing to record.
            Ok(None) => Finished::Ok,
            // Nothing to do here (e.g. no owner has an account upstream).
            Ok(Some(Made::Nothing)) => Finished::Skipped,
            Ok(Some(Made::Resource(produced))) => {
                let before = repo::resource(self.db(), &instance.instance_id, step.key).await?;
                repo::record_resource(
                    self.db(),
                    &instance.instance_id,
                    step.key,
                    &produced.external_id,
                )
                .await?;
                if step.driver == Driver::Kubernetes {
                    repo::set_cluster_phase(
                        self.db(),
                        &instance.instance_id,
                        produced.phase.as_deref(),
                    )
                    .await?;
                }
                // A reconcile that had to make a resource again found drift: something
                // was deleted or replaced out of band.
                let drifted = before.is_some_and(|before| before != produced.external_id);
                if kind == RunKind::Reconcile && drifted {
                    audit::record(
                        self.db().pool(),
                        Event::new("instance.drift", &Actor::engine())
                            .organization(&instance.organization_id)
                            .target(step.key)
                            .outcome(Outcome::Failure, "recreated"),
                    )
                    .await?;
                }
                Finished::Ok
            }
            Err(err) => {
                tracing::warn!(step = step.key, instance = %instance.name, attempts, "provisioning step failed: {err}");
                let retry_at = match &err {
                    StepError::Transient {
                        retry_after_secs, ..
                    } if attempts < i64::from(config.max_attempts) => {
                        Some(now_ms().saturating_add(backoff_ms(
                            config.retry_base_seconds,
                            attempts,
                            *retry_after_secs,
                        )))
                    }
                    _ => None,
                };
                Finished::Error {
                    message: err.to_string(),
                    retry_at,
                }
            }
        };
        Ok(repo::finish_step(self.db(), lease, step.key, &finished).await?)
    }

    /// The step's ensure: look up, create if missing, return the id.
    async fn ensure(
        &self,
        step: &'static Step,
        instance: &InstanceContext,
    ) -> Result<Made, StepError> {
        let cx = self.cx(instance);
        match step.driver {
            Driver::Gitea => return gitea::ensure(&cx, step.key).await,
            Driver::Coolify => return coolify::ensure(&cx, step.key).await,
            Driver::OpenBao => return openbao::ensure(&cx, step.key).await,
            Driver::Authentik => return authentik::ensure(&cx, step.key).await,
            Driver::Kubernetes => return kubernetes::ensure(&cx, step.key).await,
            Driver::LiteLlm | Driver::Webhook => {}
        }
        let config = &self.state.config.provisioning;
        let produced = match step.key {
            "webhook.approved" => self.announce(instance, "instance.approved").await,
            "webhook.provisioned" => self.announce(instance, "instance.provisioned").await,
            "litellm.team" => {
                let master = litellm_key(config)?;
                let client = LiteLlm {
                    http: &self.http,
                    config: &config.litellm,
                    master_key: &master,
                };
                client
                    .ensure_team(Team {
                        organization_id: &instance.organization_id,
                        slug: &instance.slug,
                    })
                    .await
            }
            "litellm.key" => self.ensure_litellm_key(instance).await,
            other => Err(StepError::Permanent(format!("unknown step {other}"))),
        };
        produced.map(Made::Resource)
    }

    fn cx<'a>(&'a self, instance: &'a InstanceContext) -> Cx<'a> {
        Cx {
            db: self.db(),
            http: &self.http,
            config: &self.state.config.provisioning,
            secrets: &self.state.config.secrets,
            instance,
        }
    }

    /// Delivers the signed event `kind` about the instance.
    async fn announce(
        &self,
        instance: &InstanceContext,
        kind: &str,
    ) -> Result<Produced, StepError> {
        let config = &self.state.config.provisioning.webhook;
        let secret = config
            .secret()
            .ok()
            .flatten()
            .ok_or_else(|| StepError::Permanent("the webhook secret is not set".into()))?;
        let key = webhook::key(&secret)
            .ok_or_else(|| StepError::Permanent("the webhook secret is malformed".into()))?;
        // The same id for every attempt of this event of this instance.
        let id = format!("msg_{}_{}", instance.instance_id, kind.replace('.', "_"));
        let event = webhook::Event {
            id: &id,
            kind,
            data: serde_json::json!({
                "instance": { "id": instance.instance_id, "name": instance.name },
                "organization": { "id": instance.organization_id, "slug": instance.slug },
            }),
        };
        webhook::deliver(&self.http, &config.url, &key, &event).await
    }

    /// A teardown step: removes what the matching ensure made; something already gone
    /// counts as removed. The records of what was removed go with it.
    async fn teardown(
        &self,
        step: &'static Step,
        instance: &InstanceContext,
    ) -> Result<(), StepError> {
        let cx = self.cx(instance);
        match step.driver {
            Driver::Gitea => return gitea::teardown(&cx, step.key).await,
            Driver::Coolify => return coolify::teardown(&cx, step.key).await,
            Driver::OpenBao => return openbao::teardown(&cx, step.key).await,
            Driver::Authentik => return authentik::teardown(&cx, step.key).await,
            Driver::Kubernetes => return kubernetes::teardown(&cx, step.key).await,
            Driver::LiteLlm | Driver::Webhook => {}
        }
        let config = &self.state.config.provisioning;
        match step.key {
            "litellm.key.remove" => {
                let master = litellm_key(config)?;
                let client = LiteLlm {
                    http: &self.http,
                    config: &config.litellm,
                    master_key: &master,
                };
                // By alias: it also finds a key whose creation was never recorded here.
                client.delete_key(&instance.name).await?;
                cx.forget("litellm.key").await
            }
            "litellm.team.remove" => {
                // The team is the organization's: it goes with its last instance.
                if !cx.shared().await? {
                    let master = litellm_key(config)?;
                    let client = LiteLlm {
                        http: &self.http,
                        config: &config.litellm,
                        master_key: &master,
                    };
                    let team = Team {
                        organization_id: &instance.organization_id,
                        slug: &instance.slug,
                    };
                    client.delete_team(&team.id()).await?;
                }
                cx.forget("litellm.team").await
            }
            "webhook.deprovisioned" => self
                .announce(instance, "instance.deprovisioned")
                .await
                .map(|_| ()),
            other => Err(StepError::Permanent(format!("unknown step {other}"))),
        }
    }

    /// The instance's virtual key; a new key's raw value is sealed before the step counts.
    async fn ensure_litellm_key(&self, instance: &InstanceContext) -> Result<Produced, StepError> {
        let config = &self.state.config.provisioning;
        let master = litellm_key(config)?;
        let keyring = Keyring::from_config(&self.state.config.secrets)
            .ok()
            .flatten()
            .ok_or_else(|| {
                StepError::Permanent(
                    "secret storage is not configured, so the LiteLLM key cannot be kept".into(),
                )
            })?;
        let db_err = |_| StepError::transient("the database is unavailable");
        let team_id = repo::resource(self.db(), &instance.instance_id, "litellm.team")
            .await
            .map_err(db_err)?
            .ok_or_else(|| StepError::transient("the LiteLLM team is not recorded yet"))?;
        let have_secret = repo::sealed_secret(self.db(), &instance.instance_id, LITELLM_KEY_SECRET)
            .await
            .map_err(db_err)?
            .is_some();
        let client = LiteLlm {
            http: &self.http,
            config: &config.litellm,
            master_key: &master,
        };
        match client
            .ensure_key(&instance.name, &team_id, have_secret)
            .await?
        {
            KeyOutcome::Adopted(produced) => Ok(produced),
            KeyOutcome::Generated(new) => {
                let binding = Binding {
                    organization_id: &instance.organization_id,
                    request_id: &instance.request_id,
                    purpose: LITELLM_KEY_SECRET,
                };
                let sealed = secrets::seal(self.db(), &keyring, binding, &new.key)
                    .await
                    .map_err(|_| StepError::transient("the LiteLLM key could not be sealed"))?;
                repo::store_secret(
                    self.db(),
                    &instance.instance_id,
                    LITELLM_KEY_SECRET,
                    &sealed,
                )
                .await
                .map_err(db_err)?;
                Ok(Produced::new(&new.token_id))
            }
        }
    }

    /// After the last runnable step: done (all ok or skipped), pending (a retry is
    /// scheduled) or error (a step waits for a person); the instance's phase follows.
    async fn settle(
        &self,
        lease: &Lease,
        instance: &InstanceContext,
        kind: RunKind,
    ) -> Result<(), AppError> {
        let steps = repo::steps(self.db(), &lease.run_id).await?;
        let (status, retry_at, phase) = settlement(&steps);
        if !repo::release(self.db(), lease, status, retry_at).await? {
            return Ok(());
        }
        match (kind, phase) {
            (RunKind::Deprovision, InstancePhase::Ready) => {
                // Everything is removed upstream: so is what was kept for it here.
                repo::finish_teardown(self.db(), instance).await?;
            }
            // A teardown that waits keeps the instance `Deleting`; its steps tell why.
            (RunKind::Deprovision, _) => {}
            (RunKind::Provision | RunKind::Reconcile, phase) => {
                let request = match phase {
                    InstancePhase::Ready => RequestStatus::Active,
                    _ => RequestStatus::Provisioning,
                };
                repo::set_phase(
                    self.db(),
                    instance,
                    phase,
                    request,
                    &[RequestStatus::Approved, RequestStatus::Provisioning],
                )
                .await?;
            }
        }
        self.state.changed(&instance.organization_id);
        Ok(())
    }
}

fn litellm_key(
    config: &crate::config::ProvisioningConfig,
) -> Result<secrecy::SecretString, StepError> {
    config
        .litellm
        .master_key()
        .ok()
        .flatten()
        .ok_or_else(|| StepError::Permanent("the LiteLLM master key is not set".into()))
}

/// The first step of `plan` that may run now: pending (or left running by a worker that
/// lost its lease), or in error with its retry due; and every step it needs is ok or
/// skipped.
pub fn next_runnable(plan: &'static [Step], steps: &[StepRow], now: i64) -> Option<&'static Step> {
    let satisfied = |key: &str| steps.iter().any(|s| s.step == key && s.status.satisfies());
    steps.iter().find_map(|row| {
        let due = match row.status {
            super::StepStatus::Pending | super::StepStatus::Running => true,
            super::StepStatus::Error => row.next_attempt_at.is_some_and(|at| at <= now),
            super::StepStatus::Ok | super::StepStatus::Skipped => false,
        };
        let step = plan.iter().find(|s| s.key == row.step)?;
        (due && step.needs.iter().all(|need| satisfied(need))).then_some(step)
    })
}

/// How a run ends once nothing can run now.
pub fn settlement(steps: &[StepRow]) -> (RunStatus, Option<i64>, InstancePhase) {
    if steps.iter().all(|s| s.status.satisfies()) {
        return (RunStatus::Done, None, InstancePhase::Ready);
    }
    let retry = steps
        .iter()
        .filter(|s| s.status == super::StepStatus::Error)
        .filter_map(|s| s.next_attempt_at)
        .min();
    match retry {
        Some(at) => (RunStatus::Pending, Some(at), InstancePhase::Provisioning),
        None => (RunStatus::Error, None, InstancePhase::Error),
    }
}

/// The delay before attempt `attempts + 1`: the base doubled per attempt, at most an hour,
/// with ±20 % jitter, and never sooner than the upstream asked.
pub fn backoff_ms(base_seconds: u64, attempts: i64, retry_after_secs: Option<u64>) -> i64 {
    let exponent = u32::try_from((attempts - 1).clamp(0, 16)).unwrap_or(16);
    let base = i64::try_from(base_seconds.saturating_mul(1000)).unwrap_or(i64::MAX);
    let delay = base.saturating_mul(1_i64 << exponent).min(3_600_000);
    let mut byte = [0u8; 1];
    let jitter = match getrandom::fill(&mut byte) {
        // -20 % … +20 % in 256 steps.
        Ok(()) => delay / 5 * (i64::from(byte[0]) - 128) / 128,
        Err(_) => 0,
    };
    let asked = retry_after_secs
        .and_then(|s| i64::try_from(s.saturating_mul(1000)).ok())
        .unwrap_or(0);
    (delay + jitter).max(asked)
}

/// The worker loop of a serving process: works due runs, then sleeps until the next one
/// is due, at most `provisioning.poll_seconds`, or until an approval wakes it.
pub async fn run(state: AppState) {
    let engine = match Engine::new(state.clone()) {
        Ok(engine) => engine,
        Err(err) => {
            tracing::error!(%err, "provisioning engine cannot start");
            return;
        }
    };
    let poll = Duration::from_secs(state.config.provisioning.poll_seconds.max(1));
    loop {
        match engine.work_one().await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(err) => tracing::error!(%err, "provisioning run failed"),
        }
        let until_due = repo::next_due(&state.db)
            .await
            .ok()
            .flatten()
            .map(|at| Duration::from_millis(u64::try_from(at - now_ms()).unwrap_or(0)));
        let sleep = until_due.map_or(poll, |d| d.min(poll));
        tokio::select! {
            () = state.engine.notified() => {}
            () = tokio::time::sleep(sleep) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provisioning::{STEPS, StepStatus};

    fn row(step: &str, status: StepStatus, next: Option<i64>) -> StepRow {
        StepRow {
            step: step.into(),
            status,
            attempts: 0,
            last_error: None,
            next_attempt_at: next,
            started_at: None,
            finished_at: None,
        }
    }

    #[test]
    fn a_failing_step_blocks_only_what_needs_it() {
        let steps = [
            row("webhook.approved", StepStatus::Ok, None),
            row("litellm.team", StepStatus::Error, Some(100)),
            row("litellm.key", StepStatus::Pending, None),
            row("webhook.provisioned", StepStatus::Pending, None),
        ];
        assert_eq!(next_runnable(STEPS, &steps, 50), None);
        assert_eq!(
            next_runnable(STEPS, &steps, 100).map(|s| s.key),
            Some("litellm.team")
        );
        assert_eq!(
            settlement(&steps),
            (RunStatus::Pending, Some(100), InstancePhase::Provisioning)
        );
        let waiting = [
            row("webhook.approved", StepStatus::Error, None),
            row("litellm.team", StepStatus::Skipped, None),
            row("litellm.key", StepStatus::Skipped, None),
            row("webhook.provisioned", StepStatus::Skipped, None),
        ];
        assert_eq!(next_runnable(STEPS, &waiting, i64::MAX), None);
        assert_eq!(
            settlement(&waiting),
            (RunStatus::Error, None, InstancePhase::Error)
        );
        let done = [
            row("webhook.approved", StepStatus::Skipped, None),
            row("litellm.team", StepStatus::Ok, None),
        ];
        assert_eq!(
            settlement(&done),
            (RunStatus::Done, None, InstancePhase::Ready)
        );
    }

    #[test]
    fn backoff_doubles_with_jitter_and_honours_retry_after() {
        for _ in 0..50 {
            let first = backoff_ms(5, 1, None);
            assert!((4_000..=6_000).contains(&first), "{first}");
            let third = backoff_ms(5, 3, None);
            assert!((16_000..=24_000).contains(&third), "{third}");
            assert!(backoff_ms(5, 40, None) <= 3_600_000 * 6 / 5);
            assert!(backoff_ms(1, 1, Some(120)) >= 120_000);
        }
    }
}
