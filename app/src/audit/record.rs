//! Writing audit events.

use crate::db::{new_id, now_ms};
use sqlx::{Any, Executor};

/// How an audited action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
    Denied,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Denied => "denied",
        }
    }
}

/// One audit event.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub actor_user_id: Option<&'a str>,
    pub action: &'a str,
    pub organization_id: Option<&'a str>,
    pub target: Option<&'a str>,
    pub client_addr: &'a str,
    pub outcome: Outcome,
    pub detail: Option<&'a str>,
}

impl<'a> Event<'a> {
    /// A successful action by `actor` from `client_addr`.
    pub fn new(action: &'a str, actor_user_id: Option<&'a str>, client_addr: &'a str) -> Self {
        Event {
            actor_user_id,
            action,
            organization_id: None,
            target: None,
            client_addr,
            outcome: Outcome::Success,
            detail: None,
        }
    }

    pub fn organization(mut self, id: &'a str) -> Self {
        self.organization_id = Some(id);
        self
    }

    pub fn target(mut self, target: &'a str) -> Self {
        self.target = Some(target);
        self
    }

    pub fn outcome(mut self, outcome: Outcome, detail: &'a str) -> Self {
        self.outcome = outcome;
        self.detail = Some(detail);
        self
    }
}

/// Appends an event, on a pool or inside the caller's transaction.
pub async fn record<'e, E>(executor: E, event: Event<'_>) -> Result<(), sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query(
        "INSERT INTO audit_events (id, at, actor_user_id, actor_api_key_id, action, organization_id,
                                   target, client_addr, outcome, detail)
         VALUES ($1, $2, $3, NULL, $4, $5, $6, $7, $8, $9)",
    )
    .bind(new_id())
    .bind(now_ms())
    .bind(event.actor_user_id)
    .bind(event.action)
    .bind(event.organization_id)
    .bind(event.target)
    .bind(event.client_addr)
    .bind(event.outcome.as_str())
    .bind(event.detail)
    .execute(executor)
    .await?;
    Ok(())
}
