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
//! - Drivers: [`litellm`] (a team per organization, a virtual key per instance) and
//!   [`webhook`] (signed Standard Webhooks events).

pub mod engine;
pub mod litellm;
pub mod repo;
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
    Webhook,
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
    Step {
        key: "webhook.approved",
        driver: Driver::Webhook,
        needs: &[],
    },
    Step {
        key: "litellm.team",
        driver: Driver::LiteLlm,
        needs: &[],
    },
    Step {
        key: "litellm.key",
        driver: Driver::LiteLlm,
        needs: &["litellm.team"],
    },
    Step {
        key: "webhook.provisioned",
        driver: Driver::Webhook,
        needs: &["litellm.key"],
    },
];

/// The steps of a deprovision run: the provisioned resources removed in reverse order,
/// each a teardown that counts what is already gone as done, then the announcement.
pub const TEARDOWN: &[Step] = &[
    Step {
        key: "litellm.key.remove",
        driver: Driver::LiteLlm,
        needs: &[],
    },
    Step {
        key: "litellm.team.remove",
        driver: Driver::LiteLlm,
        needs: &["litellm.key.remove"],
    },
    Step {
        key: "webhook.deprovisioned",
        driver: Driver::Webhook,
        needs: &["litellm.team.remove"],
    },
];

/// The steps a run of `kind` works through.
pub fn plan(kind: RunKind) -> &'static [Step] {
    match kind {
        RunKind::Provision | RunKind::Reconcile => STEPS,
        RunKind::Deprovision => TEARDOWN,
    }
}

/// The step named `key` in any plan.
pub fn step(key: &str) -> Option<&'static Step> {
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

/// What an ensure produced: the upstream id, recorded so later runs find it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Produced {
    pub external_id: String,
}

/// One driver's health, as the operations endpoint `/drivers` reports it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DriverHealth {
    pub driver: &'static str,
    pub enabled: bool,
    pub healthy: bool,
    /// Why not, in our words (never a credential).
    pub problem: Option<String>,
}

/// Checks each driver: LiteLLM answers its liveness probe with the configured URL and
/// master key; the webhook's secret is present and well formed (probing the endpoint would
/// send it an event). A disabled driver is healthy.
pub async fn health(config: &crate::config::ProvisioningConfig) -> Vec<DriverHealth> {
    let litellm = if config.litellm.enabled {
        let timeout = std::time::Duration::from_secs(config.request_timeout_seconds.min(10));
        let checked = match (
            config.litellm.master_key(),
            reqwest::Client::builder().timeout(timeout).build(),
        ) {
            (Ok(Some(master_key)), Ok(http)) => {
                let client = litellm::LiteLlm {
                    http: &http,
                    config: &config.litellm,
                    master_key: &master_key,
                };
                client.health().await.map_err(|e| e.to_string())
            }
            (Ok(None) | Err(_), _) => Err("the master key is not readable".to_owned()),
            (_, Err(_)) => Err("no HTTP client".to_owned()),
        };
        checked.err()
    } else {
        None
    };
    let webhook = if config.webhook.enabled {
        match config.webhook.secret() {
            Ok(Some(secret)) if webhook::key(&secret).is_some() => None,
            _ => Some("the signing secret is missing or malformed".to_owned()),
        }
    } else {
        None
    };
    vec![
        DriverHealth {
            driver: "litellm",
            enabled: config.litellm.enabled,
            healthy: litellm.is_none(),
            problem: litellm,
        },
        DriverHealth {
            driver: "webhook",
            enabled: config.webhook.enabled,
            healthy: webhook.is_none(),
            problem: webhook,
        },
    ]
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
