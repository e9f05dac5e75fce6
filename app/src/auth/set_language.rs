use crate::{error::AppError, i18n::Lang};
use leptos::prelude::*;

/// Chooses the interface language: stored on the user when signed in, and in a cookie for
/// everyone; anyone may call it.
#[server(prefix = "/fn", endpoint = "auth/set_language")]
pub async fn set_language(lang: String) -> Result<Lang, AppError> {
    use crate::{
        audit::{self, Event},
        auth::{caller::Caller, middleware::LANG_COOKIE, session, set_cookie, users},
        error::Problem,
    };
    let caller = Caller::current()?;
    let lang = Lang::parse(&lang)
        .filter(|l| caller.state.config.languages.contains(l))
        .ok_or_else(|| AppError::field("lang", Problem::InvalidChoice))?;
    if let Some(user) = caller.principal.user() {
        users::set_language(caller.db(), &user.user_id, lang).await?;
        audit::record(
            caller.db().pool(),
            Event::new("user.set_language", &caller.actor).target(lang.code()),
        )
        .await?;
    }
    set_cookie(&session::cookie_line(
        &caller.state.config,
        LANG_COOKIE,
        lang.code(),
        365 * 24 * 3600,
        false,
    ))?;
    Ok(lang)
}
