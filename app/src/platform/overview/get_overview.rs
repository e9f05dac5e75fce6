use super::Overview;
use crate::error::AppError;
use leptos::prelude::*;

/// The platform overview; platform staff only.
#[server(prefix = "/fn", endpoint = "platform/overview")]
pub async fn get_overview() -> Result<Overview, AppError> {
    use super::Integration;
    use crate::{auth::caller::Caller, provisioning::Driver};
    let caller = Caller::current()?;
    caller.staff()?;
    let db = caller.db();
    let phases: Vec<(String, i64)> = sqlx::query_as(
        "SELECT phase, COUNT(*) FROM instances WHERE phase <> 'Deleted' GROUP BY phase ORDER BY phase",
    )
    .fetch_all(db.pool())
    .await?;
    let pending_requests: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM instance_requests WHERE status = 'pending'")
            .fetch_one(db.pool())
            .await?;
    let config = &caller.state.config.provisioning;
    let checked = caller.state.integrations.snapshot();
    let integrations = Driver::ALL
        .iter()
        .filter(|d| d.enabled(config))
        .map(|d| match checked.iter().find(|c| c.driver == d.name()) {
            Some(c) => Integration {
                driver: c.driver.to_owned(),
                checked_at: Some(c.checked_at),
                healthy: c.healthy,
                latency_ms: c.latency_ms,
                problem: c.problem.clone(),
            },
            None => Integration {
                driver: d.name().to_owned(),
                checked_at: None,
                healthy: false,
                latency_ms: None,
                problem: None,
            },
        })
        .collect();
    Ok(Overview {
        phases,
        pending_requests,
        integrations,
    })
}
