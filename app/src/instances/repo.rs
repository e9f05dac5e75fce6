//! What an organization's instance pages read: the wizard's defaults. Requests themselves
//! (creation, decision, the admin queue) are in [`super::requests::repo`].

use super::wizard::Billing;
use crate::{db::Db, error::AppError, orgs::access::OrgAccess};

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
