use super::SessionInfo;
use crate::error::AppError;
use leptos::prelude::*;

/// The visitor's language and, when signed in, who they are; anyone may call it.
/// A suspended user is shown as signed out.
#[server(prefix = "/fn", endpoint = "auth/session")]
pub async fn get_session() -> Result<SessionInfo, AppError> {
    use crate::{
        auth::{CurrentUser, caller::Caller},
        orgs::access::organizations,
    };
    let caller = Caller::current()?;
    let user = match caller.principal.user() {
        Some(user) => {
            let organizations = organizations(caller.db(), user).await?;
            Some(CurrentUser {
                display_name: user.display_name.clone(),
                email: user.email.clone(),
                platform_role: user.platform_role,
                organizations,
            })
        }
        None => None,
    };
    Ok(SessionInfo {
        lang: caller.lang,
        languages: caller.state.config.languages.clone(),
        user,
    })
}
