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
    use crate::{auth::caller::Caller, i18n::server_texts, instances::repo};
    let caller = Caller::current()?;
    let access = caller.org(&slug).await?;
    let can_submit = access.may_request_instances();
    let owners = if can_submit {
        Vec::new()
    } else {
        repo::owner_names(caller.db(), &access).await?
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
    if let Some(previous) = repo::latest_billing(caller.db(), &access).await? {
        if access.kind == OrgKind::Company {
            draft.billing_company = previous.company.unwrap_or_default();
        }
        draft.billing_street = previous.street;
        draft.billing_postal_code = previous.postal_code;
        draft.billing_city = previous.city;
        draft.billing_country = previous.country;
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
