//! The integrations' health: each enabled driver's own check (its URL answers, its token
//! is accepted, what it needs exists), timed. The operations endpoint `/drivers` checks on
//! request; the platform overview reads the [`Board`] a background loop keeps, so no page
//! waits for an upstream.

use super::{Driver, StepError, authentik, coolify, gitea, kubernetes, litellm, openbao, webhook};
use crate::{config::ProvisioningConfig, db::now_ms};
use std::{
    sync::RwLock,
    time::{Duration, Instant},
};

/// One driver's health at one check.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DriverHealth {
    pub driver: &'static str,
    pub enabled: bool,
    pub healthy: bool,
    /// Why not, in our words (never a credential, never an upstream body).
    pub problem: Option<String>,
    /// How long the check took; none for a disabled driver.
    pub latency_ms: Option<u64>,
    /// When it was checked (ms since the epoch).
    pub checked_at: i64,
}

/// Checks every driver at once; a disabled one is healthy and not contacted.
pub async fn check(config: &ProvisioningConfig) -> Vec<DriverHealth> {
    let timeout = Duration::from_secs(config.request_timeout_seconds.clamp(1, 10));
    let http = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build();
    let one = |driver: Driver| {
        let http = http.as_ref().ok();
        async move {
            if !driver.enabled(config) {
                return DriverHealth {
                    driver: driver.name(),
                    enabled: false,
                    healthy: true,
                    problem: None,
                    latency_ms: None,
                    checked_at: now_ms(),
                };
            }
            let started = Instant::now();
            let outcome = match http {
                Some(http) => probe(driver, config, http, timeout).await,
                None => Err("no HTTP client".to_owned()),
            };
            DriverHealth {
                driver: driver.name(),
                enabled: true,
                healthy: outcome.is_ok(),
                problem: outcome.err(),
                latency_ms: Some(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)),
                checked_at: now_ms(),
            }
        }
    };
    let [a, b, c, d, e, f, g] = Driver::ALL;
    let (a, b, c, d, e, f, g) =
        tokio::join!(one(a), one(b), one(c), one(d), one(e), one(f), one(g));
    vec![a, b, c, d, e, f, g]
}

async fn probe(
    driver: Driver,
    config: &ProvisioningConfig,
    http: &reqwest::Client,
    timeout: Duration,
) -> Result<(), String> {
    let said = |e: StepError| e.to_string();
    match driver {
        Driver::LiteLlm => {
            let master_key = config
                .litellm
                .master_key()
                .ok()
                .flatten()
                .ok_or("the master key is not readable")?;
            litellm::LiteLlm {
                http,
                config: &config.litellm,
                master_key: &master_key,
            }
            .health()
            .await
            .map_err(said)
        }
        Driver::Gitea => gitea::health(&gitea::client(http, &config.gitea).map_err(said)?)
            .await
            .map_err(said),
        Driver::Coolify => coolify::health(&coolify::client(http, &config.coolify).map_err(said)?)
            .await
            .map_err(said),
        Driver::OpenBao => openbao::health(&openbao::client(http, &config.openbao).map_err(said)?)
            .await
            .map_err(said),
        Driver::Authentik => {
            authentik::health(&authentik::client(http, &config.authentik).map_err(said)?)
                .await
                .map_err(said)
        }
        Driver::Kubernetes => kubernetes::Kube::new(&config.kubernetes, timeout)
            .map_err(said)?
            .health()
            .await
            .map_err(said),
        // Probing the endpoint would send it an event: the secret is checked instead.
        Driver::Webhook => match config.webhook.secret() {
            Ok(Some(secret)) if webhook::key(&secret).is_some() => Ok(()),
            _ => Err("the signing secret is missing or malformed".to_owned()),
        },
    }
}

/// The last check of every enabled driver, as the background loop left it.
#[derive(Debug, Default)]
pub struct Board {
    last: RwLock<Vec<DriverHealth>>,
}

impl Board {
    /// The enabled drivers at their last check; empty before the first.
    pub fn snapshot(&self) -> Vec<DriverHealth> {
        self.last
            .read()
            .map(|last| last.iter().filter(|d| d.enabled).cloned().collect())
            .unwrap_or_default()
    }

    fn store(&self, checked: Vec<DriverHealth>) {
        if let Ok(mut last) = self.last.write() {
            *last = checked;
        }
    }
}

/// Checks the integrations every `provisioning.health_check_seconds` and keeps the result
/// on the board; a change of health is logged once, not every round. While the cluster is
/// healthy, the phase it reports for each live instance is read back too, so the instance
/// shows what the cluster says after its controller has acted.
pub async fn monitor(state: crate::state::AppState) {
    let config = state.config.clone();
    let every = Duration::from_secs(config.provisioning.health_check_seconds.max(1));
    loop {
        let checked = check(&config.provisioning).await;
        let before = state.integrations.snapshot();
        for now in checked.iter().filter(|d| d.enabled) {
            let was = before
                .iter()
                .find(|b| b.driver == now.driver)
                .map(|b| b.healthy);
            if was != Some(now.healthy) {
                match &now.problem {
                    Some(problem) => {
                        tracing::warn!(driver = now.driver, problem, "integration unhealthy");
                    }
                    None => tracing::info!(driver = now.driver, "integration healthy"),
                }
            }
        }
        let cluster_ok = checked
            .iter()
            .any(|d| d.driver == Driver::Kubernetes.name() && d.enabled && d.healthy);
        state.integrations.store(checked);
        if cluster_ok {
            kubernetes::refresh_phases(&state).await;
        }
        tokio::time::sleep(every).await;
    }
}
