//! Membership rows. Changes run in one transaction with the last-owner count and the audit
//! event, so two concurrent demotions cannot leave an organization without an owner.

use super::Member;
use crate::{
    audit::{self, Event},
    db::Db,
    error::AppError,
    orgs::{Role, access::OrgAccess},
};
use sqlx::{Any, Transaction};

/// A membership joined with its user, as stored.
#[derive(sqlx::FromRow)]
struct MemberRow {
    id: String,
    display_name: String,
    email: String,
    last_active_at: Option<i64>,
    #[sqlx(try_from = "String")]
    role: Role,
    created_at: i64,
}

impl From<MemberRow> for Member {
    fn from(row: MemberRow) -> Self {
        Member {
            user_id: row.id,
            display_name: row.display_name,
            email: row.email,
            role: row.role,
            joined_at: row.created_at,
            last_active_at: row.last_active_at,
        }
    }
}

/// The members of an organization, owners first, then by name.
pub async fn list(db: &Db, org_id: &str) -> Result<Vec<Member>, AppError> {
    let rows: Vec<MemberRow> = sqlx::query_as(
        "SELECT u.id, u.display_name, u.email, u.last_active_at, m.role, m.created_at
         FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.organization_id = $1
         ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 WHEN 'member' THEN 2 ELSE 3 END,
                  u.display_name, u.email",
    )
    .bind(org_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(Member::from).collect())
}

/// The current role of `user_id` in the organization (inside [`begin_locked`]).
async fn current_role(
    tx: &mut Transaction<'static, Any>,
    org_id: &str,
    user_id: &str,
) -> Result<Role, AppError> {
    let role: String = sqlx::query_scalar(
        "SELECT role FROM memberships WHERE organization_id = $1 AND user_id = $2",
    )
    .bind(org_id)
    .bind(user_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound)?;
    Role::parse(&role).ok_or_else(|| AppError::internal("membership role", &role))
}

async fn owner_count(tx: &mut Transaction<'static, Any>, org_id: &str) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) AS n FROM memberships WHERE organization_id = $1 AND role = 'owner'",
    )
    .bind(org_id)
    .fetch_one(&mut **tx)
    .await?)
}

/// Opens a transaction that holds the organization's write lock from its first statement
/// (a no-op update), so the owner count read below cannot go stale before the commit.
async fn begin_locked(db: &Db, org_id: &str) -> Result<Transaction<'static, Any>, AppError> {
    let mut tx = db.pool().begin().await?;
    sqlx::query("UPDATE organizations SET updated_at = updated_at WHERE id = $1")
        .bind(org_id)
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

/// Moves `user_id` to `role` within the rules.
pub async fn change_role(
    db: &Db,
    access: &OrgAccess,
    user_id: &str,
    role: Role,
) -> Result<(), AppError> {
    let mut tx = begin_locked(db, &access.org_id).await?;
    let from = current_role(&mut tx, &access.org_id, user_id).await?;
    let own = user_id == access.user.user_id;
    // The actor's role as it stands under the lock, not as it was read before it.
    let acting = current_role(&mut tx, &access.org_id, &access.user.user_id).await?;
    if !acting.can_change_role(from, role, own) {
        return Err(AppError::RoleNotAllowed);
    }
    if from == role {
        return Ok(());
    }
    if from == Role::Owner && owner_count(&mut tx, &access.org_id).await? <= 1 {
        return Err(AppError::LastOwner);
    }
    sqlx::query("UPDATE memberships SET role = $1 WHERE organization_id = $2 AND user_id = $3")
        .bind(role.as_str())
        .bind(&access.org_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    let detail = format!("{}->{}", from.as_str(), role.as_str());
    audit::record(
        &mut *tx,
        Event::new("member.change_role", &access.actor)
            .organization(&access.org_id)
            .target(user_id)
            .outcome(audit::Outcome::Success, &detail),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes `user_id` (`action` says whether it was a removal or the member leaving).
pub async fn remove(
    db: &Db,
    access: &OrgAccess,
    user_id: &str,
    action: &str,
) -> Result<(), AppError> {
    let mut tx = begin_locked(db, &access.org_id).await?;
    let role = current_role(&mut tx, &access.org_id, user_id).await?;
    let own = user_id == access.user.user_id;
    let acting = current_role(&mut tx, &access.org_id, &access.user.user_id).await?;
    if !own && !acting.can_manage(role) {
        return Err(AppError::RoleNotAllowed);
    }
    if role == Role::Owner && owner_count(&mut tx, &access.org_id).await? <= 1 {
        return Err(AppError::LastOwner);
    }
    sqlx::query("DELETE FROM memberships WHERE organization_id = $1 AND user_id = $2")
        .bind(&access.org_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut *tx,
        Event::new(action, &access.actor)
            .organization(&access.org_id)
            .target(user_id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
