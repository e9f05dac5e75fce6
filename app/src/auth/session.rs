//! Server-side sessions stored in the database, so every portal process shares them.
//!
//! The cookie carries 256 random bits; the database keeps only their SHA-256, so a leaked
//! table does not yield usable sessions. A new token is issued at every sign-in (session
//! renewal), sessions end after an idle and an absolute timeout, and sign-out deletes the row.

use crate::{
    auth::{PlatformRole, principal::UserPrincipal},
    config::Config,
    db::{Db, now_ms},
    error::AppError,
    i18n::Lang,
    orgs::{OrgKind, OrgSummary, Role, access::Membership},
};
use base64::Engine;
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// Only touch `last_seen_at` when it is older than this, to keep reads cheap.
const TOUCH_INTERVAL_MS: i64 = 60_000;

/// 32 bytes from the OS generator, base64url without padding.
pub fn new_token() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AppError::internal("session token", e))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// The stored form of a token.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Creates a session for `user_id` and returns the token to put in the cookie.
pub async fn create(
    db: &Db,
    config: &Config,
    user_id: &str,
    client_addr: &str,
    user_agent: Option<&str>,
) -> Result<String, AppError> {
    let token = new_token()?;
    let now = now_ms();
    let absolute_ms = i64::try_from(
        config
            .session
            .absolute_timeout_hours
            .saturating_mul(3_600_000),
    )
    .unwrap_or(i64::MAX);
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, expires_at, client_addr, user_agent)
         VALUES ($1, $2, $3, $3, $4, $5, $6)",
    )
    .bind(hash_token(&token))
    .bind(user_id)
    .bind(now)
    .bind(now.saturating_add(absolute_ms))
    .bind(client_addr)
    .bind(user_agent.map(|ua| ua.chars().take(256).collect::<String>()))
    .execute(db.pool())
    .await?;
    touch_user(db, user_id, now).await?;
    Ok(token)
}

/// Records that the user was active at `now` (shown as "last active" to their organizations).
async fn touch_user(db: &Db, user_id: &str, now: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE users SET last_active_at = $1 WHERE id = $2")
        .bind(now)
        .bind(user_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// A session joined with its user and one of the user's memberships in an active
/// organization, as stored: one row per membership, or one row with no organization.
#[derive(sqlx::FromRow)]
struct SessionRow {
    user_id: String,
    last_seen_at: i64,
    expires_at: i64,
    email: String,
    display_name: String,
    /// Parsed leniently (unknown tags read as the default language).
    language: String,
    status: String,
    /// Parsed leniently: `Option<PlatformRole>` cannot use `try_from`.
    platform_role: Option<String>,
    email_verified_at: Option<i64>,
    org_id: Option<String>,
    org_slug: Option<String>,
    org_name: Option<String>,
    org_kind: Option<String>,
    org_role: Option<String>,
    org_revision: Option<i64>,
}

impl SessionRow {
    /// The membership this row carries, if any. The schema's CHECK constraints allow only
    /// known kinds and roles; a row that still held another would be left out, so that
    /// organization reads as one the user does not belong to (`NotFound`), never as a
    /// stronger role.
    fn membership(&mut self) -> Option<Membership> {
        let kind = OrgKind::parse(self.org_kind.as_deref()?)?;
        let role = Role::parse(self.org_role.as_deref()?)?;
        Some(Membership {
            org_id: self.org_id.take()?,
            revision: self.org_revision,
            org: OrgSummary {
                slug: self.org_slug.take()?,
                display_name: self.org_name.take()?,
                kind,
                role,
            },
        })
    }
}

/// Loads the user behind a session token, with their memberships in the same query; ends
/// sessions past their idle or absolute expiry.
pub async fn resolve(
    db: &Db,
    config: &Config,
    token: &str,
) -> Result<Option<UserPrincipal>, AppError> {
    let hash = hash_token(token);
    let mut rows: Vec<SessionRow> = sqlx::query_as(
        "SELECT s.user_id, s.last_seen_at, s.expires_at, u.email, u.display_name, u.language,
                u.status, u.platform_role, u.email_verified_at,
                o.id AS org_id, o.slug AS org_slug, o.display_name AS org_name,
                o.kind AS org_kind, m.role AS org_role, r.revision AS org_revision
         FROM sessions s
         JOIN users u ON u.id = s.user_id
         LEFT JOIN memberships m ON m.user_id = s.user_id
         LEFT JOIN organizations o ON o.id = m.organization_id AND o.status = 'active'
         LEFT JOIN organization_revisions r ON r.organization_id = o.id
         WHERE s.id_hash = $1
         ORDER BY o.display_name, o.slug",
    )
    .bind(&hash)
    .fetch_all(db.pool())
    .await?;
    let memberships: Arc<[Membership]> =
        rows.iter_mut().filter_map(SessionRow::membership).collect();
    let Some(row) = rows.into_iter().next() else {
        return Ok(None);
    };
    let now = now_ms();
    let idle_ms = i64::try_from(config.session.idle_timeout_minutes.saturating_mul(60_000))
        .unwrap_or(i64::MAX);
    if now >= row.expires_at || now >= row.last_seen_at.saturating_add(idle_ms) {
        delete(db, &hash).await?;
        return Ok(None);
    }
    if now - row.last_seen_at > TOUCH_INTERVAL_MS {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(now)
            .bind(&hash)
            .execute(db.pool())
            .await?;
        touch_user(db, &row.user_id, now).await?;
    }
    Ok(Some(UserPrincipal {
        user_id: row.user_id,
        email: row.email,
        display_name: row.display_name,
        language: Lang::parse(&row.language).unwrap_or_default(),
        platform_role: row.platform_role.as_deref().and_then(PlatformRole::parse),
        suspended: row.status != "active",
        email_verified: row.email_verified_at.is_some(),
        session_hash: hash,
        memberships: Some(memberships),
    }))
}

/// Ends one session.
pub async fn delete(db: &Db, hash: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(hash)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// A `Set-Cookie` value with the portal's attributes: whole site, SameSite=Lax, and Secure
/// whenever the portal is served over TLS.
pub fn cookie_line(
    config: &Config,
    name: &str,
    value: &str,
    max_age_secs: u64,
    http_only: bool,
) -> String {
    let http_only = if http_only { "; HttpOnly" } else { "" };
    let secure = if config.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    let name = config.cookie_name(name);
    format!("{name}={value}; Path=/; SameSite=Lax; Max-Age={max_age_secs}{http_only}{secure}")
}

/// The `Set-Cookie` value that stores `token`.
pub fn cookie(config: &Config, token: &str) -> String {
    let max_age = config.session.absolute_timeout_hours.saturating_mul(3600);
    cookie_line(config, &config.session.cookie_name, token, max_age, true)
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(config: &Config) -> String {
    cookie_line(config, &config.session.cookie_name, "", 0, true)
}

/// The value of cookie `name` in a `Cookie` header.
pub fn cookie_value<'a>(headers: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hashed() {
        let a = new_token().unwrap();
        let b = new_token().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(hash_token(&a).len(), 64);
        assert_ne!(hash_token(&a), a);
    }

    #[test]
    fn reads_cookie_values() {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::COOKIE,
            "a=1; tenantry_session=tok; b=2".parse().unwrap(),
        );
        assert_eq!(cookie_value(&headers, "tenantry_session"), Some("tok"));
        assert_eq!(cookie_value(&headers, "missing"), None);
    }
}
