//! The usage of an instance this month (SPEC §3.9, §3.10): spend, tokens and requests of its
//! LiteLLM key, read from the proxy's spend logs by the key's alias (the instance name).
//! The REST route and the MCP tool `get_usage` both answer with [`usage`].

use crate::{auth::caller::Caller, error::AppError, provisioning::litellm};
use serde::{Deserialize, Serialize};

/// Month-to-date usage of one instance.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    pub instance_id: String,
    /// The first moment counted, `YYYY-MM-DD HH:MM:SS` UTC (the 1st of this month, 00:00).
    pub period_start: String,
    /// The last moment counted (now), in the same form.
    pub period_end: String,
    /// Spend in US dollars, as LiteLLM prices it.
    pub spend_usd: f64,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub total_tokens: u64,
    pub requests: u64,
}

/// The month-to-date usage of the organization's instance `id`, for any member (and a key
/// with the `read` scope). Another organization's instance is `NotFound`; with the LiteLLM
/// driver off it is `UsageNotConfigured`; a proxy that cannot answer is `UsageUnavailable`.
pub async fn usage(caller: &Caller, slug: &str, id: &str) -> Result<Usage, AppError> {
    let access = caller.org(slug).await?;
    let record = crate::instances::repo::instance(caller.db(), &access, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let config = &caller.state.config.provisioning;
    if !config.litellm.enabled {
        return Err(AppError::UsageNotConfigured);
    }
    let master_key = config
        .litellm
        .master_key()
        .ok()
        .flatten()
        .ok_or(AppError::UsageNotConfigured)?;
    let timeout = std::time::Duration::from_secs(config.request_timeout_seconds.max(1));
    let http = reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| AppError::internal("usage client", e))?;
    let now = crate::db::now_ms();
    let (period_start, period_end) = month_to_date(now);
    let client = litellm::LiteLlm {
        http: &http,
        config: &config.litellm,
        master_key: &master_key,
    };
    let spend = client
        .spend(&record.name, &period_start, &period_end)
        .await
        .map_err(|err| {
            tracing::warn!(instance = %record.id, %err, "usage could not be read");
            AppError::UsageUnavailable
        })?;
    Ok(Usage {
        instance_id: record.id,
        period_start,
        period_end,
        spend_usd: spend.spend_usd,
        prompt_tokens: spend.prompt_tokens,
        completion_tokens: spend.completion_tokens,
        total_tokens: spend.total_tokens,
        requests: spend.requests,
    })
}

/// The 1st of the month of `now_ms` at 00:00:00 and `now_ms`, as LiteLLM's date filters
/// take them.
fn month_to_date(now_ms: i64) -> (String, String) {
    let today = crate::components::format::date(now_ms);
    let month = today.get(..8).unwrap_or("1970-01-");
    (
        format!("{month}01 00:00:00"),
        crate::components::format::date_time(now_ms),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_month_starts_on_the_first_at_midnight() {
        // 2026-12-02 13:04:05 UTC.
        let now = 1_796_216_645_000;
        assert_eq!(
            super::month_to_date(now),
            (
                "2026-12-01 00:00:00".to_owned(),
                "2026-12-02 13:04:05".to_owned()
            )
        );
    }
}
