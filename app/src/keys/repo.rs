//! API keys as stored: every query filters by the organization the caller's access names.

use super::{KeyView, Scopes};
use crate::{
    db::{Db, new_id, now_ms},
    error::AppError,
    orgs::access::OrgAccess,
};

/// A key's settings when it is minted.
#[derive(Debug, Clone)]
pub struct NewKey<'a> {
    pub name: &'a str,
    pub scopes: Scopes,
    pub expires_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    name: String,
    display_prefix: String,
    #[sqlx(try_from = "String")]
    scopes: Scopes,
    expires_at: Option<i64>,
    created_by: Option<String>,
    created_at: i64,
    last_used_at: Option<i64>,
    revoked_at: Option<i64>,
    previous_until: Option<i64>,
}

impl From<Row> for KeyView {
    fn from(r: Row) -> Self {
        KeyView {
            id: r.id,
            name: r.name,
            display_prefix: r.display_prefix,
            scopes: r.scopes,
            expires_at: r.expires_at,
            created_by: r.created_by,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
            previous_until: r.previous_until,
        }
    }
}

const COLUMNS: &str = "k.id, k.name, k.display_prefix, k.scopes, k.expires_at,
                       u.display_name AS created_by, k.created_at, k.last_used_at,
                       k.revoked_at, k.previous_until";

/// The organization's keys, newest first.
pub async fn list(db: &Db, access: &OrgAccess) -> Result<Vec<KeyView>, AppError> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM api_keys k LEFT JOIN users u ON u.id = k.created_by
         WHERE k.organization_id = $1 ORDER BY k.created_at DESC, k.id DESC"
    ))
    .bind(&access.org_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(KeyView::from).collect())
}

/// One of the organization's keys.
pub async fn get(db: &Db, access: &OrgAccess, id: &str) -> Result<KeyView, AppError> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM api_keys k LEFT JOIN users u ON u.id = k.created_by
         WHERE k.organization_id = $1 AND k.id = $2"
    ))
    .bind(&access.org_id)
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    row.map(KeyView::from).ok_or(AppError::NotFound)
}

fn new_token() -> Result<String, AppError> {
    super::token::generate()
        .ok_or_else(|| AppError::internal("api key", "the random source failed"))
}

/// Mints a key for the caller; returns its id and the token (to show once).
pub async fn mint(
    db: &Db,
    access: &OrgAccess,
    key: &NewKey<'_>,
) -> Result<(String, String), AppError> {
    let token = new_token()?;
    let id = new_id();
    let now = now_ms();
    let mut tx = db.pool().begin().await?;
    sqlx::query(
        "INSERT INTO api_keys (id, organization_id, name, token_hash, display_prefix, scopes,
                               expires_at, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
    )
    .bind(&id)
    .bind(&access.org_id)
    .bind(key.name)
    .bind(hex::encode(super::token::hash(&token)))
    .bind(super::token::display_prefix(&token))
    .bind(key.scopes.as_str())
    .bind(key.expires_at)
    .bind(&access.user.user_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    crate::audit::record(
        &mut *tx,
        crate::audit::Event::new("api_key.mint", &access.actor)
            .organization(&access.org_id)
            .target(&id),
    )
    .await?;
    tx.commit().await?;
    Ok((id, token))
}

/// Revokes the key at once (its token and a rerolled one's predecessor). Revoking a revoked
/// key changes nothing.
pub async fn revoke(db: &Db, access: &OrgAccess, id: &str) -> Result<(), AppError> {
    let now = now_ms();
    let mut tx = db.pool().begin().await?;
    let done = sqlx::query(
        "UPDATE api_keys SET revoked_at = $1, previous_hash = NULL, previous_until = NULL,
                updated_at = $1
         WHERE organization_id = $2 AND id = $3 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(&access.org_id)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        // Unknown here, or already revoked.
        get(db, access, id).await?;
        return Ok(());
    }
    crate::audit::record(
        &mut *tx,
        crate::audit::Event::new("api_key.revoke", &access.actor)
            .organization(&access.org_id)
            .target(id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A new token for the key, same id and settings; the old token keeps working for
/// `grace_ms` (0: it stops at once). A revoked key is not rerolled (`conflict`).
pub async fn reroll(
    db: &Db,
    access: &OrgAccess,
    id: &str,
    grace_ms: i64,
) -> Result<String, AppError> {
    let token = new_token()?;
    let now = now_ms();
    let mut tx = db.pool().begin().await?;
    let (previous_hash, previous_until) = if grace_ms > 0 {
        ("token_hash", "$5")
    } else {
        ("NULL", "NULL")
    };
    let done = sqlx::query(&format!(
        "UPDATE api_keys SET previous_hash = {previous_hash}, previous_until = {previous_until},
                token_hash = $1, display_prefix = $2, updated_at = $3
         WHERE organization_id = $4 AND id = $6 AND revoked_at IS NULL"
    ))
    .bind(hex::encode(super::token::hash(&token)))
    .bind(super::token::display_prefix(&token))
    .bind(now)
    .bind(&access.org_id)
    .bind(now.saturating_add(grace_ms))
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        get(db, access, id).await?;
        return Err(AppError::Conflict);
    }
    crate::audit::record(
        &mut *tx,
        crate::audit::Event::new("api_key.reroll", &access.actor)
            .organization(&access.org_id)
            .target(id),
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// A key found by a token's hash, with what its verification needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Found {
    pub id: String,
    pub organization_id: String,
    #[sqlx(try_from = "String")]
    pub scopes: Scopes,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    /// Set when the hash matched the previous token of a rerolled key: valid until then.
    pub previous_until: Option<i64>,
    pub created_by: String,
    pub creator_status: String,
    pub organization_status: String,
}

/// The key whose current token, or previous token (within its grace), hashes to `hash`.
pub async fn find(db: &Db, hash: &str) -> Result<Option<Found>, sqlx::Error> {
    sqlx::query_as(
        "SELECT k.id, k.organization_id, k.scopes, k.expires_at, k.revoked_at,
                CASE WHEN k.token_hash = $1 THEN NULL ELSE k.previous_until END AS previous_until,
                k.created_by, u.status AS creator_status, o.status AS organization_status
         FROM api_keys k
         JOIN users u ON u.id = k.created_by
         JOIN organizations o ON o.id = k.organization_id
         WHERE k.token_hash = $1 OR k.previous_hash = $1",
    )
    .bind(hash)
    .fetch_optional(db.pool())
    .await
}

/// Records a use, at most once a minute per key (the condition skips the write).
pub async fn touch(db: &Db, id: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE api_keys SET last_used_at = $1
         WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)",
    )
    .bind(now)
    .bind(id)
    .bind(now - 60_000)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// The revocation counter the migration's triggers bump.
pub async fn epoch(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT epoch FROM api_key_epoch WHERE id = 1")
        .fetch_one(db.pool())
        .await
}
