//! The provisioning engine (SPEC §3.6): approving a request queues a run that makes the
//! instance real in external systems, step by step, durably.
//!
//! - A run and its steps live in the database ([`repo`]); a worker ([`engine`]) holds a run
//!   by a lease it renews while working, and any process takes over an expired lease.
//! - Steps are declared once ([`STEPS`]) with the driver that runs them and the steps they
//!   need. A failing step is recorded and retried with backoff; steps that do not need it
//!   still run. A disabled driver's steps are `skipped`.
//! - Every step is an idempotent *ensure*: look the resource up by its stored id or its
//!   deterministic name, create it only when missing, record the id. A crash between
//!   "created upstream" and "recorded here" ends in adoption on the next attempt.
//! - A deprovision run works through [`TEARDOWN`]: what was provisioned is removed in
//!   reverse order, and what is already gone counts as removed.
//! - Drivers: [`litellm`] (a team per organization, a virtual key per instance),
//!   [`gitea`] (a private organization, its owners), [`coolify`] (a project per
//!   organization, a service per instance), [`openbao`] (the package secrets in KV v2),
//!   [`authentik`] (a group per organization with its members), [`kubernetes`] (a custom
//!   resource per instance, its phase read back) and [`webhook`] (signed Standard Webhooks
//!   events). [`upstream`] is what the HTTP drivers share.

pub mod authentik;
pub mod coolify;
pub mod engine;
pub mod gitea;
pub mod health;
pub mod kubernetes;
pub mod litellm;
pub mod openbao;
pub mod repo;
pub mod upstream;
pub mod webhook;

pub use crate::instances::status::StepStatus;

crate::text_enum! {
    /// What a run does.
    pub enum RunKind {
        Provision = "provision",
        Reconcile = "reconcile",
        Deprovision = "deprovision",
    }
}

crate::text_enum! {
    /// Where a run stands.
    pub enum RunStatus {
        Pending = "pending",
        Running = "running",
        Done = "done",
        Error = "error",
    }
}

/// The driver that runs a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Driver {
    LiteLlm,
    Gitea,
    Coolify,
    OpenBao,
    Authentik,
    Kubernetes,
    Webhook,
}

impl Driver {
    /// Every driver, in the order the platform overview lists them.
    pub const ALL: [Driver; 7] = [
        Driver::LiteLlm,
        Driver::Gitea,
        Driver::Coolify,
        Driver::OpenBao,
        Driver::Authentik,
        Driver::Kubernetes,
        Driver::Webhook,
    ];

    /// Its name in configuration, health reports and step keys.
    pub fn name(self) -> &'static str {
        match self {
            Driver::LiteLlm => "litellm",
            Driver::Gitea => "gitea",
            Driver::Coolify => "coolify",
            Driver::OpenBao => "openbao",
            Driver::Authentik => "authentik",
            Driver::Kubernetes => "kubernetes",
            Driver::Webhook => "webhook",
        }
    }

    pub fn enabled(self, config: &crate::config::ProvisioningConfig) -> bool {
        match self {
            Driver::LiteLlm => config.litellm.enabled,
            Driver::Gitea => config.gitea.enabled,
            Driver::Coolify => config.coolify.enabled,
            Driver::OpenBao => config.openbao.enabled,
            Driver::Authentik => config.authentik.enabled,
            Driver::Kubernetes => config.kubernetes.enabled,
            Driver::Webhook => config.webhook.enabled,
        }
    }
}

/// One step of a provisioning run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// Stored in `provisioning_steps.step`; also the key of what it produced.
    pub key: &'static str,
    pub driver: Driver,
    /// Steps that must be `ok` or `skipped` before this one runs.
    pub needs: &'static [&'static str],
}

