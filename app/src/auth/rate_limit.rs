//! Sliding-window rate limits counted in the database, so they hold across processes.

use crate::{
    db::{Db, new_id, now_ms},
    error::AppError,
};

/// Registrations per client address.
pub const REGISTER: &str = "register";
/// Failed sign-ins per account (normalized email).
pub const SIGN_IN_ACCOUNT: &str = "sign_in_failure_account";
/// Failed sign-ins per client address.
pub const SIGN_IN_ADDRESS: &str = "sign_in_failure_address";
/// Confirmation emails asked for per account.
pub const VERIFY_RESEND: &str = "verify_resend";
/// Invitation emails per organization.
pub const INVITE: &str = "invite";
/// Refused API keys per client address.
pub const API_KEY_FAILURE: &str = "api_key_failure";

/// Counts an attempt and says whether it is within `limit` per `window_ms`. The attempt is
/// recorded first and counted with the others, so concurrent callers in several processes
/// cannot all slip under the limit; a refused attempt is removed again.
pub async fn admit(
    db: &Db,
    bucket: &str,
    subject: &str,
    limit: u32,
    window_ms: i64,
) -> Result<bool, AppError> {
    Ok(claim(db, bucket, subject, limit, window_ms)
        .await?
        .is_some())
}

/// [`admit`], returning the recorded attempt's id, so the caller can [`forget`] it once the
/// attempt turned out not to count (a sign-in that succeeded).
pub async fn claim(
    db: &Db,
    bucket: &str,
    subject: &str,
    limit: u32,
    window_ms: i64,
) -> Result<Option<String>, AppError> {
    let id = record(db, bucket, subject).await?;
    let recent = count(db, bucket, subject, window_ms).await?;
    if recent > i64::from(limit) {
        forget(db, &id).await?;
        return Ok(None);
    }
    Ok(Some(id))
}

/// Removes one recorded attempt.
pub async fn forget(db: &Db, id: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM rate_limit_events WHERE id = $1")
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Records one event and prunes this subject's events older than a day.
pub async fn record(db: &Db, bucket: &str, subject: &str) -> Result<String, AppError> {
    let now = now_ms();
    let id = new_id();
    sqlx::query("INSERT INTO rate_limit_events (id, bucket, subject, at) VALUES ($1, $2, $3, $4)")
        .bind(&id)
        .bind(bucket)
        .bind(subject)
        .bind(now)
        .execute(db.pool())
        .await?;
    sqlx::query("DELETE FROM rate_limit_events WHERE bucket = $1 AND subject = $2 AND at < $3")
        .bind(bucket)
        .bind(subject)
        .bind(now - 86_400_000)
        .execute(db.pool())
        .await?;
    Ok(id)
}

/// Events for this subject within the window.
pub async fn count(db: &Db, bucket: &str, subject: &str, window_ms: i64) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) AS n FROM rate_limit_events WHERE bucket = $1 AND subject = $2 AND at > $3",
    )
    .bind(bucket)
    .bind(subject)
    .bind(now_ms() - window_ms)
    .fetch_one(db.pool())
    .await?)
}

/// Forgets a subject's events (a successful sign-in clears its account's failures).
pub async fn clear(db: &Db, bucket: &str, subject: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM rate_limit_events WHERE bucket = $1 AND subject = $2")
        .bind(bucket)
        .bind(subject)
        .execute(db.pool())
        .await?;
    Ok(())
}
