use super::Draft;
use crate::{error::AppError, instances::catalog::Catalog, orgs::OrgKind};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the wizard page needs: the organization, whether the caller may submit, the
/// catalog and the prefilled draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WizardContext {
    pub slug: String,
    pub organization: String,
    pub kind: OrgKind,
    /// Owners and platform staff may submit; everyone else is asked to turn to an owner.
    pub can_submit: bool,
    /// The owners' names, for those who may not submit.
    pub owners: Vec<String>,
    pub catalog: Catalog,
    /// Defaults: workspace files naming the organization, billing from the latest approved
    /// request (company line empty for personal organizations), the caller as contact.
    pub draft: Draft,
}

/// The wizard's starting point for organization `slug`; any member (or platform staff)
/// may load it, only owners and staff get `can_submit`.
#[server(prefix = "/fn", endpoint = "requests/wizard")]
pub async fn get_wizard_context(slug: String) -> Result<WizardContext, AppError> {
    use crate::{auth::caller::Caller, i18n::server_texts};
    use sqlx::Row;
    let caller = Caller::current()?;
    let access = caller.org(&slug).await?;
    let can_submit = access.may_request_instances();
    let owners = if can_submit {
        Vec::new()
    } else {
        sqlx::query(
            "SELECT u.display_name FROM memberships m JOIN users u ON u.id = m.user_id
             WHERE m.organization_id = $1 AND m.role = 'owner' ORDER BY u.display_name",
        )
        .bind(&access.org_id)
        .fetch_all(caller.db().pool())
        .await?
        .iter()
        .map(|r| r.try_get("display_name"))
        .collect::<Result<_, _>>()?
    };
    let t = server_texts(caller.lang);
    let mut draft = Draft {
        soul_md: (t.wizard_default_soul)(&access.display_name),
        agents_md: (t.wizard_default_agents)(&access.display_name),
        contact_name: access.user.display_name.clone(),
        contact_email: access.user.email.clone(),
        ..Draft::default()
    };
    if access.kind == OrgKind::Company {
        draft.billing_company = access.display_name.clone();
    }
    let previous = sqlx::query(
        "SELECT billing_company, billing_street, billing_postal_code, billing_city, billing_country
         FROM instance_requests
         WHERE organization_id = $1 AND status IN ('approved', 'provisioning', 'active')
         ORDER BY decided_at DESC, created_at DESC LIMIT 1",
    )
    .bind(&access.org_id)
    .fetch_optional(caller.db().pool())
    .await?;
    if let Some(row) = previous {
        let company: Option<String> = row.try_get("billing_company")?;
        if access.kind == OrgKind::Company {
            draft.billing_company = company.unwrap_or_default();
        }
        draft.billing_street = row.try_get("billing_street")?;
        draft.billing_postal_code = row.try_get("billing_postal_code")?;
        draft.billing_city = row.try_get("billing_city")?;
        draft.billing_country = row.try_get("billing_country")?;
    }
    Ok(WizardContext {
        slug: access.slug,
        organization: access.display_name,
        kind: access.kind,
        can_submit,
        owners,
        catalog: (*caller.state.config.catalog).clone(),
        draft,
    })
}
