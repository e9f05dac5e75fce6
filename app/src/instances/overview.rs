//! What an organization's dashboard shows (SPEC §3.4): its instances and its in-flight
//! requests, rejected ones with the staff's note.

use super::{
    catalog::Localized,
    status::{InstancePhase, RequestStatus, StepStatus},
};
use crate::{error::AppError, i18n::Lang};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A package as the dashboard names it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageName {
    pub id: String,
    /// `None` for a package the catalog no longer lists (shown by id).
    pub name: Option<Localized>,
}

impl PackageName {
    /// The packages of a stored JSON array of ids, with their catalog names.
    #[cfg(feature = "ssr")]
    pub fn list_from_json(
        catalog: &super::catalog::Catalog,
        json: &str,
    ) -> Result<Vec<PackageName>, AppError> {
        let ids: Vec<String> =
            serde_json::from_str(json).map_err(|e| AppError::internal("stored packages", e))?;
        Ok(ids
            .into_iter()
            .map(|id| {
                let name = catalog
                    .packages
                    .iter()
                    .find(|p| p.id == id)
                    .map(|p| p.name.clone());
                PackageName { id, name }
            })
            .collect())
    }

    /// The names of `packages` in `lang`, comma-separated (ids for unknown packages).
    pub fn join(packages: &[PackageName], lang: Lang) -> String {
        packages
            .iter()
            .map(|p| {
                p.name
                    .as_ref()
                    .map(|n| n.get(lang).to_owned())
                    .unwrap_or_else(|| p.id.clone())
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceRow {
    pub id: String,
    pub name: String,
    pub display_name: String,
    pub phase: InstancePhase,
    pub packages: Vec<PackageName>,
    pub created_at: i64,
    /// The phase the Kubernetes cluster reports for the instance (its resource's
    /// `status.phase`); absent when no cluster manages it or it has not said yet.
    pub cluster_phase: Option<String>,
    /// The steps of its latest provisioning run, in order.
    pub steps: Vec<StepView>,
}

/// One provisioning step as a page shows it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepView {
    /// `litellm.team`, `webhook.provisioned`, …
    pub step: String,
    pub status: StepStatus,
    pub attempts: i64,
    /// The last error, for platform staff only (it may name internal hosts); customers
    /// see a general sentence instead.
    pub error: Option<String>,
    /// When a step in error is tried again (none: it waits for staff).
    pub retry_at: Option<i64>,
    pub finished_at: Option<i64>,
}

#[cfg(feature = "ssr")]
impl StepView {
    /// The steps of each of the organization's instances (by instance id), errors shown
    /// only to `staff`.
    pub async fn by_instance(
        db: &crate::db::Db,
        org_id: &str,
        staff: bool,
    ) -> Result<std::collections::HashMap<String, Vec<StepView>>, AppError> {
        let mut map: std::collections::HashMap<String, Vec<StepView>> = Default::default();
        for (instance, row) in crate::provisioning::repo::latest_steps(db, org_id).await? {
            map.entry(instance).or_default().push(StepView {
                step: row.step,
                status: row.status,
                attempts: row.attempts,
                error: row.last_error.filter(|_| staff),
                retry_at: row.next_attempt_at,
                finished_at: row.finished_at,
            });
        }
        Ok(map)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct RequestRow {
    pub id: String,
    pub instance_label: Option<String>,
    pub agent_name: String,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub status: RequestStatus,
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

/// One page of the organization's instances, newest first, after `after` (the creation
/// time and id of the last one of the previous page); and whether more follow. For the
/// REST API, with the same access rule as the dashboard.
#[cfg(feature = "ssr")]
pub async fn instance_page(
    caller: &crate::auth::caller::Caller,
    slug: &str,
    after: Option<(i64, &str)>,
    limit: u32,
) -> Result<(Vec<InstanceRow>, bool), AppError> {
    let access = caller.org(slug).await?;
    let staff = access.user.platform_role.is_some();
    let mut records =
        crate::instances::repo::instances_after(caller.db(), &access, after, limit + 1).await?;
    let more = records.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    records.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let mut steps = StepView::by_instance(caller.db(), &access.org_id, staff).await?;
    let rows = records
        .into_iter()
        .map(|r| instance_row(&caller.state.config.catalog, r, &mut steps))
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok((rows, more))
}

/// One of the organization's instances with its steps; another organization's is
/// `NotFound`.
#[cfg(feature = "ssr")]
pub async fn instance_detail(
    caller: &crate::auth::caller::Caller,
    slug: &str,
    id: &str,
) -> Result<InstanceRow, AppError> {
    let access = caller.org(slug).await?;
    let staff = access.user.platform_role.is_some();
    let record = crate::instances::repo::instance(caller.db(), &access, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut steps = StepView::by_instance(caller.db(), &access.org_id, staff).await?;
    instance_row(&caller.state.config.catalog, record, &mut steps)
}

#[cfg(feature = "ssr")]
fn instance_row(
    catalog: &super::catalog::Catalog,
    r: crate::instances::repo::InstanceRecord,
    steps: &mut std::collections::HashMap<String, Vec<StepView>>,
) -> Result<InstanceRow, AppError> {
    Ok(InstanceRow {
        packages: PackageName::list_from_json(catalog, &r.packages)?,
        steps: steps.remove(&r.id).unwrap_or_default(),
        id: r.id,
        name: r.name,
        display_name: r.display_name,
        phase: r.phase,
        created_at: r.created_at,
        cluster_phase: r.cluster_phase,
    })
}

/// Most requests the dashboard lists.
pub const DASHBOARD_REQUESTS: i64 = 50;

/// The dashboard of organization `slug`, for its members and platform staff.
#[server(prefix = "/fn", endpoint = "orgs/overview")]
pub async fn get_org_overview(slug: String) -> Result<OrgOverview, AppError> {
    use crate::{auth::caller::Caller, instances::repo};
    let caller = Caller::current()?;
    let access = caller.org(&slug).await?;
    let catalog = &caller.state.config.catalog;
    let staff = access.user.platform_role.is_some();
    let mut steps = StepView::by_instance(caller.db(), &access.org_id, staff).await?;
    let instances = repo::instances(caller.db(), &access)
        .await?
        .into_iter()
        .map(|r| instance_row(catalog, r, &mut steps))
        .collect::<Result<Vec<_>, AppError>>()?;
    let requests = repo::open_requests(caller.db(), &access, DASHBOARD_REQUESTS).await?;
    Ok(OrgOverview {
        can_create: access.may_request_instances(),
        slug: access.slug,
        organization: access.display_name,
        instances,
        requests,
    })
}
