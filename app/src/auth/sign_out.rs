use crate::error::AppError;
use leptos::prelude::*;

/// Ends the caller's session (the row is deleted, so every process forgets it) and clears
/// the cookie. Safe to call when signed out.
#[server(prefix = "/fn", endpoint = "auth/sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::{
        audit::{self, Event},
        auth::{
            principal::{Principal, request_context},
            session, set_cookie,
        },
        state::app_state,
    };
    let state = app_state()?;
    let ctx = request_context()?;
    if let Principal::User(user) = &ctx.principal {
        session::delete(&state.db, &user.session_hash).await?;
        audit::record(
            state.db.pool(),
            Event::new("auth.sign_out", Some(&user.user_id), &ctx.client_addr),
        )
        .await?;
    }
    set_cookie(&session::clear_cookie(&state.config))?;
    leptos_axum::redirect("/");
    Ok(())
}
