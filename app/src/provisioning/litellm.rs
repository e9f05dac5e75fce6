//! The LiteLLM driver (SPEC §5, DRIVERS.md §1): one team per organization
//! (`team_id` = `tenantry-<organization id>`, budget from configuration) and one virtual key
//! per instance (`key_alias` = the instance name). The raw key is returned once by the
//! proxy; the engine seals it before it records the step, and a key whose raw value was
//! lost (a crash in between) is deleted and generated again, never duplicated.
//!
//! The proxy answers 200 for creates, 400 for a taken team id or key alias, 404 for
//! missing ones, with bodies whose shape varies by route: only status codes are relied on.

use super::{Produced, StepError, retry_after};
use crate::config::LiteLlmConfig;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

const SYSTEM: &str = "LiteLLM";

/// A client of one proxy with its master key.
pub struct LiteLlm<'a> {
    pub http: &'a reqwest::Client,
    pub config: &'a LiteLlmConfig,
    pub master_key: &'a SecretString,
}

/// The organization a team is for.
#[derive(Debug, Clone, Copy)]
pub struct Team<'a> {
    pub organization_id: &'a str,
    pub slug: &'a str,
}

impl Team<'_> {
    /// The deterministic team id.
    pub fn id(&self) -> String {
        format!("tenantry-{}", self.organization_id)
    }
}

/// A key the proxy generated: its stable id (SHA-256 of the key) and the raw value.
pub struct NewKey {
    pub token_id: String,
    pub key: SecretString,
}

impl std::fmt::Debug for NewKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewKey")
            .field("token_id", &self.token_id)
            .field("key", &"[redacted]")
            .finish()
    }
}

/// What [`LiteLlm::ensure_key`] found or made.
#[derive(Debug)]
pub enum KeyOutcome {
    /// The key exists and its raw value is already sealed here: adopted.
    Adopted(Produced),
    /// A new key: seal `key` before recording the step.
    Generated(NewKey),
}

#[derive(Deserialize)]
struct KeyList {
    #[serde(default)]
    keys: Vec<KeyRow>,
}

#[derive(Deserialize)]
struct KeyRow {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    team_id: Option<String>,
}

#[derive(Deserialize)]
struct Generated {
    key: String,
    #[serde(default)]
    token_id: Option<String>,
    #[serde(default)]
    token: Option<String>,
}

