use crate::{error::AppError, i18n::Lang};
use leptos::prelude::*;

/// Chooses the interface language: stored on the user when signed in, and in a cookie for
/// everyone; anyone may call it.
#[server(prefix = "/fn", endpoint = "auth/set_language")]
pub async fn set_language(lang: String) -> Result<Lang, AppError> {
    use crate::{
        audit::{self, Event},
        auth::{middleware::LANG_COOKIE, principal::request_context, session, set_cookie, users},
        error::Problem,
        state::app_state,
    };
    let state = app_state()?;
    let ctx = request_context()?;
    let lang = Lang::parse(&lang)
        .filter(|l| state.config.languages.contains(l))
        .ok_or_else(|| AppError::field("lang", Problem::InvalidChoice))?;
    if let Some(user) = ctx.principal.user() {
        users::set_language(&state.db, &user.user_id, lang).await?;
        audit::record(
            state.db.pool(),
            Event::new("user.set_language", Some(&user.user_id), &ctx.client_addr)
                .target(lang.code()),
        )
        .await?;
    }
    set_cookie(&session::cookie_line(
        &state.config,
        LANG_COOKIE,
        lang.code(),
        365 * 24 * 3600,
        false,
    ))?;
    Ok(lang)
}
