use super::Draft;
use crate::error::AppError;
use leptos::prelude::*;

/// Submits the wizard for organization `slug`: owners and platform staff only. Checks the
/// whole draft, seals the package secrets, stores the request, queues the email to
/// platform staff and sends the browser to the organization's dashboard. Returns the
/// request id.
#[server(prefix = "/fn", endpoint = "requests/submit")]
pub async fn submit_request(slug: String, draft: Draft) -> Result<String, AppError> {
    let caller = crate::auth::caller::Caller::current()?;
    let (id, slug) = submit(&caller, &slug, draft).await?;
    leptos_axum::redirect(&format!("/orgs/{slug}?submitted=1"));
    Ok(id)
}

/// The wizard's submission and the REST API's `POST …/instance-requests`: returns the
/// request id and the organization's (current) slug. The draft's secrets are wiped from
/// memory whatever the outcome.
#[cfg(feature = "ssr")]
pub async fn submit(
    caller: &crate::auth::caller::Caller,
    slug: &str,
    draft: Draft,
) -> Result<(String, String), AppError> {
    use crate::{instances::requests::repo, secrets::Keyring};
    use zeroize::Zeroize;

    let mut draft = draft;
    let result = async {
        let access = caller.org(slug).await?;
        if !access.may_request_instances() {
            return Err(AppError::Forbidden);
        }
        let request = super::validate(&draft, &caller.state.config.catalog, access.kind, None)?;
        let keyring = if request.secrets.is_empty() {
            None
        } else {
            Keyring::from_config(&caller.state.config.secrets)
                .map_err(|e| AppError::internal("secrets configuration", e))?
        };
        let origin = caller.state.config.origin();
        let id = repo::create(caller.db(), keyring.as_ref(), &access, &request, origin).await?;
        caller.state.changed(&access.org_id);
        Ok((id, access.slug))
    }
    .await;
    for value in draft.secrets.values_mut() {
        value.zeroize();
    }
    result
}
