//! What an organization's dashboard shows (SPEC §3.4): its instances and its in-flight
//! requests, rejected ones with the staff's note.

use super::catalog::{Catalog, Localized};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A package as the dashboard names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageName {
    pub id: String,
    /// `None` for a package the catalog no longer lists (shown by id).
    pub name: Option<Localized>,
}

impl PackageName {
    /// The package `id` with its catalog name.
    pub fn from_catalog(catalog: &Catalog, id: String) -> PackageName {
        let name = catalog
            .packages
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.name.clone());
        PackageName { id, name }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceRow {
    pub id: String,
    pub name: String,
    pub display_name: String,
    pub phase: String,
    pub packages: Vec<PackageName>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRow {
    pub id: String,
    pub instance_label: Option<String>,
    pub agent_name: String,
    pub status: String,
    /// The staff's note: the reason of a rejection, or a remark on an approval.
    pub admin_note: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgOverview {
    pub slug: String,
    pub organization: String,
    /// Owners (and platform staff) may start the wizard.
    pub can_create: bool,
    pub instances: Vec<InstanceRow>,
    /// Pending, approved, provisioning and rejected requests, newest first.
    pub requests: Vec<RequestRow>,
}

/// Most requests the dashboard lists.
pub const DASHBOARD_REQUESTS: i64 = 50;

/// The dashboard of organization `slug`, for its members and platform staff.
#[server(prefix = "/fn", endpoint = "orgs/overview")]
pub async fn get_org_overview(slug: String) -> Result<OrgOverview, AppError> {
    use crate::{auth::principal::request_context, orgs::Role, state::app_state};
    use sqlx::Row;
    let state = app_state()?;
    let ctx = request_context()?;
    let access = ctx.principal.for_org(&state.db, &slug).await?;
    let name_of = |id| PackageName::from_catalog(&state.config.catalog, id);
    let instances = sqlx::query(
        "SELECT id, name, display_name, phase, packages, created_at FROM instances
         WHERE organization_id = $1 ORDER BY created_at DESC, id",
    )
    .bind(&access.org_id)
    .fetch_all(state.db.pool())
    .await?
    .iter()
    .map(|r| {
        let packages: String = r.try_get("packages")?;
        let packages: Vec<String> = serde_json::from_str(&packages)
            .map_err(|e| AppError::internal("instance packages", e))?;
        Ok(InstanceRow {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            display_name: r.try_get("display_name")?,
            phase: r.try_get("phase")?,
            packages: packages.into_iter().map(name_of).collect(),
            created_at: r.try_get("created_at")?,
        })
    })
    .collect::<Result<Vec<_>, AppError>>()?;
    let requests = sqlx::query(
        "SELECT id, instance_label, agent_name, status, admin_note, created_at
         FROM instance_requests
         WHERE organization_id = $1 AND status IN ('pending', 'approved', 'provisioning', 'rejected')
         ORDER BY created_at DESC, id LIMIT $2",
    )
    .bind(&access.org_id)
    .bind(DASHBOARD_REQUESTS)
    .fetch_all(state.db.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(RequestRow {
            id: r.try_get("id")?,
            instance_label: r.try_get("instance_label")?,
            agent_name: r.try_get("agent_name")?,
            status: r.try_get("status")?,
            admin_note: r.try_get("admin_note")?,
            created_at: r.try_get("created_at")?,
        })
    })
    .collect::<Result<Vec<_>, AppError>>()?;
    Ok(OrgOverview {
        can_create: access.role == Role::Owner || access.user.platform_role.is_some(),
        slug: access.slug,
        organization: access.display_name,
        instances,
        requests,
    })
}
