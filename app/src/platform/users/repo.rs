//! User rows as platform staff see and change them.

use super::{PER_PAGE, UserPage, UserRow};
use crate::{
    audit::{self, Event},
    auth::{PlatformRole, caller::Staff},
    db::{Backend, Db, like_pattern, now_ms},
    error::AppError,
};

/// A user with their organization count, as stored.
#[derive(sqlx::FromRow)]
struct ListedUser {
    id: String,
    email: String,
    display_name: String,
    status: String,
    /// Parsed leniently: `Option<PlatformRole>` cannot use `try_from`.
    platform_role: Option<String>,
    created_at: i64,
    last_active_at: Option<i64>,
    organizations: i64,
}

impl From<ListedUser> for UserRow {
    fn from(row: ListedUser) -> Self {
        UserRow {
            id: row.id,
            email: row.email,
            display_name: row.display_name,
            suspended: row.status != "active",
            platform_role: row.platform_role.as_deref().and_then(PlatformRole::parse),
            created_at: row.created_at,
            last_active_at: row.last_active_at,
            organizations: row.organizations,
        }
    }
}

/// One page of users whose email or name contains `query` (lowercase), by email.
pub async fn list(db: &Db, query: &str, page: u32) -> Result<UserPage, AppError> {
    let filter =
        "($1 = '' OR u.email LIKE $2 ESCAPE '\\' OR LOWER(u.display_name) LIKE $2 ESCAPE '\\')";
    let pattern = like_pattern(query);
    let offset = i64::from(page.saturating_sub(1)) * i64::from(PER_PAGE);
    let total: i64 =
        sqlx::query_scalar(&format!("SELECT COUNT(*) AS n FROM users u WHERE {filter}"))
            .bind(query)
            .bind(&pattern)
            .fetch_one(db.pool())
            .await?;
    let rows: Vec<ListedUser> = sqlx::query_as(&format!(
        "SELECT u.id, u.email, u.display_name, u.status, u.platform_role, u.created_at, u.last_active_at,
                (SELECT COUNT(*) FROM memberships m WHERE m.user_id = u.id) AS organizations
         FROM users u WHERE {filter}
         ORDER BY u.email LIMIT $3 OFFSET $4"
    ))
    .bind(query)
    .bind(&pattern)
    .bind(i64::from(PER_PAGE))
    .bind(offset)
    .fetch_all(db.pool())
    .await?;
    let users = rows.into_iter().map(UserRow::from).collect();
    Ok(UserPage {
        users,
        total,
        page,
        per_page: PER_PAGE,
        query: query.to_owned(),
    })
}

/// Suspends or reactivates `user_id`; suspension deletes every session of the user in the
/// same transaction, so no process keeps serving them.
pub async fn set_status(
    db: &Db,
    admin: &Staff,
    user_id: &str,
    suspended: bool,
) -> Result<(), AppError> {
    let mut tx = db.pool().begin().await?;
    serialize_platform_changes(db, &mut tx).await?;
    let status = if suspended { "suspended" } else { "active" };
    let changed = sqlx::query("UPDATE users SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(status)
        .bind(now_ms())
        .bind(user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if changed == 0 {
        return Err(AppError::NotFound);
    }
    // Checked under the lock: two admins suspending each other at once are decided one
    // after the other, and the second finds itself suspended.
    let acting: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM users
         WHERE id = $1 AND status = 'active' AND platform_role = 'platform_admin'",
    )
    .bind(&admin.user.user_id)
    .fetch_one(&mut *tx)
    .await?;
    if acting == 0 {
        return Err(AppError::AccountSuspended);
    }
    if suspended {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
    }
    let action = if suspended {
        "platform.user_suspend"
    } else {
        "platform.user_activate"
    };
    audit::record(&mut *tx, Event::new(action, &admin.actor).target(user_id)).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets or clears `user_id`'s platform role, refusing to leave the platform without an admin.
pub async fn set_role(
    db: &Db,
    admin: &Staff,
    user_id: &str,
    role: Option<PlatformRole>,
) -> Result<(), AppError> {
    let mut tx = db.pool().begin().await?;
    serialize_platform_changes(db, &mut tx).await?;
    let changed = sqlx::query("UPDATE users SET platform_role = $1, updated_at = $2 WHERE id = $3")
        .bind(role.map(PlatformRole::as_str))
        .bind(now_ms())
        .bind(user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if changed == 0 {
        return Err(AppError::NotFound);
    }
    let admins: i64 = sqlx::query_scalar("SELECT COUNT(*) AS n FROM users WHERE platform_role = 'platform_admin' AND status = 'active'")
        .fetch_one(&mut *tx)
        .await?;
    if admins == 0 {
        return Err(AppError::LastPlatformAdmin);
    }
    audit::record(
        &mut *tx,
        Event::new("platform.user_role", &admin.actor)
            .target(user_id)
            .outcome(
                audit::Outcome::Success,
                role.map(PlatformRole::as_str).unwrap_or("none"),
            ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Serializes changes to platform roles and account status, so two admins acting on each
/// other cannot both pass the checks that keep an active admin. On PostgreSQL a
/// transaction-scoped advisory lock; SQLite holds its write lock after the first write,
/// which each of these transactions makes before its checks.
async fn serialize_platform_changes(
    db: &Db,
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
) -> Result<(), AppError> {
    if db.backend() == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock(7243001)")
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