/// Every step of a provisioning run, in the order they are shown and tried.
pub const STEPS: &[Step] = &[
    step("webhook.approved", Driver::Webhook, &[]),
    step("litellm.team", Driver::LiteLlm, &[]),
    step("litellm.key", Driver::LiteLlm, &["litellm.team"]),
    step("gitea.org", Driver::Gitea, &[]),
    step("gitea.owners", Driver::Gitea, &["gitea.org"]),
    step("coolify.project", Driver::Coolify, &[]),
    step("coolify.service", Driver::Coolify, &["coolify.project"]),
    step("openbao.secrets", Driver::OpenBao, &[]),
    step("authentik.group", Driver::Authentik, &[]),
    step("authentik.members", Driver::Authentik, &["authentik.group"]),
    // The resource points at the secrets and the key it runs with.
    step(
        "kubernetes.resource",
        Driver::Kubernetes,
        &["litellm.key", "openbao.secrets"],
    ),
    step(
        "webhook.provisioned",
        Driver::Webhook,
        &[
            "litellm.key",
            "gitea.owners",
            "coolify.service",
            "authentik.members",
            "kubernetes.resource",
        ],
    ),
];

/// The steps of a deprovision run: the provisioned resources removed in reverse order,
/// each a teardown that counts what is already gone as done, then the announcement.
pub const TEARDOWN: &[Step] = &[
    step("kubernetes.resource.remove", Driver::Kubernetes, &[]),
    step("authentik.group.remove", Driver::Authentik, &[]),
    step("openbao.secrets.remove", Driver::OpenBao, &[]),
    step("coolify.service.remove", Driver::Coolify, &[]),
    step(
        "coolify.project.remove",
        Driver::Coolify,
        &["coolify.service.remove"],
    ),
    step("gitea.org.remove", Driver::Gitea, &[]),
    step("litellm.key.remove", Driver::LiteLlm, &[]),
    step(
        "litellm.team.remove",
        Driver::LiteLlm,
        &["litellm.key.remove"],
    ),
    step(
        "webhook.deprovisioned",
        Driver::Webhook,
        &[
            "kubernetes.resource.remove",
            "authentik.group.remove",
            "openbao.secrets.remove",
            "coolify.project.remove",
            "gitea.org.remove",
            "litellm.team.remove",
        ],
    ),
];

const fn step(key: &'static str, driver: Driver, needs: &'static [&'static str]) -> Step {
    Step { key, driver, needs }
}

/// The steps a run of `kind` works through.
pub fn plan(kind: RunKind) -> &'static [Step] {
    match kind {
        RunKind::Provision | RunKind::Reconcile => STEPS,
        RunKind::Deprovision => TEARDOWN,
    }
}

/// The step named `key` in any plan.
pub fn find_step(key: &str) -> Option<&'static Step> {
    STEPS.iter().chain(TEARDOWN).find(|s| s.key == key)
}

/// Why a step failed: retrying may help (`Transient`) or cannot (`Permanent`, e.g. a
/// rejected token or a name owned by someone else). The message is ours: never a secret,
/// never an upstream body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    #[error("{message}")]
    Transient {
        message: String,
        /// The upstream asked to wait at least this long (`Retry-After`).
        retry_after_secs: Option<u64>,
    },
    #[error("{0}")]
    Permanent(String),
}

impl StepError {
    pub fn transient(message: impl Into<String>) -> Self {
        StepError::Transient {
            message: message.into(),
            retry_after_secs: None,
        }
    }

    /// The error for an upstream HTTP answer that was not a success: 408, 429 and 5xx
    /// are worth retrying, other 4xx are not.
    pub fn from_status(system: &str, status: u16, retry_after_secs: Option<u64>) -> Self {
        let message = format!("{system} answered HTTP {status}");
        match status {
            408 | 425 | 429 | 500..=599 => StepError::Transient {
                message,
                retry_after_secs,
            },
            401 | 403 => StepError::Permanent(format!(
                "{system} refused the credentials (HTTP {status}); check its token"
            )),
            _ => StepError::Permanent(message),
        }
    }

    /// The error for a request that got no answer (refused, timed out, reset).
    pub fn from_transport(system: &str, err: &reqwest::Error) -> Self {
        let what = if err.is_timeout() {
            "did not answer in time"
        } else if err.is_connect() {
            "could not be reached"
        } else {
            "broke off the exchange"
        };
        StepError::transient(format!("{system} {what}"))
    }
}

