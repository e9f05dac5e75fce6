//! User rows and the OpenID Connect identities linked to them. Password hashes stay in this
//! module's row types, which do not derive `Serialize`, so they cannot end up on the wire.

use super::PlatformRole;
use crate::{
    audit::{self, Actor, Event},
    db::{Db, is_primary_key_violation, is_unique_violation, new_id, now_ms},
    error::AppError,
    i18n::Lang,
};
use sqlx::{Any, Transaction};

/// A user about to be created.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    /// Already normalized (trimmed, lowercased).
    pub email: &'a str,
    pub given_name: &'a str,
    pub family_name: &'a str,
    pub language: Lang,
    pub password_hash: Option<String>,
    /// Whether the address is proven already (an invitation link, an OpenID issuer, the
    /// command line); otherwise the account must confirm it by email.
    pub email_verified: bool,
}

impl NewUser<'_> {
    pub fn display_name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }
}

/// Inserts a user and returns its id. An unproven account holding the same address is
/// replaced ([`super::verification::replace_unproven`]); a proven one makes this fail with a
/// unique violation.
pub async fn insert(
    tx: &mut Transaction<'static, Any>,
    user: &NewUser<'_>,
    actor: &Actor,
) -> Result<String, sqlx::Error> {
    super::verification::replace_unproven(tx, user.email, actor).await?;
    let id = new_id();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO users (id, email, given_name, family_name, display_name, language, status,
                            platform_role, password_hash, created_at, updated_at,
                            email_verified_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'active', NULL, $7, $8, $8, $9)",
    )
    .bind(&id)
    .bind(user.email)
    .bind(user.given_name)
    .bind(user.family_name)
    .bind(user.display_name())
    .bind(user.language.code())
    .bind(user.password_hash.as_deref())
    .bind(now)
    .bind(user.email_verified.then_some(now))
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// What sign-in needs to know about an account.
pub struct Credentials {
    pub user_id: String,
    pub password_hash: Option<String>,
    pub suspended: bool,
    /// Whether the account proved its address.
    pub email_verified: bool,
    /// Whether it holds a platform role (never linked to an OpenID identity automatically).
    pub platform_staff: bool,
}

#[derive(sqlx::FromRow)]
struct CredentialsRow {
    id: String,
    password_hash: Option<String>,
    status: String,
    email_verified_at: Option<i64>,
    platform_role: Option<String>,
}

/// Looks an account up by normalized email.
pub async fn credentials(db: &Db, email: &str) -> Result<Option<Credentials>, AppError> {
    let row: Option<CredentialsRow> = sqlx::query_as(
        "SELECT id, password_hash, status, email_verified_at, platform_role
         FROM users WHERE email = $1",
    )
    .bind(email)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|row| Credentials {
        user_id: row.id,
        password_hash: row.password_hash,
        suspended: row.status != "active",
        email_verified: row.email_verified_at.is_some(),
        platform_staff: row.platform_role.is_some(),
    }))
}

/// Whether the user `user_id` is suspended (the user must exist).
pub async fn is_suspended(db: &Db, user_id: &str) -> Result<bool, AppError> {
    let status: String = sqlx::query_scalar("SELECT status FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(db.pool())
        .await?;
    Ok(status == "suspended")
}

/// Creates a user without any organization (someone on their way into an invitation),
/// with the `account.register` event naming `via`. Refuses a taken email.
pub async fn register_without_organization(
    db: &Db,
    user: &NewUser<'_>,
    actor: &Actor,
    via: &str,
) -> Result<String, AppError> {
    let mut tx = db.pool().begin().await?;
    let id = match insert(&mut tx, user, actor).await {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e, "users", "email") => {
            return Err(AppError::EmailTaken);
        }
        Err(e) => return Err(e.into()),
    };
    audit::record(
        &mut *tx,
        Event::new("account.register", &actor.as_user(&id)).target(via),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The user linked to the OpenID Connect identity `issuer` + `subject`, if any.
pub async fn linked_identity(
    db: &Db,
    issuer: &str,
    subject: &str,
) -> Result<Option<String>, AppError> {
    Ok(
        sqlx::query_scalar(
            "SELECT user_id FROM user_identities WHERE issuer = $1 AND subject = $2",
        )
        .bind(issuer)
        .bind(subject)
        .fetch_optional(db.pool())
        .await?,
    )
}

/// Links the identity `issuer` + `subject` to the acting user (`actor.user_id`), with its
/// audit event. A link that a parallel sign-in made a moment ago counts as done.
pub async fn link_identity(
    db: &Db,
    issuer: &str,
    subject: &str,
    actor: &Actor,
) -> Result<(), AppError> {
    let user_id = actor.user_id.as_deref().unwrap_or_default();
    let mut tx = db.pool().begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO user_identities (issuer, subject, user_id, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(issuer)
    .bind(subject)
    .bind(user_id)
    .bind(now_ms())
    .execute(&mut *tx)
    .await;
    match inserted {
        Ok(_) => {}
        // A parallel callback linked the same identity a moment ago.
        Err(e) if is_primary_key_violation(&e, "user_identities") => return Ok(()),
        Err(e) => return Err(e.into()),
    }
    audit::record(&mut *tx, Event::new("auth.oidc_link", actor).target(issuer)).await?;
    tx.commit().await?;
    Ok(())
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

/// The platform admin that [`upsert_platform_admin`] created or promoted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformAdmin {
    pub user_id: String,
    /// Whether the user was created (else an existing user was promoted).
    pub created: bool,
}

/// Creates a platform admin, or promotes the existing user with this email, and sets the
/// password when one is given.
pub async fn upsert_platform_admin(
    db: &Db,
    email: &str,
    name: &str,
    password_hash: Option<String>,
) -> Result<PlatformAdmin, AppError> {
    let mut tx = db.pool().begin().await?;
    let now = now_ms();
    let existing: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_optional(&mut *tx)
        .await?;
    let (id, created) = match existing {
        Some(id) => (id, false),
        None => {
            let (given, family) = name.split_once(' ').unwrap_or((name, ""));
            let user = NewUser {
                email,
                given_name: given,
                family_name: family,
                language: Lang::En,
                password_hash: None,
                email_verified: true,
            };
            (
                insert(&mut tx, &user, &crate::audit::Actor::cli()).await?,
                true,
            )
        }
    };
    sqlx::query(
        "UPDATE users SET platform_role = $1, status = 'active', updated_at = $2,
                email_verified_at = COALESCE(email_verified_at, $2)
         WHERE id = $3",
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
    Ok(PlatformAdmin {
        user_id: id,
        created,
    })
}

/// Whether any platform admin exists (start-up hint for a fresh install).
pub async fn has_platform_admin(db: &Db) -> Result<bool, AppError> {
    let admins: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) AS n FROM users WHERE platform_role = 'platform_admin'",
    )
    .fetch_one(db.pool())
    .await?;
    Ok(admins > 0)
}
