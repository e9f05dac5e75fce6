//! The notification outbox. Emails are rendered and written in the same transaction as the
//! change they report ([`enqueue`]), so the change never waits on the mail server and an
//! email is never lost when the relay is down. A worker ([`run`]) delivers due emails and
//! retries failures with exponential backoff until `notifications.max_attempts`; every
//! attempt's outcome stays on the row.
//!
//! Several portal processes may run workers against one database: a worker claims each row
//! just before sending it, with a conditional update stamped with the current time, and
//! holds it for longer than a send can take; "sent" is written only under that claim. So a
//! slow relay never lets a second process send the same email again.

use super::{Email, send};
pub use crate::state::Waker;
use crate::{
    config::{Config, NotificationConfig},
    db::{Db, new_id, now_ms},
};
use sqlx::{Any, Executor};
use std::{sync::Arc, time::Duration};

/// Emails whose body carries a credential (a confirmation link): the body is erased once
/// the email was sent or given up on, so the database does not keep working links.
pub const CREDENTIAL_KINDS: &[&str] = &["account.verify_email"];

/// How long a worker holds a claimed email before another may take it: the configured
/// time, but never less than three times the SMTP timeout (what one send may take).
pub fn claim_ms(config: &Config) -> i64 {
    let send_budget = config
        .smtp
        .timeout_seconds
        .saturating_mul(3)
        .saturating_add(1);
    let seconds = config.notifications.claim_seconds.max(send_budget);
    i64::try_from(seconds.saturating_mul(1000)).unwrap_or(i64::MAX)
}

/// Adds `email` to the outbox, on a pool or inside the caller's transaction.
pub async fn enqueue<'e, E>(
    executor: E,
    kind: &str,
    subject_id: Option<&str>,
    email: &Email,
) -> Result<(), sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    let now = now_ms();
    sqlx::query(
        "INSERT INTO mail_outbox (id, kind, subject_id, to_email, subject, body_text, body_html,
                                  status, attempts, next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8, $8)",
    )
    .bind(new_id())
    .bind(kind)
    .bind(subject_id)
    .bind(&email.to)
    .bind(&email.subject)
    .bind(&email.text)
    .bind(&email.html)
    .bind(now)
    .execute(executor)
    .await?;
    Ok(())
}

/// The delay after `failures` failed attempts: the base after the first, doubled after
/// each further one, at most an hour.
pub fn backoff_ms(config: &NotificationConfig, failures: i64) -> i64 {
    let base = i64::try_from(config.retry_base_seconds)
        .unwrap_or(3600)
        .saturating_mul(1000);
    let exponent = u32::try_from((failures - 1).clamp(0, 20)).unwrap_or(20);
    base.saturating_mul(1_i64 << exponent).min(3_600_000)
}

/// What one delivery round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    pub failed: usize,
}

