//! What an organization's instance pages read: the dashboard's instances and requests, the
//! live stream's snapshots and access check, and the wizard's defaults. Requests
//! themselves (creation, decision, the admin queue) are in [`super::requests::repo`].

use super::{
    overview::RequestRow,
    status::{InstancePhase, RequestStatus},
    wizard::Billing,
};
use crate::{db::Db, error::AppError, orgs::access::OrgAccess};

/// An instance as stored; `packages` is the JSON array of its package ids.
#[derive(Debug, sqlx::FromRow)]
pub struct InstanceRecord {
    pub id: String,
    pub name: String,
    pub display_name: String,
    #[sqlx(try_from = "String")]
    pub phase: InstancePhase,
    pub packages: String,
    pub created_at: i64,
    /// What the Kubernetes cluster reports for the instance's resource.
    pub cluster_phase: Option<String>,
}

/// The organization's instances, newest first.
pub async fn instances(db: &Db, access: &OrgAccess) -> Result<Vec<InstanceRecord>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, name, display_name, phase, packages, created_at, cluster_phase FROM instances
         WHERE organization_id = $1 ORDER BY created_at DESC, id",
    )
    .bind(&access.org_id)
    .fetch_all(db.pool())
    .await?)
}

/// The organization's instances, newest first, after `after` (creation time, id); at most
/// `limit`.
pub async fn instances_after(
    db: &Db,
    access: &OrgAccess,
    after: Option<(i64, &str)>,
    limit: u32,
) -> Result<Vec<InstanceRecord>, AppError> {
    let (at, id) = after.unwrap_or((i64::MAX, ""));
    Ok(sqlx::query_as(
        "SELECT id, name, display_name, phase, packages, created_at, cluster_phase FROM instances
         WHERE organization_id = $1 AND (created_at < $2 OR (created_at = $2 AND id > $3))
         ORDER BY created_at DESC, id LIMIT $4",
    )
    .bind(&access.org_id)
    .bind(at)
    .bind(id)
    .bind(i64::from(limit))
    .fetch_all(db.pool())
    .await?)
}

/// One of the organization's instances.
pub async fn instance(
    db: &Db,
    access: &OrgAccess,
    id: &str,
) -> Result<Option<InstanceRecord>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, name, display_name, phase, packages, created_at, cluster_phase FROM instances
         WHERE organization_id = $1 AND id = $2",
    )
    .bind(&access.org_id)
    .bind(id)
    .fetch_optional(db.pool())
    .await?)
}

/// The organization's pending, approved, provisioning and rejected requests, newest first;
/// at most `limit`.
pub async fn open_requests(
    db: &Db,
    access: &OrgAccess,
    limit: i64,
) -> Result<Vec<RequestRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, instance_label, agent_name, status, admin_note, created_at
         FROM instance_requests
         WHERE organization_id = $1 AND status IN ('pending', 'approved', 'provisioning', 'rejected')
         ORDER BY created_at DESC, id LIMIT $2",
    )
    .bind(&access.org_id)
    .bind(limit)
    .fetch_all(db.pool())
    .await?)
}

/// The display names of the organization's owners, by name.
pub async fn owner_names(db: &Db, access: &OrgAccess) -> Result<Vec<String>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT u.display_name FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.organization_id = $1 AND m.role = 'owner' ORDER BY u.display_name",
    )
    .bind(&access.org_id)
    .fetch_all(db.pool())
    .await?)
}

/// The billing address of the organization's latest approved (or provisioning, or active)
/// request.
pub async fn latest_billing(db: &Db, access: &OrgAccess) -> Result<Option<Billing>, AppError> {
    Ok(sqlx::query_as(
        "SELECT billing_company, billing_street, billing_postal_code, billing_city, billing_country,
                billing_notes
         FROM instance_requests
         WHERE organization_id = $1 AND status IN ('approved', 'provisioning', 'active')
         ORDER BY decided_at DESC, created_at DESC LIMIT 1",
    )
    .bind(&access.org_id)
    .fetch_optional(db.pool())
    .await?)
}

/// A request's status, as the live stream compares it.
#[derive(Debug, sqlx::FromRow)]
pub struct RequestState {
    pub id: String,
    #[sqlx(try_from = "String")]
    pub status: RequestStatus,
}

/// An instance's phase, as the live stream compares it.
#[derive(Debug, sqlx::FromRow)]
pub struct InstanceState {
    pub id: String,
    #[sqlx(try_from = "String")]
    pub phase: InstancePhase,
}

/// The statuses of the organization's requests that are not deleted.
pub async fn request_states(db: &Db, access: &OrgAccess) -> Result<Vec<RequestState>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, status FROM instance_requests
         WHERE organization_id = $1 AND status <> 'deleted'",
    )
    .bind(&access.org_id)
    .fetch_all(db.pool())
    .await
}

/// The phases of the organization's instances.
pub async fn instance_states(
    db: &Db,
    access: &OrgAccess,
) -> Result<Vec<InstanceState>, sqlx::Error> {
    sqlx::query_as("SELECT id, phase FROM instances WHERE organization_id = $1")
        .bind(&access.org_id)
        .fetch_all(db.pool())
        .await
}

/// Where a watcher of the live stream stands now.
#[derive(Debug, sqlx::FromRow)]
pub struct Standing {
    /// The user's account status.
    pub status: String,
    pub platform_role: Option<String>,
    /// Memberships in the organization (0 or 1).
    pub member: i64,
}

/// The standing of the caller behind `access` in its organization, through the session
/// they connected with; `None` once that session has ended or expired.
pub async fn standing(
    db: &Db,
    access: &OrgAccess,
    now: i64,
    idle_ms: i64,
) -> Result<Option<Standing>, sqlx::Error> {
    sqlx::query_as(
        "SELECT u.status, u.platform_role,
                (SELECT COUNT(*) FROM memberships m
                 WHERE m.organization_id = $1 AND m.user_id = u.id) AS member
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.id_hash = $2 AND s.expires_at > $3 AND u.id = $4 AND s.last_seen_at > $5",
    )
    .bind(&access.org_id)
    .bind(&access.user.session_hash)
    .bind(now)
    .bind(&access.user.user_id)
    .bind(now.saturating_sub(idle_ms))
    .fetch_optional(db.pool())
    .await
}
