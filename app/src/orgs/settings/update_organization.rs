use crate::error::AppError;
use leptos::prelude::*;

/// Renames an organization and/or changes its slug; owners only. Answers the (new) slug.
/// Personal organizations keep their person's name; reserved and taken slugs are refused.
#[server(prefix = "/fn", endpoint = "orgs/update")]
pub async fn update_organization(
    org: String,
    display_name: String,
    slug: String,
) -> Result<String, AppError> {
    use crate::{
        auth::{caller::Caller, validate::Checker},
        error::Problem,
        orgs::{OrgKind, Role, slug as slug_rules},
    };
    let caller = Caller::current()?;
    let access = caller
        .org(&org)
        .await?
        .require(Role::Owner)?
        .require_member()?;

    let mut check = Checker::default();
    let display_name = check.text("display_name", &display_name, 2, 100);
    let new_slug = slug.trim().to_lowercase();
    if !slug_rules::is_valid(&new_slug) {
        check.problem("slug", Problem::InvalidSlug);
    }
    if access.kind == OrgKind::Personal && display_name != access.display_name {
        check.problem("display_name", Problem::InvalidChoice);
    }
    check.finish()?;

    super::repo::update(caller.db(), &access, &display_name, &new_slug).await?;
    if new_slug != access.slug {
        leptos_axum::redirect(&format!("/orgs/{new_slug}/settings"));
    }
    Ok(new_slug)
}
