//! One request as platform staff see it: everything the requester entered except the
//! secrets, of which only the names of the stored fields show.

use crate::{
    error::AppError,
    instances::{overview::PackageName, status::RequestStatus},
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A stored secret, by name only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct StoredSecret {
    pub package: String,
    pub field: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestDetail {
    pub id: String,
    pub organization: String,
    pub org_slug: String,
    pub status: RequestStatus,
    pub instance_label: Option<String>,
    pub agent_name: String,
    pub soul_md: String,
    pub agents_md: String,
    pub packages: Vec<PackageName>,
    pub secrets: Vec<StoredSecret>,
    pub billing_company: Option<String>,
    pub billing_street: String,
    pub billing_postal_code: String,
    pub billing_city: String,
    pub billing_country: String,
    pub billing_notes: Option<String>,
    pub contact_name: String,
    pub contact_email: String,
    pub admin_note: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub created_at: i64,
    /// The instance approval created.
    pub instance_name: Option<String>,
    pub instance_id: Option<String>,
    pub instance_phase: Option<crate::instances::status::InstancePhase>,
    /// The steps of the instance's latest provisioning run, errors included (staff).
    pub steps: Vec<crate::instances::overview::StepView>,
}

/// A request for platform staff; `not_found` for anyone else and for unknown ids.
#[server(prefix = "/fn", endpoint = "admin/requests/get")]
pub async fn get_request(id: String) -> Result<RequestDetail, AppError> {
    use crate::auth::caller::Caller;
    let caller = Caller::current()?;
    caller.staff()?;
    let request = super::repo::detail(caller.db(), &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let secrets = super::repo::stored_secrets(caller.db(), &id).await?;
    let steps = match &request.instance_id {
        Some(instance) => crate::instances::overview::StepView::by_instance(
            caller.db(),
            &request.organization_id,
            true,
        )
        .await?
        .remove(instance)
        .unwrap_or_default(),
        None => Vec::new(),
    };
    Ok(RequestDetail {
        steps,
        instance_id: request.instance_id,
        instance_phase: request
            .instance_phase
            .as_deref()
            .and_then(crate::instances::status::InstancePhase::parse),
        packages: PackageName::list_from_json(&caller.state.config.catalog, &request.packages)?,
        secrets,
        id: request.id,
        organization: request.organization,
        org_slug: request.slug,
        status: request.status,
        instance_label: request.instance_label,
        agent_name: request.agent_name,
        soul_md: request.soul_md,
        agents_md: request.agents_md,
        billing_company: request.billing.company,
        billing_street: request.billing.street,
        billing_postal_code: request.billing.postal_code,
        billing_city: request.billing.city,
        billing_country: request.billing.country,
        billing_notes: request.billing.notes,
        contact_name: request.contact_name,
        contact_email: request.contact_email,
        admin_note: request.admin_note,
        decided_by: request.decided_by,
        decided_at: request.decided_at,
        created_at: request.created_at,
        instance_name: request.instance_name,
    })
}
