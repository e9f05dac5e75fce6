//! User rows. Password hashes stay in this module's row types, which do not derive
//! `Serialize`, so they cannot end up on the wire.

use super::PlatformRole;
use crate::{
    db::{Db, new_id, now_ms},
    error::AppError,
    i18n::Lang,
};
use sqlx::{Any, Row, Transaction};

/// A user about to be created.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    /// Already normalized (trimmed, lowercased).
    pub email: &'a str,
    pub given_name: &'a str,
    pub family_name: &'a str,
    pub language: Lang,
    pub password_hash: Option<String>,
}

impl NewUser<'_> {
    pub fn display_name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }
}

/// Inserts a user and returns its id.
pub async fn insert(
    tx: &mut Transaction<'static, Any>,
    user: &NewUser<'_>,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO users (id, email, given_name, family_name, display_name, language, status,
                            platform_role, password_hash, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'active', NULL, $7, $8, $8)",
    )
    .bind(&id)
    .bind(user.email)
    .bind(user.given_name)
    .bind(user.family_name)
    .bind(user.display_name())
    .bind(user.language.code())
    .bind(user.password_hash.as_deref())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// What sign-in needs to know about an account.
pub struct Credentials {
    pub user_id: String,
    pub password_hash: Option<String>,
    pub suspended: bool,
}

/// Looks an account up by normalized email.
pub async fn credentials(db: &Db, email: &str) -> Result<Option<Credentials>, AppError> {
    let row = sqlx::query("SELECT id, password_hash, status FROM users WHERE email = $1")
        .bind(email)
        .fetch_optional(db.pool())
        .await?;
    row.map(|row| {
        let status: String = row.try_get("status")?;
        Ok(Credentials {
            user_id: row.try_get("id")?,
            password_hash: row.try_get("password_hash")?,
            suspended: status != "active",
        })
    })
    .transpose()
}

/// Sets a user's preferred language.
pub async fn set_language(db: &Db, user_id: &str, lang: Lang) -> Result<(), AppError> {
    sqlx::query("UPDATE users SET language = $1, updated_at = $2 WHERE id = $3")
        .bind(lang.code())
        .bind(now_ms())
        .bind(user_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Creates a platform admin, or promotes the existing user with this email, and sets the
/// password when one is given. Returns the user id and whether the user was created.
pub async fn upsert_platform_admin(
    db: &Db,
    email: &str,
    name: &str,
    password_hash: Option<String>,
) -> Result<(String, bool), AppError> {
    let mut tx = db.pool().begin().await?;
    let now = now_ms();
    let existing = sqlx::query("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_optional(&mut *tx)
        .await?;
    let (id, created) = match existing {
        Some(row) => (row.try_get::<String, _>("id")?, false),
        None => {
            let (given, family) = name.split_once(' ').unwrap_or((name, ""));
            let user = NewUser {
                email,
                given_name: given,
                family_name: family,
                language: Lang::En,
                password_hash: None,
            };
            (insert(&mut tx, &user).await?, true)
        }
    };
    sqlx::query(
        "UPDATE users SET platform_role = $1, status = 'active', updated_at = $2 WHERE id = $3",
    )
    .bind(PlatformRole::PlatformAdmin.as_str())
    .bind(now)
    .bind(&id)
    .execute(&mut *tx)
    .await?;
    if let Some(hash) = password_hash {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(&id)
            .execute(&mut *tx)
            .await?;
    }
    crate::audit::record(
        &mut *tx,
        crate::audit::Event::new("platform.admin_create", &crate::audit::Actor::cli()).target(&id),
    )
    .await?;
    tx.commit().await?;
    Ok((id, created))
}

/// Whether any platform admin exists (start-up hint for a fresh install).
pub async fn has_platform_admin(db: &Db) -> Result<bool, AppError> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM users WHERE platform_role = 'platform_admin'")
        .fetch_one(db.pool())
        .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}