/// Delivers every due email once; failures are recorded and scheduled again.
pub async fn deliver_due(db: &Db, config: &Config) -> Result<Round, sqlx::Error> {
    let now = now_ms();
    // The content never changes; `attempts` is read again under the claim.
    let due: Vec<DueRow> = sqlx::query_as(
        "SELECT id, kind, to_email, subject, body_text, body_html FROM mail_outbox
         WHERE status = 'pending' AND next_attempt_at <= $1
               AND (claimed_until IS NULL OR claimed_until < $1)
         ORDER BY next_attempt_at LIMIT 50",
    )
    .bind(now)
    .fetch_all(db.pool())
    .await?;
    let mut round = Round::default();
    for row in due {
        let id = row.id;
        // Claimed with the time it is claimed at, not the round's start: a slow round must
        // not hand out claims that have already run out.
        let claimed_at = now_ms();
        let claimed_until = claimed_at.saturating_add(claim_ms(config));
        let claimed = sqlx::query(
            "UPDATE mail_outbox SET claimed_until = $1
             WHERE id = $2 AND status = 'pending' AND next_attempt_at <= $3
                   AND (claimed_until IS NULL OR claimed_until < $3)",
        )
        .bind(claimed_until)
        .bind(&id)
        .bind(claimed_at)
        .execute(db.pool())
        .await?;
        if claimed.rows_affected() != 1 {
            continue;
        }
        let attempts: i64 = sqlx::query_scalar("SELECT attempts FROM mail_outbox WHERE id = $1")
            .bind(&id)
            .fetch_one(db.pool())
            .await?;
        let attempts = attempts + 1;
        let credential = CREDENTIAL_KINDS.contains(&row.kind.as_str());
        let email = Email {
            to: row.to_email,
            subject: row.subject,
            text: row.body_text,
            html: row.body_html,
        };
        match send(&config.smtp, &email).await {
            Ok(()) => {
                let marked = sqlx::query(
                    "UPDATE mail_outbox SET status = 'sent', attempts = $1, sent_at = $2,
                            claimed_until = NULL, last_error = NULL,
                            body_text = CASE WHEN $5 THEN '' ELSE body_text END,
                            body_html = CASE WHEN $5 THEN '' ELSE body_html END
                     WHERE id = $3 AND claimed_until = $4",
                )
                .bind(attempts)
                .bind(now_ms())
                .bind(&id)
                .bind(claimed_until)
                .bind(credential)
                .execute(db.pool())
                .await?;
                if marked.rows_affected() != 1 {
                    // Only possible if the send outlasted the claim despite the budget.
                    tracing::warn!(outbox_id = %id, "email sent after its claim ran out");
                }
                round.sent += 1;
            }
            Err(err) => {
                let give_up = attempts >= i64::from(config.notifications.max_attempts);
                tracing::warn!(
                    outbox_id = %id,
                    attempts,
                    give_up,
                    "notification email not delivered: {}",
                    err.for_record()
                );
                sqlx::query(
                    "UPDATE mail_outbox SET status = $1, attempts = $2, next_attempt_at = $3,
                            claimed_until = NULL, last_error = $4,
                            body_text = CASE WHEN $7 THEN '' ELSE body_text END,
                            body_html = CASE WHEN $7 THEN '' ELSE body_html END
                     WHERE id = $5 AND claimed_until = $6",
                )
                .bind(if give_up { "failed" } else { "pending" })
                .bind(attempts)
                .bind(now_ms() + backoff_ms(&config.notifications, attempts))
                .bind(err.for_record())
                .bind(&id)
                .bind(claimed_until)
                .bind(credential && give_up)
                .execute(db.pool())
                .await?;
                round.failed += 1;
            }
        }
    }
    Ok(round)
}

/// The delivery loop: a round every `notifications.poll_seconds`, or sooner when woken.
pub async fn run(db: Db, config: Arc<Config>, waker: Waker) {
    let poll = Duration::from_secs(config.notifications.poll_seconds.max(1));
    loop {
        if let Err(err) = deliver_due(&db, &config).await {
            tracing::error!("notification outbox: {err}");
        }
        tokio::select! {
            () = waker.notified() => {}
            () = tokio::time::sleep(poll) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let config = NotificationConfig {
            poll_seconds: 5,
            retry_base_seconds: 30,
            max_attempts: 8,
            claim_seconds: 300,
        };
        assert_eq!(backoff_ms(&config, 1), 30_000);
        assert_eq!(backoff_ms(&config, 2), 60_000);
        assert_eq!(backoff_ms(&config, 4), 240_000);
        assert_eq!(backoff_ms(&config, 7), 1_920_000);
        assert_eq!(backoff_ms(&config, 8), 3_600_000);
        assert_eq!(backoff_ms(&config, 1_000), 3_600_000);
    }
}

/// How many emails wait to be delivered (for `/metrics`).
pub async fn backlog(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM mail_outbox WHERE status = 'pending'")
        .fetch_one(db.pool())
        .await
}

/// One email due for delivery.
#[derive(sqlx::FromRow)]
struct DueRow {
    id: String,
    kind: String,
    to_email: String,
    subject: String,
    body_text: String,
    body_html: String,
}
