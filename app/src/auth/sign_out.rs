use crate::error::AppError;
use leptos::prelude::*;

/// Ends the caller's session (the row is deleted, so every process forgets it) and clears
/// the cookie. Safe to call when signed out.
#[server(prefix = "/fn", endpoint = "auth/sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::{
        audit::{self, Event},
        auth::{caller::Caller, principal::Principal, session, set_cookie},
    };
    let caller = Caller::current()?;
    if let Principal::User(user) = &caller.principal {
        session::delete(caller.db(), &user.session_hash).await?;
        audit::record(
            caller.db().pool(),
            Event::new("auth.sign_out", &caller.actor),
        )
        .await?;
    }
    set_cookie(&session::clear_cookie(&caller.state.config))?;
    leptos_axum::redirect("/");
    Ok(())
}
