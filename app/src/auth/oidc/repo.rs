//! Pending OpenID Connect sign-ins (`oidc_logins`): written by `start`, consumed at most once
//! by `callback`. Only the SHA-256 of the browser's token is stored; the rows hold the PKCE
//! verifier and nonce, so their types do not derive `Serialize` or `Debug`.

use crate::{
    auth::session::hash_token,
    db::{Db, now_ms},
    error::AppError,
};

/// A sign-in about to be started.
pub struct NewLogin<'a> {
    pub issuer_id: &'a str,
    pub state: &'a str,
    pub nonce: &'a str,
    pub verifier: &'a str,
    /// Where to land afterwards (already checked to be a path on this site).
    pub next: Option<String>,
}

/// Stores the sign-in under `token` for `ttl_ms`, and drops the expired ones.
pub async fn create_login(
    db: &Db,
    token: &str,
    login: &NewLogin<'_>,
    ttl_ms: i64,
) -> Result<(), AppError> {
    let now = now_ms();
    sqlx::query("DELETE FROM oidc_logins WHERE expires_at < $1")
        .bind(now)
        .execute(db.pool())
        .await?;
    sqlx::query(
        "INSERT INTO oidc_logins (id_hash, issuer_id, state, nonce, pkce_verifier, next_path, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(hash_token(token))
    .bind(login.issuer_id)
    .bind(login.state)
    .bind(login.nonce)
    .bind(login.verifier)
    .bind(login.next.as_deref())
    .bind(now)
    .bind(now + ttl_ms)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// A started sign-in, consumed by the callback.
#[derive(sqlx::FromRow)]
pub struct PendingLogin {
    pub issuer_id: String,
    pub state: String,
    pub nonce: String,
    #[sqlx(rename = "pkce_verifier")]
    pub verifier: String,
    #[sqlx(rename = "next_path")]
    pub next: Option<String>,
    pub expires_at: i64,
}

/// Removes and returns the pending sign-in of this browser: each one is used at most once.
pub async fn take_login(db: &Db, token: &str) -> Result<Option<PendingLogin>, AppError> {
    Ok(sqlx::query_as(
        "DELETE FROM oidc_logins WHERE id_hash = $1
         RETURNING issuer_id, state, nonce, pkce_verifier, next_path, expires_at",
    )
    .bind(hash_token(token))
    .fetch_optional(db.pool())
    .await?)
}
