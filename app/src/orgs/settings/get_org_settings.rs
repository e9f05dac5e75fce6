use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the settings page shows and edits: the organization's name and identifier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgSettings {
    pub slug: String,
    pub display_name: String,
}

/// The organization's settings, for its owners; other members and platform staff outside
/// it are refused, as for [`super::update_organization`].
#[server(prefix = "/fn", endpoint = "orgs/settings")]
pub async fn get_org_settings(org: String) -> Result<OrgSettings, AppError> {
    use crate::{auth::caller::Caller, orgs::Role};
    let caller = Caller::current()?;
    let access = caller
        .org(&org)
        .await?
        .require(Role::Owner)?
        .require_member()?;
    Ok(OrgSettings {
        slug: access.slug,
        display_name: access.display_name,
    })
}