impl LiteLlm<'_> {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.config.url.trim_end_matches('/'))
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<reqwest::Response, StepError> {
        request
            .bearer_auth(self.master_key.expose_secret())
            .send()
            .await
            .map_err(|e| StepError::from_transport(SYSTEM, &e))
    }

    fn failed(response: &reqwest::Response) -> StepError {
        StepError::from_status(SYSTEM, response.status().as_u16(), retry_after(response))
    }

    /// Whether the proxy answers its liveness probe.
    pub async fn health(&self) -> Result<(), StepError> {
        let response = self
            .send(self.http.get(self.url("/health/liveliness")))
            .await?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(Self::failed(&response))
        }
    }

    /// The organization's team: adopted when it exists, else created (a create that loses
    /// a race with another worker finds the team on the next look).
    pub async fn ensure_team(&self, team: Team<'_>) -> Result<Produced, StepError> {
        let id = team.id();
        for _ in 0..2 {
            let info = self
                .send(
                    self.http
                        .get(self.url("/team/info"))
                        .query(&[("team_id", &id)]),
                )
                .await?;
            match info.status().as_u16() {
                200 => return Ok(Produced::new(&id)),
                404 => {}
                _ => return Err(Self::failed(&info)),
            }
            let mut body = serde_json::json!({
                "team_id": id,
                "team_alias": team.slug,
                "max_budget": self.config.team_max_budget,
                "budget_duration": self.config.team_budget_duration,
                "metadata": { "tenantry_organization_id": team.organization_id },
            });
            if !self.config.models.is_empty() {
                body["models"] = serde_json::json!(self.config.models);
            }
            let created = self
                .send(self.http.post(self.url("/team/new")).json(&body))
                .await?;
            match created.status().as_u16() {
                200 | 201 => return Ok(Produced::new(&id)),
                // "Team id = … already exists": someone made it meanwhile; look again.
                400 => continue,
                _ => return Err(Self::failed(&created)),
            }
        }
        Err(StepError::transient(
            "LiteLLM refused to create the team and does not show it",
        ))
    }

    /// The instance's key in `team`: adopted when it exists and its raw value is sealed
    /// here (`have_secret`), else generated — after deleting a key of that alias whose raw
    /// value was lost. A key of that alias in another team is not ours: permanent error.
    pub async fn ensure_key(
        &self,
        alias: &str,
        team_id: &str,
        have_secret: bool,
    ) -> Result<KeyOutcome, StepError> {
        for _ in 0..2 {
            let listed = self
                .send(
                    self.http
                        .get(self.url("/key/list"))
                        .query(&[("key_alias", alias), ("return_full_object", "true")]),
                )
                .await?;
            if !listed.status().is_success() {
                return Err(Self::failed(&listed));
            }
            let list: KeyList = listed
                .json()
                .await
                .map_err(|_| StepError::transient("LiteLLM sent a key list we cannot read"))?;
            if let Some(found) = list.keys.first() {
                if found.team_id.as_deref() != Some(team_id) {
                    return Err(StepError::Permanent(format!(
                        "a LiteLLM key named {alias} belongs to another team"
                    )));
                }
                match (&found.token, have_secret) {
                    (Some(token), true) => {
                        return Ok(KeyOutcome::Adopted(Produced::new(token)));
                    }
                    // Created, but its raw value never reached us: replace it.
                    _ => self.delete_key(alias).await?,
                }
            }
            let mut body = serde_json::json!({
                "key_alias": alias,
                "team_id": team_id,
                "metadata": { "tenantry_instance": alias },
            });
            if !self.config.models.is_empty() {
                body["models"] = serde_json::json!(self.config.models);
            }
            let generated = self
                .send(self.http.post(self.url("/key/generate")).json(&body))
                .await?;
            match generated.status().as_u16() {
                200 | 201 => {
                    let key: Generated = generated.json().await.map_err(|_| {
                        StepError::transient("LiteLLM sent a generated key we cannot read")
                    })?;
                    let token_id = key
                        .token_id
                        .or(key.token)
                        .ok_or_else(|| StepError::transient("LiteLLM sent a key without its id"))?;
                    return Ok(KeyOutcome::Generated(NewKey {
                        token_id,
                        key: SecretString::from(key.key),
                    }));
                }
                // The alias was taken meanwhile: look again.
                400 => continue,
                _ => return Err(Self::failed(&generated)),
            }
        }
        Err(StepError::transient(
            "LiteLLM refused to create the key and does not show it",
        ))
    }

    /// Deletes the team, and with it any key still in it; a team already gone counts as
    /// deleted (the proxy answers 404).
    pub async fn delete_team(&self, team_id: &str) -> Result<(), StepError> {
        let response = self
            .send(
                self.http
                    .post(self.url("/team/delete"))
                    .json(&serde_json::json!({ "team_ids": [team_id] })),
            )
            .await?;
        match response.status().as_u16() {
            200 | 404 => Ok(()),
            _ => Err(Self::failed(&response)),
        }
    }

    /// Deletes the key named `alias`; a key already gone counts as deleted.
    pub async fn delete_key(&self, alias: &str) -> Result<(), StepError> {
        let response = self
            .send(
                self.http
                    .post(self.url("/key/delete"))
                    .json(&serde_json::json!({ "key_aliases": [alias] })),
            )
            .await?;
        match response.status().as_u16() {
            200 | 404 => Ok(()),
            _ => Err(Self::failed(&response)),
        }
    }

    /// The usage of the key named `alias` between `start` and `end` (`YYYY-MM-DD HH:MM:SS`,
    /// UTC), summed over the rows of `/spend/logs/v2`. Pages are read until one comes back
    /// empty or short (the total is capped at 10,000 rows since v1.93.0, so `total_pages`
    /// cannot be trusted), at most [`MAX_SPEND_PAGES`] of them. Rows that name another
    /// alias are ignored, for proxies that do not filter by it.
    pub async fn spend(&self, alias: &str, start: &str, end: &str) -> Result<Spend, StepError> {
        let mut total = Spend::default();
        for page in 1..=MAX_SPEND_PAGES {
            let page = page.to_string();
            let page_size = SPEND_PAGE_SIZE.to_string();
            let response = self
                .send(self.http.get(self.url("/spend/logs/v2")).query(&[
                    ("key_alias", alias),
                    ("start_date", start),
                    ("end_date", end),
                    ("page", page.as_str()),
                    ("page_size", page_size.as_str()),
                ]))
                .await?;
            if !response.status().is_success() {
                return Err(Self::failed(&response));
            }
            let logs: SpendLogs = response.json().await.map_err(|_| {
                StepError::transient("LiteLLM answered spend logs that are not JSON")
            })?;
            let rows = logs.data.len();
            for row in logs.data.into_iter().filter(|row| row.is_for(alias)) {
                total.add(&row);
            }
            if rows < SPEND_PAGE_SIZE {
                return Ok(total);
            }
        }
        Ok(total)
    }
}

/// Rows asked for per page of spend logs (LiteLLM's maximum).
const SPEND_PAGE_SIZE: usize = 1000;
/// Pages read at most for one usage answer (100,000 requests); a longer month is summed
/// over its first pages only.
pub const MAX_SPEND_PAGES: usize = 100;

/// Spend, tokens and requests summed over spend-log rows.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Spend {
    pub spend_usd: f64,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub total_tokens: u64,
    pub requests: u64,
}

impl Spend {
    fn add(&mut self, row: &SpendRow) {
        self.spend_usd += row
            .spend
            .filter(|s| s.is_finite() && *s >= 0.0)
            .unwrap_or(0.0);
        self.prompt_tokens = self
            .prompt_tokens
            .saturating_add(row.prompt_tokens.unwrap_or(0));
        self.completion_tokens = self
            .completion_tokens
            .saturating_add(row.completion_tokens.unwrap_or(0));
        self.total_tokens = self
            .total_tokens
            .saturating_add(row.total_tokens.unwrap_or(0));
        self.requests = self.requests.saturating_add(1);
    }
}

#[derive(Deserialize)]
struct SpendLogs {
    #[serde(default)]
    data: Vec<SpendRow>,
}

#[derive(Deserialize)]
struct SpendRow {
    #[serde(default)]
    spend: Option<f64>,
    #[serde(default)]
    prompt_tokens: Option<u64>,
    #[serde(default)]
    completion_tokens: Option<u64>,
    #[serde(default)]
    total_tokens: Option<u64>,
    /// Newer proxies name the alias at the top of a row, older ones in the metadata.
    #[serde(default)]
    key_alias: Option<String>,
    #[serde(default)]
    metadata: Option<SpendMetadata>,
}

#[derive(Deserialize)]
struct SpendMetadata {
    #[serde(default)]
    user_api_key_alias: Option<String>,
}

impl SpendRow {
    /// Whether the row is for `alias` (a row that names none is taken as the proxy's
    /// filtered answer).
    fn is_for(&self, alias: &str) -> bool {
        let named = self.key_alias.as_deref().or(self
            .metadata
            .as_ref()
            .and_then(|m| m.user_api_key_alias.as_deref()));
        named.is_none_or(|named| named == alias)
    }
}
