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

/// Who acted, as the audit log records it: a user, an API key, or nobody (an anonymous
/// visitor, the command line), always with the address the request came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<String>,
    pub api_key_id: Option<String>,
    pub client_addr: String,
}

impl Actor {
    /// The same client acting as `user_id` (e.g. the account that just signed in).
    pub fn as_user(&self, user_id: &str) -> Actor {
        Actor {
            user_id: Some(user_id.to_owned()),
            api_key_id: None,
            client_addr: self.client_addr.clone(),
        }
    }

    /// The command line, acting for nobody in particular.
    pub fn cli() -> Actor {
        Actor {
            user_id: None,
            api_key_id: None,
            client_addr: "cli".to_owned(),
        }
    }

    /// The provisioning engine, acting on its own.
    pub fn engine() -> Actor {
        Actor {
            user_id: None,
            api_key_id: None,
            client_addr: "provisioning".to_owned(),
        }
    }
}

/// One audit event.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub actor: &'a Actor,
    pub action: &'a str,
    pub organization_id: Option<&'a str>,
    pub target: Option<&'a str>,
    pub outcome: Outcome,
    pub detail: Option<&'a str>,
}

impl<'a> Event<'a> {
    /// A successful action by `actor`.
    pub fn new(action: &'a str, actor: &'a Actor) -> Self {
        Event {
            actor,
            action,
            organization_id: None,
            target: None,
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

/// Records `event` once per `key` and fixed window of `window_ms`: the first occurrence
/// writes the row, later ones in the window count up its `occurrences`. For events anyone
/// can cause without signing in (refused sign-ins), so repeating them cannot flood the log.
pub async fn record_aggregated<'e, E>(
    executor: E,
    event: Event<'_>,
    key: &str,
    window_ms: i64,
) -> Result<(), sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    use sha2::{Digest, Sha256};
    let now = now_ms();
    let window = now / window_ms.max(1);
    let digest = Sha256::digest(format!("{}\0{key}\0{window}", event.action).as_bytes());
    let id = format!("agg-{}", hex::encode(&digest[..16]));
    insert(
        executor,
        &event,
        &id,
        now,
        "ON CONFLICT (id) DO UPDATE SET occurrences = audit_events.occurrences + 1",
    )
    .await
}

/// Appends an event, on a pool or inside the caller's transaction.
pub async fn record<'e, E>(executor: E, event: Event<'_>) -> Result<(), sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    insert(executor, &event, &new_id(), now_ms(), "").await
}

/// Inserts `event` as row `id` at `at`, with `conflict` (an `ON CONFLICT` clause or
/// nothing) after the values.
async fn insert<'e, E>(
    executor: E,
    event: &Event<'_>,
    id: &str,
    at: i64,
    conflict: &str,
) -> Result<(), sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    let statement = format!(
        "INSERT INTO audit_events (id, at, actor_user_id, actor_api_key_id, action, organization_id,
                                   target, client_addr, outcome, detail, occurrences)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1) {conflict}"
    );
    sqlx::query(&statement)
        .bind(id)
        .bind(at)
        .bind(event.actor.user_id.as_deref())
        .bind(event.actor.api_key_id.as_deref())
        .bind(event.action)
        .bind(event.organization_id)
        .bind(event.target)
        .bind(&event.actor.client_addr)
        .bind(event.outcome.as_str())
        .bind(event.detail)
        .execute(executor)
        .await?;
    Ok(())
}
