use super::SessionInfo;
use crate::error::AppError;
use leptos::prelude::*;

/// The visitor's language and, when signed in, who they are; anyone may call it.
/// A suspended user is shown as signed out.
#[server(prefix = "/fn", endpoint = "auth/session")]
pub async fn get_session() -> Result<SessionInfo, AppError> {
    use crate::{
        auth::{CurrentUser, principal::request_context},
        orgs::repo::list_for_user,
        state::app_state,
    };
    let state = app_state()?;
    let ctx = request_context()?;
    let user = match ctx.principal.user() {
        Some(user) => {
            let organizations = list_for_user(&state.db, &user.user_id).await?;
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
        lang: ctx.lang,
        languages: state.config.languages.clone(),
        user,
    })
}
