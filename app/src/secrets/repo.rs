//! Data-key rows (`org_data_keys`): one wrapped DEK per organization. The row type holds
//! key material (wrapped), so it derives neither `Serialize` nor `Debug`.

use crate::db::{Db, now_ms};

/// An organization's data key as stored: wrapped by the KEK with `kek_fingerprint`.
#[derive(sqlx::FromRow)]
pub(super) struct DataKeyRow {
    pub organization_id: String,
    pub wrapped_key: String,
    pub kek_fingerprint: String,
    pub key_version: i64,
}

/// The organization's wrapped data key, if it has one.
pub(super) async fn data_key(
    db: &Db,
    organization_id: &str,
) -> Result<Option<DataKeyRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT organization_id, wrapped_key, kek_fingerprint, key_version FROM org_data_keys
         WHERE organization_id = $1",
    )
    .bind(organization_id)
    .fetch_optional(db.pool())
    .await
}

/// Stores a first data key for the organization; keeps the existing one if another process
/// stored one first.
pub(super) async fn insert_data_key(
    db: &Db,
    organization_id: &str,
    wrapped_key: &str,
    kek_fingerprint: &str,
    key_version: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO org_data_keys (organization_id, wrapped_key, kek_fingerprint, key_version, created_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (organization_id) DO NOTHING",
    )
    .bind(organization_id)
    .bind(wrapped_key)
    .bind(kek_fingerprint)
    .bind(key_version)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Deletes the organization's DEK: every secret sealed for it becomes unreadable.
pub async fn shred<'e, E>(executor: E, organization_id: &str) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query("DELETE FROM org_data_keys WHERE organization_id = $1")
        .bind(organization_id)
        .execute(executor)
        .await?;
    Ok(())
}

/// How many data keys one KEK wraps.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct KekUsage {
    pub kek_fingerprint: String,
    #[sqlx(rename = "n")]
    pub data_keys: i64,
}

/// How many DEKs each KEK fingerprint wraps, by fingerprint.
pub async fn status(db: &Db) -> Result<Vec<KekUsage>, sqlx::Error> {
    sqlx::query_as(
        "SELECT kek_fingerprint, COUNT(*) AS n FROM org_data_keys GROUP BY kek_fingerprint ORDER BY kek_fingerprint",
    )
    .fetch_all(db.pool())
    .await
}

/// Up to 200 data keys not wrapped by the KEK `fingerprint`, by organization.
pub(super) async fn not_wrapped_by(
    db: &Db,
    fingerprint: &str,
) -> Result<Vec<DataKeyRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT organization_id, wrapped_key, kek_fingerprint, key_version FROM org_data_keys
         WHERE kek_fingerprint <> $1 ORDER BY organization_id LIMIT 200",
    )
    .bind(fingerprint)
    .fetch_all(db.pool())
    .await
}

/// Replaces the organization's wrapped key if it is still wrapped by `old_fingerprint`;
/// answers how many rows changed (0 when someone else changed it meanwhile).
pub(super) async fn swap_wrapping(
    db: &Db,
    organization_id: &str,
    old_fingerprint: &str,
    wrapped_key: &str,
    kek_fingerprint: &str,
) -> Result<u64, sqlx::Error> {
    let swapped = sqlx::query(
        "UPDATE org_data_keys SET wrapped_key = $1, kek_fingerprint = $2, rotated_at = $3
         WHERE organization_id = $4 AND kek_fingerprint = $5",
    )
    .bind(wrapped_key)
    .bind(kek_fingerprint)
    .bind(now_ms())
    .bind(organization_id)
    .bind(old_fingerprint)
    .execute(db.pool())
    .await?;
    Ok(swapped.rows_affected())
}