/// What an ensure produced: the upstream id, recorded so later runs find it, and for a
/// cluster resource the phase the cluster reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Produced {
    pub external_id: String,
    pub phase: Option<String>,
}

impl Produced {
    pub fn new(external_id: &str) -> Produced {
        Produced {
            external_id: external_id.to_owned(),
            phase: None,
        }
    }

    pub fn with_phase(external_id: &str, phase: Option<String>) -> Produced {
        Produced {
            external_id: external_id.to_owned(),
            phase,
        }
    }
}

/// What an ensure came to: a resource, or nothing to do (the step counts as skipped,
/// e.g. no owner has a Gitea account).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Made {
    Resource(Produced),
    Nothing,
}

/// What a driver's step works with: the database, the HTTP client, the configuration and
/// the instance, and the instance's (and its organization's) recorded resources.
pub struct Cx<'a> {
    pub db: &'a crate::db::Db,
    pub http: &'a reqwest::Client,
    pub config: &'a crate::config::ProvisioningConfig,
    pub secrets: &'a crate::config::SecretsConfig,
    pub instance: &'a repo::InstanceContext,
}

fn unavailable(_: sqlx::Error) -> StepError {
    StepError::transient("the database is unavailable")
}

impl Cx<'_> {
    /// The external id `step` recorded for this instance.
    pub async fn resource(&self, step: &str) -> Result<Option<String>, StepError> {
        repo::resource(self.db, &self.instance.instance_id, step)
            .await
            .map_err(unavailable)
    }

    /// The external id `step` recorded for this instance or, failing that, for another
    /// instance of the organization (resources one per organization).
    pub async fn org_resource(&self, step: &str) -> Result<Option<String>, StepError> {
        repo::org_resource(self.db, self.instance, step)
            .await
            .map_err(unavailable)
    }

    /// The email addresses of the organization's members (only its owners if asked).
    pub async fn member_emails(&self, owners_only: bool) -> Result<Vec<String>, StepError> {
        repo::member_emails(self.db, &self.instance.organization_id, owners_only)
            .await
            .map_err(unavailable)
    }

    /// Whether another live instance of the organization still needs its shared resources.
    pub async fn shared(&self) -> Result<bool, StepError> {
        repo::other_live_instances(
            self.db,
            &self.instance.organization_id,
            &self.instance.instance_id,
        )
        .await
        .map(|n| n > 0)
        .map_err(unavailable)
    }

    /// Forgets what `step` recorded for this instance (it was removed upstream).
    pub async fn forget(&self, step: &str) -> Result<(), StepError> {
        repo::forget(self.db, &self.instance.instance_id, step)
            .await
            .map_err(unavailable)
    }

    /// The deadline of one upstream request.
    pub fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.config.request_timeout_seconds)
    }
}

/// The `Retry-After` of a response, in seconds (the delta form).
pub fn retry_after(response: &reqwest::Response) -> Option<u64> {
    response
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_need_is_an_earlier_step_of_the_same_plan() {
        for plan in [STEPS, TEARDOWN] {
            for (i, step) in plan.iter().enumerate() {
                for need in step.needs {
                    let at = plan.iter().position(|s| s.key == *need);
                    assert!(at.is_some_and(|at| at < i), "{} needs {need}", step.key);
                }
            }
        }
        let mut keys: Vec<_> = STEPS.iter().chain(TEARDOWN).map(|s| s.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(
            keys.len(),
            STEPS.len() + TEARDOWN.len(),
            "step keys are unique"
        );
    }

    #[test]
    fn statuses_sort_into_retryable_and_permanent() {
        for status in [408, 429, 500, 502, 503, 504] {
            assert!(matches!(
                StepError::from_status("X", status, None),
                StepError::Transient { .. }
            ));
        }
        for status in [400, 401, 403, 404, 409, 410, 422] {
            assert!(matches!(
                StepError::from_status("X", status, None),
                StepError::Permanent(_)
            ));
        }
    }
}
